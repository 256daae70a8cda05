"""Random walks through payments, checked against the book after every step.

Hypothesis drives request / approve / reject / pay / re-score and release / forfeit / amend on
two contracts, with random officers (so a payer is sometimes the approver and must be refused).
After each step the trial balance of the contracts' entries must equal what the records' states
say (derived here, independently of funds.books), no settled contract may leave an in-between
account open, no milestone is paid more than its amount or a disbursement twice, payments stay
within the contract amount in force, the chain verifies and the reconciliation holds.

Runs on whichever database the suite runs on (SQLite by default, PostgreSQL with DATABASE_URL).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from core.fsm import ActionRefusedError
from evaluation.models import EvaluationState, grade_for
from funds import services
from funds.books import reconcile, trial_balance
from funds.ledger import ledger_verify
from funds.models import (
    IN_BETWEEN_ACCOUNTS,
    Account,
    Deliverable,
    Disbursement,
    LedgerEntry,
    LedgerKind,
    Milestone,
    MilestoneState,
)
from procurement.models import Contract
from procurement.services import contract_amend
from tests.factories.accounts import (
    BureauFactory,
    BureauFinanceFactory,
    BureauStaffFactory,
    NgoFactory,
    NgoUserFactory,
)
from tests.factories.evaluation import EvaluationFactory
from tests.factories.funds import MilestoneFactory
from tests.factories.procurement import ContractFactory
from tests.factories.projects import ServiceProjectFactory

REFUSED = (ActionRefusedError, ValidationError)
ZERO = Decimal("0.00")
SCORES = st.sampled_from(["55", "60", "72", "79.99", "80", "91.5"])


def _confirm(milestone: Milestone, score: str) -> None:
    EvaluationFactory(
        contract=milestone.contract,
        milestone=milestone,
        state=EvaluationState.CONFIRMED,
        total_score=Decimal(score),
        grade=grade_for(Decimal(score)),
        confirmed_at=timezone.now(),
    )


def _having(*states: str, model: type = Milestone):  # type: ignore[no-untyped-def]
    """A precondition: some record of the walk is in one of `states` (fewer wasted steps)."""
    field = "contract__in" if model is Milestone else "milestone__contract__in"

    def check(machine: PaymentBook) -> bool:
        return model.objects.filter(**{field: machine.contracts}, state__in=states).exists()

    return precondition(check)


def expected_balances(contracts: list[Contract]) -> dict[str, Decimal]:
    """Per account, what the milestones' and disbursements' states say the book must hold."""
    expected: dict[str, Decimal] = defaultdict(Decimal)
    stage = {
        "requested": Account.PENDING_APPROVAL,
        "approved": Account.PAYABLE,
        "paid": Account.FEES_PAID,
    }
    for m in Milestone.objects.filter(contract__in=contracts):
        live = [d for d in m.disbursements.all() if d.state != "rejected"]
        paid = sum((d.amount for d in live if d.state == "paid"), ZERO)
        if m.state == MilestoneState.FORFEITED:
            expected[Account.PROJECT_BUDGET] -= m.amount
            expected[Account.FEES_PAID] += paid
            expected[Account.SURPLUS] += m.amount - paid
            continue
        for d in live:
            if d.part == 1:
                expected[Account.PROJECT_BUDGET] -= d.amount + d.withheld
                expected[Account.WITHHELD] += d.withheld
            else:
                expected[Account.WITHHELD] -= d.amount
            expected[stage[d.state]] += d.amount
    return {k: v for k, v in expected.items() if v}


class PaymentBook(RuleBasedStateMachine):
    @initialize()
    def setup(self) -> None:
        bureau = BureauFactory()
        self.staff = BureauStaffFactory(organization=bureau)
        self.officers = [BureauFinanceFactory(organization=bureau) for _ in range(3)]
        self.contracts: list[Contract] = []
        self.milestones: list[Milestone] = []
        for amount, shares in ((Decimal("478000.00"), ("30", "40", "30")),
                               (Decimal("360000.00"), ("50", "50"))):  # fmt: skip
            ngo = NgoFactory()
            NgoUserFactory(organization=ngo)
            project = ServiceProjectFactory(bureau=bureau, state="in_service")
            contract = ContractFactory(project=project, supplier=ngo, amount=amount)
            self.contracts.append(contract)
            for i, share in enumerate(shares, start=1):
                m = MilestoneFactory(
                    contract=contract,
                    sequence=i,
                    percentage=Decimal(share),
                    amount=(amount * Decimal(share) / 100).quantize(Decimal("0.01")),
                    state=MilestoneState.EVALUATED,
                )
                Deliverable.objects.create(milestone=m, title="服务报告", submitted_by=self.staff)
                self.milestones.append(m)
        self.scored: set[int] = set()
        self.voucher = 0

    def _attempt(self, work) -> bool:  # type: ignore[no-untyped-def]
        try:
            with transaction.atomic():
                work()
        except REFUSED:
            return False
        return True

    # --- rules ---------------------------------------------------------------------------

    def _some_milestone(self, n: int, *states: str) -> Milestone | None:
        ms = list(
            Milestone.objects.filter(contract__in=self.contracts, state__in=states).order_by("id")
        )
        return ms[n % len(ms)] if ms else None

    @_having(MilestoneState.EVALUATED)
    @rule(n=st.integers(0, 9), score=SCORES)
    def accept(self, n: int, score: str) -> None:
        m = self._some_milestone(n, MilestoneState.EVALUATED)
        if m is None:
            return
        if m.pk not in self.scored:
            _confirm(m, score)
            self.scored.add(m.pk)
        self._attempt(
            lambda: services.acceptance_record(
                milestone=m, actor=self.staff, passed=True, checklist={"ok": True}
            )
        )

    @_having(MilestoneState.ACCEPTED)
    @rule(n=st.integers(0, 9))
    def request(self, n: int) -> None:
        m = self._some_milestone(n, MilestoneState.ACCEPTED)
        if m is None:
            return
        self._attempt(lambda: services.disbursement_request(milestone=m, actor=self.staff))

    def _some_disbursement(self, n: int, state: str) -> Disbursement | None:
        ds = list(
            Disbursement.objects.filter(
                milestone__contract__in=self.contracts, state=state
            ).order_by("id")
        )
        return ds[n % len(ds)] if ds else None

    @_having("requested", model=Disbursement)
    @rule(n=st.integers(0, 9), who=st.integers(0, 2))
    def approve(self, n: int, who: int) -> None:
        d = self._some_disbursement(n, "requested")
        if d is not None:
            self._attempt(
                lambda: services.disbursement_approve(disbursement=d, actor=self.officers[who])
            )

    @_having("approved", model=Disbursement)
    @rule(n=st.integers(0, 9), who=st.integers(0, 2), days_ahead=st.sampled_from([0, 0, 0, 1]))
    def pay(self, n: int, who: int, days_ahead: int) -> None:
        d = self._some_disbursement(n, "approved")
        if d is None:
            return
        payer = self.officers[who]
        self.voucher += 1
        ok = self._attempt(
            lambda: services.disbursement_pay(
                disbursement=d,
                actor=payer,
                voucher_number=f"QJ-{self.voucher:05d}",
                paid_on=timezone.localdate() + dt.timedelta(days=days_ahead),
            )
        )
        # 不相容岗位分离 and no paid date in the future, whatever else the walk did.
        assert not ok or (payer.pk != d.approved_by_id and days_ahead == 0)

    @_having("requested", "approved", model=Disbursement)
    @rule(n=st.integers(0, 9), state=st.sampled_from(["requested", "approved"]))
    def reject(self, n: int, state: str) -> None:
        d = self._some_disbursement(n, state)
        if d is not None:
            self._attempt(
                lambda: services.disbursement_reject(
                    disbursement=d, actor=self.officers[0], reason="金额有误\x02，退回重报"
                )
            )

    @_having(MilestoneState.WITHHELD)
    @rule(n=st.integers(0, 9), score=st.sampled_from(["72", "80", "91.5"]))
    def rescore_and_release(self, n: int, score: str) -> None:
        m = self._some_milestone(n, MilestoneState.WITHHELD)
        if m is None:
            return
        _confirm(m, score)
        self._attempt(lambda: services.withheld_release_request(milestone=m, actor=self.staff))

    @_having(MilestoneState.WITHHELD, MilestoneState.EVALUATED)
    @rule(n=st.integers(0, 9), unpaid=st.booleans())
    def forfeit(self, n: int, unpaid: bool) -> None:
        # Mostly the withheld rest of a paid milestone; sometimes one never paid at all.
        states = [MilestoneState.WITHHELD] + ([MilestoneState.EVALUATED] if unpaid else [])
        m = self._some_milestone(n, *states)
        if m is None:
            return
        self._attempt(
            lambda: services.milestone_forfeit(milestone=m, actor=self.staff, reason="整改未通过")
        )

    @rule(c=st.integers(0, 1), percent=st.sampled_from([40, 95, 100, 105, 110]))
    def amend(self, c: int, percent: int) -> None:
        contract = self.contracts[c]
        amount = (contract.amount * percent / 100).quantize(Decimal("0.01"))
        self._attempt(
            lambda: contract_amend(
                contract=contract,
                actor=self.staff,
                amount=amount,
                end_date=contract.end_date,
                reason="服务范围调整",
            )
        )

    # --- invariants ----------------------------------------------------------------------

    def _entries(self):  # type: ignore[no-untyped-def]
        return LedgerEntry.objects.filter(contract__in=self.contracts)

    @invariant()
    def trial_balance_equals_states(self) -> None:
        book = trial_balance(self._entries())
        assert book.balanced
        actual = {line.account: line.balance for line in book.lines if line.balance}
        assert actual == expected_balances(self.contracts)

    @invariant()
    def settled_contracts_leave_nothing_open(self) -> None:
        for contract in self.contracts:
            states = set(contract.milestones.values_list("state", flat=True))
            if states <= {MilestoneState.PAID, MilestoneState.FORFEITED}:
                book = trial_balance(self._entries().filter(contract=contract))
                assert all(book.balance(a) == 0 for a in IN_BETWEEN_ACCOUNTS)

    @invariant()
    def nothing_paid_twice_nor_beyond_the_contract(self) -> None:
        paid_lines = self._entries().filter(kind=LedgerKind.DISBURSEMENT_PAID)
        per_disbursement = list(paid_lines.values_list("disbursement_id", flat=True))
        assert len(per_disbursement) == len(set(per_disbursement))
        for m in Milestone.objects.filter(contract__in=self.contracts):
            assert sum(e.amount for e in paid_lines.filter(milestone=m)) <= m.amount
        for contract in Contract.objects.filter(pk__in=[c.pk for c in self.contracts]):
            paid = trial_balance(self._entries().filter(contract=contract)).balance(
                Account.FEES_PAID
            )
            assert paid <= contract.current_amount

    @invariant()
    def reversals_once_and_clean_memos(self) -> None:
        reversed_ = list(
            self._entries().exclude(reverses=None).values_list("reverses_id", flat=True)
        )
        assert len(reversed_) == len(set(reversed_))
        assert not self._entries().filter(memo__contains="\x02").exists()

    @invariant()
    def chain_and_books_verify(self) -> None:
        assert ledger_verify().ok
        contracts = Contract.objects.filter(pk__in=[c.pk for c in self.contracts])
        result = reconcile(self._entries(), contracts)
        assert result.ok, result.first_problem()


PaymentBook.TestCase.settings = settings(
    max_examples=8,
    stateful_step_count=35,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    derandomize=True,
)


@pytest.mark.django_db
def test_random_payment_walks_keep_the_books() -> None:
    from hypothesis.stateful import run_state_machine_as_test

    run_state_machine_as_test(PaymentBook, settings=PaymentBook.TestCase.settings)
