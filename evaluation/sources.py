"""Where the figures and evidence of an evaluation come from, without evaluation importing them.

Apps that keep records an assessor needs (funds: deliverables and service records; beneficiaries:
case-file counts; workforce: social workers and volunteers) register here, as the register fills
`funds.reach`. Evaluation asks by name and never imports those apps, so a missing app means
"no data", never an invented number.

- a *measure* is one number as at a cut-off date, with the words saying how it was computed
  (`register_measure("service_person_times", fn)`; `fn(contract, as_of) -> Measure | None`);
- an *evidence section* is what an assessor reads beside the sheet (a titled table with links),
  `register_evidence(fn)`; `fn(evaluation, as_of) -> EvidenceSection | None`. Sections carry
  counts, dates, places and titles only: never a person's name or ID number.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

# The measures a leaf may name with `measure=<key>` in its parameters, and their Chinese labels.
MEASURES: dict[str, Any] = {
    "service_person_times": _("Service person-times (服务人次)"),
    "case_count": _("Cases (个案数)"),
    "file_completeness": _("Case-file completeness, per cent (建档完整率)"),
    "volunteer_times": _("Volunteer person-times (志愿者人次)"),
    "certified_share": _("Certified social workers, per cent (持证社工占比)"),
    "satisfaction": _("Service-user satisfaction, per cent (满意度)"),
}
# Measures that are counts the contract sets a target for (合同约定); the rest are percentages
# judged against the indicator system's own standard.
CONTRACT_TARGET_MEASURES = ("service_person_times", "case_count", "volunteer_times")


@dataclass(frozen=True)
class Measure:
    value: Decimal
    how: str  # how it was computed, in words (shown on the sheet, comparison and report)
    source: str  # which register it came from


@dataclass
class EvidenceSection:
    title: str
    headers: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    link: str = ""  # the full listing, for readers allowed there
    link_label: str = ""
    note: str = ""


@dataclass(frozen=True)
class Household:
    """A served household as the survey sees it: a masked reference and a village, no more."""

    reference: str
    village: str


MeasureFn = Callable[[Any, dt.date], Measure | None]
PopulationFn = Callable[[Any, dt.date], list[Household]]
_population: list[PopulationFn] = []
EvidenceFn = Callable[[Any, dt.date], EvidenceSection | None]
_measures: dict[str, list[MeasureFn]] = {}
_evidence: list[EvidenceFn] = []


def register_measure(key: str, fn: MeasureFn) -> MeasureFn:
    if key not in MEASURES:
        raise KeyError(f"unknown measure {key!r}; add it to evaluation.sources.MEASURES")
    providers = _measures.setdefault(key, [])
    if fn not in providers:
        providers.append(fn)
    return fn


def register_evidence(fn: EvidenceFn) -> EvidenceFn:
    if fn not in _evidence:
        _evidence.append(fn)
    return fn


def register_population(fn: PopulationFn) -> PopulationFn:
    if fn not in _population:
        _population.append(fn)
    return fn


def population(contract: Any, as_of: dt.date) -> list[Household]:
    """Every household served under the contract up to `as_of` (masked), in a stable order."""
    found: list[Household] = []
    for fn in _population:
        found.extend(fn(contract, as_of))
    return found


def measure(key: str, contract: Any, as_of: dt.date) -> Measure | None:
    """The first registered source with data for `key`, or None ("no data")."""
    for fn in _measures.get(key, []):
        found = fn(contract, as_of)
        if found is not None:
            return found
    return None


def evidence(evaluation: Any, as_of: dt.date) -> list[EvidenceSection]:
    return [s for s in (fn(evaluation, as_of) for fn in _evidence) if s is not None]
