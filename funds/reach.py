"""How many people a contract has reached, per beneficiary category, counted where people are kept.

The case-file register (`beneficiaries`) registers a counter here; funds never imports that app,
so no funds page, export or API can reach a person (tests/beneficiaries/test_isolation.py). What
crosses is a number per category, nothing more.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
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


# --- 四卡一袋档案齐全, computed where the files are kept ------------------------------------------
# The acceptance checklist item "case files complete" is the register's figure when the register
# has files on the contract; the officer's tick counts only where there is nothing to compute.


@dataclass(frozen=True)
class FilesComplete:
    complete: int
    total: int

    @property
    def ok(self) -> bool:
        return self.complete == self.total


FilesChecker = Callable[[Any], tuple[int, int]]
_file_checkers: list[FilesChecker] = []


def register_files_check(checker: FilesChecker) -> FilesChecker:
    """`checker(contract) -> (complete, total)`: case files with every card and the bag."""
    if checker not in _file_checkers:
        _file_checkers.append(checker)
    return checker


def files_complete(contract: Any) -> FilesComplete | None:
    """Files complete against files on the contract; None when no register holds any."""
    complete = total = 0
    for checker in _file_checkers:
        done, of = checker(contract)
        complete, total = complete + done, total + of
    return FilesComplete(complete, total) if total else None
