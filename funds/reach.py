"""How many people a contract has reached, per beneficiary category, counted where people are kept.

The case-file register (`beneficiaries`) registers a counter here; funds never imports that app,
so no funds page, export or API can reach a person (tests/beneficiaries/test_isolation.py). What
crosses is a number per category, nothing more.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

PeopleCounter = Callable[[Any], Mapping[str, int]]
_counters: list[PeopleCounter] = []


def register(counter: PeopleCounter) -> PeopleCounter:
    if counter not in _counters:
        _counters.append(counter)
    return counter


def people_on_file(contract: Any) -> Counter[str]:
    """People with a file on this contract by beneficiary category (empty without a register)."""
    total: Counter[str] = Counter()
    for counter in _counters:
        total.update(counter(contract))
    return total
