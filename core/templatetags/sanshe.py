"""Template helpers shared by every app: money, state badges and the transition timeline."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.template.context import Context
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from core import concerns
from core.models import TransitionLog

register = template.Library()

# Events that are logged without changing the state get a readable name in the timeline.
EVENTS = {
    "create": _("created"),
    "edit": _("draft edited"),
    "submit": _("bid submitted"),
    "revise": _("bid revised"),
    "panel_add": _("panel member added"),
    "panel_declare": _("declared no conflict of interest"),
    "panel_withdraw": _("withdrew from the panel"),
    "score": _("scores saved"),
    "tie_break": _("panel decision on a tie recorded"),
    "objection": _("objection filed"),
    "objection_answer": _("objection answered"),
    "late_award_notice": _("award notice late"),
    "draft": _("contract drafted"),
    "amend": _("contract amended"),
    "commission": _("evaluation commissioned"),
    "assign": _("assessor assigned"),
    "replace_tree": _("indicators replaced"),
}


@register.filter
def cny(value: Any) -> str:
    """¥1,234,567.89 with exactly two decimals; money never passes through float."""
    if value is None or value == "":
        return "—"
    amount = Decimal(value).quantize(Decimal("0.01"))
    # Decimal's own format spec is exact; grouping by thousands as on Chinese vouchers.
    return f"¥{amount:,.2f}"


@register.filter
def people(value: int) -> str:
    """3,123: counts grouped by thousands like amounts (zh-Hans formats do not group)."""
    return f"{value:,}"


@register.simple_tag(takes_context=True)
def page_href(context: Context, number: int, param: str = "page", query: str = "") -> str:
    """A pager's link to page `number`: `?` the request's query without `param`, then `param`.

    The list's filters (?state=, ?q=, a bureau, a date, another pager's page) stay in the link
    and only the page moves. A page that needs other links gives its own already encoded
    `query` (without `param`). The result is escaped by the tag: `&` becomes `&amp;`."""
    if not query and (request := context.get("request")) is not None:
        others = request.GET.copy()
        others.pop(param, None)
        query = others.urlencode()
    own = urlencode({param: number})
    return f"?{query}&{own}" if query else f"?{own}"


@register.inclusion_tag("core/_timeline.html")
def timeline(obj: Any, state_field: str = "state") -> dict[str, Any]:
    """The transition log of `obj`, oldest first, with the state field's Chinese labels."""
    labels = {str(k): v for k, v in obj._meta.get_field(state_field).flatchoices}
    entries = list(TransitionLog.for_object(obj))
    return {
        "entries": [
            {
                "entry": e,
                "source": labels.get(e.source_state, e.source_state),
                "target": labels.get(e.target_state, e.target_state),
                "event": EVENTS.get(e.transition, e.transition)
                if e.source_state == e.target_state or not e.source_state
                else "",
            }
            for e in entries
        ]
    }


@register.inclusion_tag("core/_concerns.html", takes_context=True)
def open_concerns(context: Any, contract: Any) -> dict[str, Any]:
    """Open matters on the contract (e.g. rectification items) from the apps that track them,
    each with its link only for a reader who may open it."""
    user = context.get("user")
    return {"concerns": [(c, c.link_for(user)) for c in concerns.open_concerns(contract)]}
