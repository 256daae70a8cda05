from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from core.todos import Todo, register
from funds.bonds import bonds_held
from funds.models import (
    AWAITING_DELIVERABLES,
    Disbursement,
    DisbursementState,
    Milestone,
    MilestoneState,
)

# What a to-do reads of a milestone: its name (str) and its page. The rest of the milestone and
# of its contract (the contract's full text among them) stays in the database.
MILESTONE_NAME = ("sequence", "name", "contract__number")


@register
def funds_todos(user: Any) -> list[Todo]:
    if not user.is_authenticated:
        return []
    org = user.organization_id
    if user.role == Role.NGO:
        open_ = (
            Milestone.objects.filter(
                contract__supplier_id=org,
                state__in=AWAITING_DELIVERABLES,
                is_advance=False,
            )
            .select_related("contract")  # its number names the milestone
            .only(*MILESTONE_NAME, "due_date", "rectification_deadline")
            .order_by("due_date")[:10]
        )
        return [
            Todo(
                _("Submit deliverables: %s") % m,
                m.get_absolute_url(),
                due=m.rectification_deadline or m.due_date,
            )
            for m in open_
        ]
    if user.role == Role.BUREAU_STAFF:
        mine = (
            Milestone.objects.filter(contract__project__bureau_id=org)
            .select_related("contract")
            .only(*MILESTONE_NAME)
        )
        items = [
            Todo(_("Record acceptance: %s") % m, m.get_absolute_url())
            for m in mine.filter(state=MilestoneState.EVALUATED)[:10]
        ]
        items += [
            Todo(_("Request payment: %s") % m, m.get_absolute_url())
            for m in mine.filter(state=MilestoneState.ACCEPTED)[:10]
        ]
        return items
    if user.role == Role.BUREAU_FINANCE:
        today = timezone.localdate()
        bonds = []
        for bond in bonds_held(bureau_id=org):
            due = bond.return_due_by()
            if due is not None:
                bonds.append(
                    Todo(
                        _("Return the bid bond of %(payer)s") % {"payer": bond.payer.name},
                        reverse("funds:bonds"),
                        detail=_("overdue") if due < today else "",
                        due=due,
                    )
                )
        pending = (
            Disbursement.objects.filter(
                milestone__contract__project__bureau_id=org,
                state__in=[DisbursementState.REQUESTED, DisbursementState.APPROVED],
            )
            .exclude(requested_by=user)
            .select_related("milestone__contract")
            .only(
                "state",
                "due_by",
                "paid_on",
                *(f"milestone__{name}" for name in MILESTONE_NAME),
            )
            # The most urgent first: the 20 whose payment deadline comes soonest (the late ones
            # at the top). Newest first also made PostgreSQL walk every pending payment of the
            # province backwards by id looking for this bureau's (15 ms, often to find none).
            .order_by("due_by", "pk")[:20]
        )
        return bonds + [
            Todo(
                (
                    _("Approve payment: %s")
                    if d.state == DisbursementState.REQUESTED
                    else _("Record payment: %s")
                )
                % d.milestone,
                d.milestone.get_absolute_url(),
                detail=_("late") if d.is_late else "",
                due=d.due_by,
            )
            for d in pending
        ]
    return []
