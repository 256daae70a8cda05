"""Drawing the panel's experts at random from the pool (实施条例第39条, 财政部令第87号第48条).

The draw is replayable: the seed, the ordered candidate list and every exclusion with its reason
are stored on a PanelDraw, and random.Random(seed).sample(candidates, n) gives the same experts
again. Excluded: experts outside the project's category, inactive ones, those who declared a tie
to a bidder, and those employed by a bidder (回避, 实施条例第9条). An expert who declines is
replaced by a new recorded draw from the remaining candidates.
"""

from __future__ import annotations

import random
import secrets
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from core.fsm import ActionRefusedError, log_event
from core.permissions import refuse_unless
from procurement import rules
from procurement.models import (
    BidState,
    ExpertProfile,
    PanelDraw,
    PanelMember,
    Tender,
    TenderState,
)
from procurement.permissions import can_manage_tender


def pool_for(tender: Tender) -> tuple[list[int], list[dict[str, Any]]]:
    """The candidates (user ids, ascending) and the excluded experts with their reasons."""
    category = tender.project.category
    bidders = set(
        tender.bids.exclude(state=BidState.WITHDRAWN).values_list("supplier_id", flat=True)
    )
    seated = set(tender.panel.values_list("user_id", flat=True))
    candidates: list[int] = []
    excluded: list[dict[str, Any]] = []
    profiles = (
        ExpertProfile.objects.filter(user__role="expert")
        .select_related("user")
        .prefetch_related("conflicts")
        .order_by("user_id")
    )
    for profile in profiles:
        reason = ""
        if not (profile.is_active and profile.user.is_active):
            reason = "inactive"
        elif category not in (profile.categories or []):
            reason = "category"
        elif profile.user_id in seated:
            reason = "already drawn"
        elif profile.employer_id in bidders or profile.user.organization_id in bidders:
            reason = "employed by a bidder"
        elif bidders & {o.pk for o in profile.conflicts.all()}:
            reason = "declared tie to a bidder"
        if reason:
            if reason != "category":  # the rest of the pool is not this tender's business
                excluded.append({"user": profile.user_id, "reason": reason})
        else:
            candidates.append(profile.user_id)
    return candidates, excluded


def _draw(
    tender: Tender, actor: User, wanted: int, replaces: PanelMember | None = None
) -> PanelDraw:
    candidates, excluded = pool_for(tender)
    if len(candidates) < wanted:
        raise ActionRefusedError(
            _(
                "The expert pool has %(n)s eligible experts for this category; %(wanted)s are "
                "needed (%(source)s)."
            )
            % {"n": len(candidates), "wanted": wanted, "source": rules.EXPERT_DRAW_SOURCE}
        )
    seed = secrets.token_hex(16)
    drawn = random.Random(seed).sample(candidates, wanted)  # noqa: S311 - replayable by design
    draw = PanelDraw.objects.create(
        tender=tender,
        seed=seed,
        category=tender.project.category,
        wanted=wanted,
        candidates=candidates,
        excluded=excluded,
        drawn=drawn,
        replaces=replaces,
        drawn_by=actor,
    )
    experts = {u.pk: u for u in User.objects.filter(pk__in=drawn)}
    for user_id in drawn:
        PanelMember.objects.create(tender=tender, user=experts[user_id], is_expert=True, draw=draw)
    log_event(
        draw,
        "draw",
        actor=actor,
        created=True,
        note=_("seed %(seed)s; %(n)s candidates; drawn %(drawn)s; excluded %(excluded)s")
        % {
            "seed": seed,
            "n": len(candidates),
            "drawn": drawn,
            "excluded": [(e["user"], e["reason"]) for e in excluded],
        },
    )
    return draw


def replay(draw: PanelDraw) -> list[int]:
    """What the stored seed and candidates give: an auditor's check of a draw."""
    return random.Random(draw.seed).sample(list(draw.candidates), draw.wanted)  # noqa: S311


@transaction.atomic
def panel_draw(*, tender: Tender, actor: User, experts: int | None = None) -> PanelDraw:
    """Draw the experts the panel still needs, with the size and share rules checked first."""
    locked = Tender.objects.select_for_update().get(pk=tender.pk)
    decision = can_manage_tender(actor, locked)
    refuse_unless(decision)
    if locked.state not in (TenderState.PUBLISHED, TenderState.OPENED):
        raise ActionRefusedError(_("The panel is formed before the evaluation starts."))
    active = [m for m in locked.panel.all() if m.is_active]
    representatives = sum(1 for m in active if not m.is_expert)
    seated_experts = len(active) - representatives
    size = rules.panel_size_required(locked)
    if experts is None:
        experts = max(size - len(active), 0)
        # Keep the size odd and the experts at two thirds or more.
        while (seated_experts + experts) * 3 < (len(active) + experts) * 2:
            experts += 1
        if (len(active) + experts) % 2 == 0:
            experts += 1
    if experts < 1:
        raise ActionRefusedError(_("The panel already has the experts it needs."))
    return _draw(locked, actor, experts)


@transaction.atomic
def panel_decline(*, member: PanelMember, actor: User, reason: str) -> PanelDraw:
    """A drawn expert declines (cannot attend, or a tie discovered): recorded, and a replacement
    is drawn at once from the remaining candidates."""
    tender = Tender.objects.select_for_update().get(pk=member.tender_id)
    decision = can_manage_tender(actor, tender)
    if not (decision or member.user_id == actor.pk):
        raise ActionRefusedError(str(decision.reason))
    if not member.is_expert or member.draw_id is None:
        raise ActionRefusedError(_("Only a drawn expert declines a seat."))
    if not reason.strip():
        raise ActionRefusedError(_("Record why the expert declines."))
    PanelMember.objects.filter(pk=member.pk).update(declined=True, declaration=reason)
    log_event(member, "decline", actor=actor, note=reason)
    return _draw(tender, actor, 1, replaces=member)
