"""Rules other apps add to procurement without procurement importing them (a registry):

- bid checks: may this supplier bid on this tender at all (e.g. a minimum 评估等级 or no current
  listing on the 异常名录 / 失信名单)? Asked when a bid is submitted or revised;
- contract checks: may this project be bound to a contract of this amount (e.g. the annual plan's
  lines cover it)? Asked when a contract is drafted and when it is amended.

Each check returns the reason it refuses (shown to the user as is), or None.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

BidCheck = Callable[[Any, Any, dt.datetime], str | None]
ContractCheck = Callable[[Any, Decimal], str | None]
_bid_checks: list[BidCheck] = []
_contract_checks: list[ContractCheck] = []


def register_bid_check(check: BidCheck) -> BidCheck:
    if check not in _bid_checks:
        _bid_checks.append(check)
    return check


def register_contract_check(check: ContractCheck) -> ContractCheck:
    if check not in _contract_checks:
        _contract_checks.append(check)
    return check


def bid_refusals(tender: Any, supplier: Any, now: dt.datetime) -> list[str]:
    return [str(r) for r in (check(tender, supplier, now) for check in _bid_checks) if r]


def contract_refusals(project: Any, amount: Decimal) -> list[str]:
    return [str(r) for r in (check(project, amount) for check in _contract_checks) if r]
