"""Ledger: approvals posted through the ledger per second (target >= 2,000/s on PostgreSQL).

Three measurements, each approval locking its escrow, company balance, worker pending and
the platform revenue account, posting escrow -> worker pending + fee -> revenue and writing
its earning hold:

- one at a time: payouts.earnings.approval_post, one database transaction each, as a
  reviewer's single approve runs it;
- in batches: payouts.earnings.approvals_post, one transaction per batch of
  marketplace.review.AUTO_APPROVE_BATCH, as automatic and bulk approval run it, in one
  process and in several at once (each its own projects, all sharing the revenue account);
- end to end: marketplace.review.auto_approve_due over submitted assignments whose review
  is due (lock, pay, status, audit row, worker notice), in one process.

DATABASE_URL=postgres://postgres@127.0.0.1:5432/loopwork_bench .venv/bin/python -m bench ledger
.venv/bin/python -m bench ledger        # SQLite, one process

Environment: BENCH_LEDGER_APPROVALS (20,000; 2,000 on SQLite) per batched run (a fifth of
it one at a time and end to end), BENCH_LEDGER_PROCESSES (2; 1 on SQLite).
"""

import datetime
import multiprocessing
import os
import time
from dataclasses import asdict

from django.contrib.auth.hashers import make_password
from django.db import connection, connections, transaction
from django.utils import timezone

from accounts.models import Company, User
from marketplace.models import Assignment, Item, Project
from marketplace.review import AUTO_APPROVE_BATCH, auto_approve_due
from payouts import earnings, ledger
from payouts.earnings import Approval
from payouts.ledger import Leg
from payouts.models import LedgerAccount, LedgerTransaction

from .harness import counted_queries, throwaway_database

ON_POSTGRES = connection.vendor == "postgresql"
APPROVALS = int(os.environ.get("BENCH_LEDGER_APPROVALS", "20000" if ON_POSTGRES else "2000"))
PROCESSES = int(os.environ.get("BENCH_LEDGER_PROCESSES", "2" if ON_POSTGRES else "1"))
WORKERS = 200
REWARD = 50
PER_APPROVAL = REWARD + earnings.platform_fee_cents(REWARD)
REPRODUCE = (
    "DATABASE_URL=postgres://postgres@127.0.0.1:5432/loopwork_bench "
    ".venv/bin/python -m bench ledger"
)


def fund(project_id: int, company_id: int, cents: int) -> None:
    ledger.transaction_post(
        idempotency_key=f"bench_top_up:{project_id}",
        kind=LedgerTransaction.Kind.TOP_UP,
        legs=[
            Leg(ledger.platform(LedgerAccount.Kind.PLATFORM_STRIPE_CLEARING), -cents),
            Leg(ledger.company_balance(company_id), cents),
        ],
        reference=f"company:{company_id}",
        description="Bench top-up",
    )
    ledger.transaction_post(
        idempotency_key=f"bench_reserve:{project_id}",
        kind=LedgerTransaction.Kind.ESCROW_RESERVE,
        legs=[
            Leg(ledger.company_balance(company_id), -cents),
            Leg(ledger.project_escrow(project_id), cents),
        ],
        reference=f"project:{project_id}",
        description="Bench reserve",
    )


def approval(lane: int, n: int, workers: list[int]) -> Approval:
    assignment_id = lane * 10_000_000 + n + 1
    return Approval(
        assignment_id=assignment_id,
        project_id=1000 + lane,
        company_id=1000 + lane,
        worker_id=workers[n % len(workers)],
        reward_cents=REWARD,
        currency="USD",
        project_title="Bench project",
        work_seconds=45,
        pay_floor_hourly_cents=None,
        link=f"/work/history/#submission-{assignment_id}",
    )


def approve_one_at_a_time(*, lane: int, count: int, workers: list[int]) -> float:
    """`count` approvals on the lane's project, one transaction each; returns the seconds."""
    now = timezone.now()
    started = time.perf_counter()
    for n in range(count):
        with transaction.atomic():
            facts = approval(lane, n, workers)
            earnings.approval_post(decision_id=facts.assignment_id, now=now, **asdict(facts))
    return time.perf_counter() - started


def approve_in_batches(*, lane: int, count: int, workers: list[int]) -> float:
    """`count` approvals in batches of AUTO_APPROVE_BATCH; returns the seconds taken."""
    now = timezone.now()
    started = time.perf_counter()
    for first in range(0, count, AUTO_APPROVE_BATCH):
        batch = [
            approval(lane, n, workers) for n in range(first, min(first + AUTO_APPROVE_BATCH, count))
        ]
        with transaction.atomic():
            outcome = earnings.approvals_post(batch, now=now)
        assert not outcome.refused, outcome.refused
    return time.perf_counter() - started


def _lane(args) -> float:
    lane, count, workers = args
    connections.close_all()  # a fresh connection in this process
    try:
        return approve_in_batches(lane=lane, count=count, workers=workers)
    finally:
        connections.close_all()


def due_assignments(count: int, workers: list[int]) -> None:
    """`count` submitted assignments of a funded project, their review due an hour ago."""
    company = Company.objects.create(name="Bench auto-approval company")
    project = Project.objects.create(
        company=company,
        title="Bench auto-approval",
        category="text-annotation",
        interface="classification",
        label_schema={"labels": ["yes", "no"], "multiple": False},
        reward_cents=REWARD,
        overlap=1,
        lease_seconds=600,
        status=Project.Status.ACTIVE,
        launched_at=timezone.now(),
    )
    fund(project.pk, company.pk, PER_APPROVAL * count)
    items = Item.objects.bulk_create(
        (Item(project=project, data={"text": f"Item {n}"}) for n in range(count)),
        batch_size=2000,
    )
    now = timezone.now()
    Assignment.objects.bulk_create(
        (
            Assignment(
                project=project,
                item=item,
                worker_id=workers[n % len(workers)],
                status=Assignment.Status.SUBMITTED,
                reward_cents=REWARD,
                leased_at=now - datetime.timedelta(hours=2),
                expires_at=now - datetime.timedelta(hours=1, minutes=50),
                submitted_at=now - datetime.timedelta(hours=1, minutes=55),
                answer={"label": "yes"},
                work_seconds=45,
                review_due_at=now - datetime.timedelta(hours=1),
            )
            for n, item in enumerate(items)
        ),
        batch_size=2000,
    )


def run() -> None:
    with throwaway_database():
        workers = [
            user.pk
            for user in User.objects.bulk_create(
                User(
                    email=f"ledger{n}@bench.example",
                    role=User.Role.WORKER,
                    password=make_password(None),
                )
                for n in range(WORKERS)
            )
        ]
        single_count = end_to_end_count = APPROVALS // 5
        for lane in range(PROCESSES + 3):
            fund(1000 + lane, 1000 + lane, PER_APPROVAL * APPROVALS * 2)
        approve_in_batches(lane=0, count=1000, workers=workers)  # warm-up (accounts, caches)
        start_load = os.getloadavg()[0]

        with counted_queries() as single_queries:
            approve_one_at_a_time(lane=1, count=100, workers=workers)
        single = approve_one_at_a_time(lane=1, count=single_count, workers=workers)
        with counted_queries() as batch_queries:
            approve_in_batches(lane=2, count=AUTO_APPROVE_BATCH, workers=workers)
        batched = approve_in_batches(lane=2, count=APPROVALS, workers=workers)
        lines = [
            f"\nLedger approvals on {connection.vendor} (load average {start_load:.2f} at start)",
            f"  one at a time, 1 process   {single_count:>7,} in {single:6.2f} s  "
            f"{single_count / single:8,.0f} approvals/s  "
            f"({single_queries[0] / 100:.1f} queries each)",
            f"  batches of {AUTO_APPROVE_BATCH}, 1 process {APPROVALS:>7,} in {batched:6.2f} s  "
            f"{APPROVALS / batched:8,.0f} approvals/s  ({batch_queries[0]} queries a batch)",
        ]
        if PROCESSES > 1 and ON_POSTGRES:
            connections.close_all()
            context = multiprocessing.get_context("fork")
            started = time.perf_counter()
            with context.Pool(PROCESSES) as pool:
                pool.map(_lane, [(3 + lane, APPROVALS, workers) for lane in range(PROCESSES)])
            elapsed = time.perf_counter() - started
            total = APPROVALS * PROCESSES
            lines.append(
                f"  batches of {AUTO_APPROVE_BATCH}, {PROCESSES} processes "
                f"{total:>7,} in {elapsed:6.2f} s  {total / elapsed:8,.0f} approvals/s"
            )

        due_assignments(end_to_end_count, workers)
        started = time.perf_counter()
        approved = auto_approve_due()
        elapsed = time.perf_counter() - started
        assert approved == end_to_end_count, approved
        lines.append(
            f"  auto-approval end to end    {approved:>7,} in {elapsed:6.2f} s  "
            f"{approved / elapsed:8,.0f} approvals/s  (status, audit row, notice, ledger)"
        )
        assert ledger.unbalanced_transactions() == []
        assert ledger.balance_differences() == []
        lines.append(f"  load average {os.getloadavg()[0]:.2f} at the end")
        lines.append(f"  reproduce: {REPRODUCE}")
        print("\n".join(lines))
