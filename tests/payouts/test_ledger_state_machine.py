"""The ledger's invariants under random sequences of every kind of money movement.

A hypothesis state machine funds companies (top-ups through Stripe clearing), launches
projects (escrow reserves), approves and rejects submissions (and overturns rejections),
pays bonuses, releases holds, pays out (available -> in transit -> paid out, or returned on
failure), reverses approvals for fraud and refunds unused balance, against a plain-Python
model of what every account must hold. After every step:

- each transaction balances and all accounts together sum to zero;
- no protected account is below zero, and a receivable is never above zero;
- every cached balance equals the sum of its entries;
- every account holds exactly what the model says, in particular, per worker,
  available = released - paid out + returned - reversed, where released is what hold
  releases moved to available (each due hold's amount less what reversals took from it,
  less what went to pay back a receivable), paid out is what payouts moved to in transit,
  returned what failed payouts moved back, and reversed what fraud reversals took from
  available; pending = approved + bonuses - released - taken by reversals from pending;
- replaying any earlier operation with its idempotency key changes nothing.

Each example runs in a transaction rolled back at its end. The "ledger" profile keeps it to
40 examples of up to 30 steps (HYPOTHESIS_LEDGER_EXAMPLES raises it for a long soak).
"""

import datetime
import itertools
import os
from dataclasses import dataclass, field

import pytest
import time_machine
from django.conf import settings as django_settings
from django.db import transaction
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from core.errors import LoopworkError
from payouts import earnings, ledger
from payouts.ledger import Leg
from payouts.models import LedgerAccount, LedgerEntry, LedgerTransaction
from tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db

settings.register_profile(
    "ledger",
    max_examples=int(os.environ.get("HYPOTHESIS_LEDGER_EXAMPLES", "40")),
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

Kind = LedgerAccount.Kind
TxKind = LedgerTransaction.Kind
CLEARING = ledger.platform(Kind.PLATFORM_STRIPE_CLEARING)
PAID_OUT = ledger.platform(Kind.PLATFORM_PAYOUTS)
REVENUE = ledger.platform(Kind.PLATFORM_REVENUE)
START = datetime.datetime(2026, 3, 2, 12, 0, tzinfo=datetime.UTC)
HOLD = datetime.timedelta(days=3)
COMPANIES = (1, 2)
PROJECTS = {10: 1, 11: 1, 12: 2}  # project -> its company
FEE_PERCENT = 20


def fee(cents: int) -> int:
    return (cents * FEE_PERCENT + 50) // 100


def floor_top_up(reward: int, seconds: int | None, floor: int | None) -> int:
    """The top-up to the higher of the project's floor and the platform's."""
    floor = max(floor or 0, django_settings.PAY_FLOOR_HOURLY_CENTS)
    if not floor or not seconds:
        return 0
    return max(0, (floor * seconds + 1800) // 3600 - reward)


@dataclass
class Hold:
    worker: int
    amount: int
    release_at: datetime.datetime
    reversed: int = 0
    released: bool = False


@dataclass
class Approval:
    project: int
    worker: int
    share: int  # reward + pay-floor top-up, credited to pending
    fees: int
    from_escrow: int
    from_company: int
    holds: list[Hold]
    reversed: bool = False


@dataclass
class Model:
    """What every account must hold, computed without the database."""

    company: dict = field(default_factory=lambda: dict.fromkeys(COMPANIES, 0))
    escrow: dict = field(default_factory=lambda: dict.fromkeys(PROJECTS, 0))
    pending: dict = field(default_factory=dict)
    available: dict = field(default_factory=dict)
    in_transit: dict = field(default_factory=dict)
    owed: dict = field(default_factory=dict)
    revenue: int = 0
    clearing: int = 0
    paid_out: int = 0
    holds: list[Hold] = field(default_factory=list)

    def expected(self) -> dict[tuple[str, int], int]:
        balances = {(Kind.COMPANY_BALANCE, c): v for c, v in self.company.items()}
        balances |= {(Kind.PROJECT_ESCROW, p): v for p, v in self.escrow.items()}
        for kind, values in (
            (Kind.WORKER_PENDING, self.pending),
            (Kind.WORKER_AVAILABLE, self.available),
            (Kind.WORKER_IN_TRANSIT, self.in_transit),
        ):
            balances |= {(kind, w): v for w, v in values.items()}
        balances |= {(Kind.PLATFORM_RECEIVABLE, w): -v for w, v in self.owed.items()}
        balances[(Kind.PLATFORM_REVENUE, 0)] = self.revenue
        balances[(Kind.PLATFORM_STRIPE_CLEARING, 0)] = self.clearing
        balances[(Kind.PLATFORM_PAYOUTS, 0)] = self.paid_out
        return {key: value for key, value in balances.items() if value}


def snapshot() -> tuple:
    return (
        LedgerTransaction.objects.count(),
        LedgerEntry.objects.count(),
        sorted(LedgerAccount.objects.values_list("pk", "balance_cents")),
    )


class LedgerMachine(RuleBasedStateMachine):
    workers: tuple[int, ...] = ()

    def __init__(self):
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.now = START
        self.model = Model()
        self.numbers = itertools.count(1)
        self.approvals: dict[int, Approval] = {}
        self.rejected: list[int] = []
        self.payouts: list[tuple[int, int, str]] = []  # (worker, cents, key) in transit
        self.done: list = []  # replayable calls of operations that succeeded

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    def _add(self, book: dict, key: int, cents: int) -> None:
        book[key] = book.get(key, 0) + cents

    def _post(self, key: str, kind: str, legs: list[Leg]):
        def call():
            return ledger.transaction_post(
                idempotency_key=key, kind=kind, legs=legs, reference=key, description=kind
            )

        call()
        self.done.append(call)

    # --- Companies ----------------------------------------------------------------------

    @initialize(funded=st.booleans())
    def open_books(self, funded):
        # Most runs start with money about, so that sequences reach payouts and reversals.
        if funded:
            for company in COMPANIES:
                self.fund(company, 20_000)
            for project in sorted(PROJECTS):
                self.launch(project, 5_000)

    @rule(
        operation=st.sampled_from(["fund", "launch", "refund"]),
        company=st.sampled_from(COMPANIES),
        project=st.sampled_from(sorted(PROJECTS)),
        cents=st.integers(1, 5000),
    )
    def company_money(self, operation, company, project, cents):
        """Fundings (top-ups), launches (escrow reserves) and refunds of unused balance."""
        if operation == "fund":
            self.fund(company, cents)
        elif operation == "launch":
            self.launch(project, cents)
        else:
            self.refund(company, cents)

    def fund(self, company, cents):
        self._post(
            f"top_up:{next(self.numbers)}",
            TxKind.TOP_UP,
            [Leg(CLEARING, -cents), Leg(ledger.company_balance(company), cents)],
        )
        self.model.company[company] += cents
        self.model.clearing -= cents

    def launch(self, project, cents):
        company = PROJECTS[project]
        legs = [
            Leg(ledger.company_balance(company), -cents),
            Leg(ledger.project_escrow(project), cents),
        ]
        if self.model.company[company] < cents:
            self._refused(
                lambda: self._post(f"reserve:{next(self.numbers)}", TxKind.ESCROW_RESERVE, legs)
            )
            return
        self._post(f"reserve:{next(self.numbers)}", TxKind.ESCROW_RESERVE, legs)
        self.model.company[company] -= cents
        self.model.escrow[project] += cents

    def refund(self, company, cents):
        legs = [Leg(ledger.company_balance(company), -cents), Leg(CLEARING, cents)]
        if self.model.company[company] < cents:
            self._refused(lambda: self._post(f"refund:{next(self.numbers)}", TxKind.REFUND, legs))
            return
        self._post(f"refund:{next(self.numbers)}", TxKind.REFUND, legs)
        self.model.company[company] -= cents
        self.model.clearing += cents

    # --- Decisions ----------------------------------------------------------------------

    def _approve(self, assignment_id, project, worker_index, reward, seconds, floor):
        worker = self.workers[worker_index]
        company = PROJECTS[project]
        m = self.model
        reward_fee, top = fee(reward), floor_top_up(reward, seconds, floor)
        total = reward + reward_fee + top + fee(top)

        def call():
            return earnings.approval_post(
                assignment_id=assignment_id,
                decision_id=assignment_id,
                project_id=project,
                company_id=company,
                worker_id=worker,
                reward_cents=reward,
                currency="USD",
                project_title=f"Project {project}",
                work_seconds=seconds,
                pay_floor_hourly_cents=floor,
                link="/work/history/",
                now=self.now,
            )

        if m.escrow[project] + m.company[company] < total:
            self._refused(call)
            return False
        call()
        self.done.append(call)
        from_escrow = min(m.escrow[project], total)
        m.escrow[project] -= from_escrow
        m.company[company] -= total - from_escrow
        self._add(m.pending, worker, reward + top)
        m.revenue += total - reward - top
        holds = [Hold(worker, reward, self.now + HOLD)]
        if top:
            holds.append(Hold(worker, top, self.now + HOLD))
        m.holds += holds
        self.approvals[assignment_id] = Approval(
            project,
            worker,
            reward + top,
            total - reward - top,
            from_escrow,
            total - from_escrow,
            holds,
        )
        return True

    @rule(
        project=st.sampled_from(sorted(PROJECTS)),
        worker=st.integers(0, 1),
        reward=st.integers(1, 400),
        seconds=st.none() | st.integers(1, 1200),
        floor=st.none() | st.sampled_from([600, 1500, 3000]),
    )
    def approve(self, project, worker, reward, seconds, floor):
        self._approve(next(self.numbers), project, worker, reward, seconds, floor)

    @rule(
        project=st.sampled_from(sorted(PROJECTS)),
        worker=st.integers(0, 1),
        then_release=st.booleans(),
    )
    def approve_plain(self, project, worker, then_release):
        # A second, plainer approval rule (approvals are most of what a ledger sees), which
        # may let the hold pass at once: work goes on after a reversal left a debt.
        self._approve(next(self.numbers), project, worker, 250, 30, None)
        if then_release:
            self.release(72)

    @rule(data=st.data(), project=st.sampled_from(sorted(PROJECTS)), worker=st.integers(0, 1))
    def reject_or_overturn(self, data, project, worker):
        """A rejection moves no money (the escrow stays for the replacement answer); a
        rejection overturned on dispute is approved and paid like any approval."""
        if not self.rejected or data.draw(st.booleans()):
            before = snapshot()
            self.rejected.append(next(self.numbers))
            assert snapshot() == before
            return
        assignment_id = data.draw(st.sampled_from(self.rejected))
        if self._approve(assignment_id, project, worker, 100, None, None):
            self.rejected.remove(assignment_id)

    @rule(worker=st.integers(0, 1), amount=st.integers(1, 500))
    def bonus(self, worker, amount):
        worker_id = self.workers[worker]
        company = COMPANIES[worker % 2]
        key = f"machine:{next(self.numbers)}"

        def call():
            return earnings.bonus_post(
                company_id=company,
                worker_id=worker_id,
                amount_cents=amount,
                reason="Good work",
                actor=None,
                idempotency_key=key,
                project_id=0,
            )

        total = amount + fee(amount)
        if self.model.company[company] < total:
            self._refused(call)
            return
        # Bonuses stamp their hold with the clock: pin it to the machine's time.
        with time_machine.travel(self.now, tick=False):
            call()
        self.done.append(call)
        self.model.company[company] -= total
        self.model.revenue += fee(amount)
        self._add(self.model.pending, worker_id, amount)
        self.model.holds.append(Hold(worker_id, amount, self.now + HOLD))

    # --- Time and holds -----------------------------------------------------------------

    @rule(hours=st.sampled_from([0, 72, 96]) | st.integers(1, 96))
    def release(self, hours):
        """Time passes, then the hold-release job runs."""
        self.now += datetime.timedelta(hours=hours)
        now = self.now
        expected = 0
        m = self.model
        for hold in m.holds:
            remaining = hold.amount - hold.reversed
            if hold.released or hold.release_at > now or remaining <= 0:
                continue
            hold.released = True
            expected += 1
            settle = min(remaining, m.owed.get(hold.worker, 0))
            if settle:
                event("a release paid back what a worker owed")
            self._add(m.owed, hold.worker, -settle)
            self._add(m.pending, hold.worker, -remaining)
            self._add(m.available, hold.worker, remaining - settle)
        assert earnings.holds_release_due(now=now) == expected
        self.done.append(lambda: earnings.holds_release_due(now=now))

    # --- Payouts ------------------------------------------------------------------------

    @rule(worker=st.integers(0, 1), share=st.sampled_from([100, 100, 50]) | st.integers(1, 100))
    def payout(self, worker, share):
        worker_id = self.workers[worker]
        cents = self.model.available.get(worker_id, 0) * share // 100
        if cents < 1:
            return
        key = f"payout:{next(self.numbers)}"
        self._post(
            key,
            TxKind.PAYOUT,
            [
                Leg(ledger.worker_available(worker_id), -cents),
                Leg(ledger.worker_in_transit(worker_id), cents),
            ],
        )
        self._add(self.model.available, worker_id, -cents)
        self._add(self.model.in_transit, worker_id, cents)
        self.payouts.append((worker_id, cents, key))

    @precondition(lambda self: self.payouts)
    @rule(data=st.data(), succeeded=st.booleans())
    def payout_outcome(self, data, succeeded):
        worker_id, cents, key = self.payouts.pop(data.draw(st.integers(0, len(self.payouts) - 1)))
        transit = ledger.worker_in_transit(worker_id)
        if succeeded:
            self._post(
                f"{key}:paid", TxKind.PAYOUT_PAID, [Leg(transit, -cents), Leg(PAID_OUT, cents)]
            )
            self.model.paid_out += cents
        else:
            self._post(
                f"{key}:returned",
                TxKind.PAYOUT_RETURNED,
                [Leg(transit, -cents), Leg(ledger.worker_available(worker_id), cents)],
            )
            self._add(self.model.available, worker_id, cents)
        self._add(self.model.in_transit, worker_id, -cents)

    # --- Fraud --------------------------------------------------------------------------

    @precondition(lambda self: any(not a.reversed for a in self.approvals.values()))
    @rule(data=st.data())
    def fraud_reversal(self, data):
        open_ = sorted(k for k, a in self.approvals.items() if not a.reversed)
        # Prefer approvals already released: those can leave the worker owing.
        released = [k for k in open_ if all(h.released for h in self.approvals[k].holds)]
        assignment_id = data.draw(
            st.sampled_from(released)
            if released and data.draw(st.booleans())
            else st.sampled_from(open_)
        )
        self._reverse(assignment_id)

    def _reverse(self, assignment_id):
        approval = self.approvals[assignment_id]
        m, worker = self.model, approval.worker
        earnings.approval_reverse(assignment_id=assignment_id, reason="Fraud", actor=None)
        self.done.append(
            lambda: earnings.approval_reverse(
                assignment_id=assignment_id, reason="Fraud", actor=None
            )
        )
        approval.reversed = True
        left = approval.share
        for hold in approval.holds:
            if hold.released:
                continue
            take = min(left, hold.amount - hold.reversed)
            hold.reversed += take
            left -= take
            self._add(m.pending, worker, -take)
        from_available = min(left, m.available.get(worker, 0))
        self._add(m.available, worker, -from_available)
        self._add(m.owed, worker, left - from_available)
        if left - from_available:
            event("a reversal left a worker owing")
        m.escrow[approval.project] += approval.from_escrow
        m.company[PROJECTS[approval.project]] += approval.from_company
        m.revenue -= approval.fees

    @rule(
        worker=st.integers(0, 1),
        project=st.sampled_from(sorted(PROJECTS)),
        earn_again=st.booleans(),
    )
    def cash_out_then_fraud(self, worker, project, earn_again):
        """The worst case for a reversal: the worker's pay was released and cashed out when
        fraud is found, so the reversal leaves them owing; what they earn next pays it back."""
        worker_id = self.workers[worker]

        def released():
            return sorted(
                k
                for k, a in self.approvals.items()
                if a.worker == worker_id and not a.reversed and all(h.released for h in a.holds)
            )

        if not released():
            self._approve(next(self.numbers), project, worker, 300, 30, None)
            self.release(72)
        self.payout(worker, 100)
        if released():
            self._reverse(released()[0])
        if earn_again:
            self._approve(next(self.numbers), project, worker, 200, 30, None)
            self.release(72)

    # --- Replays ------------------------------------------------------------------------

    @precondition(lambda self: self.done)
    @rule(data=st.data())
    def replay(self, data):
        call = data.draw(st.sampled_from(self.done))
        before = snapshot()
        call()
        assert snapshot() == before

    def _refused(self, call):
        before = snapshot()
        with pytest.raises(LoopworkError) as refusal:
            call()
        assert refusal.value.status == 409
        assert snapshot() == before

    # --- Invariants ---------------------------------------------------------------------

    @invariant()
    def books_balance(self):
        assert ledger.unbalanced_transactions() == []
        assert ledger.balance_differences() == []
        rows = list(LedgerAccount.objects.values_list("kind", "owner_id", "balance_cents"))
        assert sum(balance for _kind, _owner, balance in rows) == 0
        for kind, _owner, balance in rows:
            if kind == Kind.PLATFORM_RECEIVABLE:
                assert balance <= 0
            elif kind != Kind.PLATFORM_STRIPE_CLEARING:
                assert balance >= 0
        held = {(kind, owner): balance for kind, owner, balance in rows if balance}
        assert held == self.model.expected()


def test_ledger_invariants_hold_under_random_operations():
    LedgerMachine.workers = tuple(WorkerFactory().pk for _ in range(2))

    run_state_machine_as_test(LedgerMachine, settings=settings.get_profile("ledger"))
