"""Ledger: approvals posted through the ledger per second (target >= 2,000/s on PostgreSQL).

Each approval is payouts.earnings.approval_post in its own database transaction, as a review
decision runs it: lock the escrow, company balance, worker pending and revenue accounts,
post the approval (escrow -> worker pending + fee -> revenue), write its earning hold. Run
once in one process and once in several processes at the same time (each its own projects
and workers, all sharing the platform revenue account, which every approval locks).

DATABASE_URL=postgres://postgres@127.0.0.1:5432/loopwork_bench .venv/bin/python -m bench ledger
.venv/bin/python -m bench ledger        # SQLite, one process

Environment: BENCH_LEDGER_APPROVALS (5000; 1000 on SQLite) per run, BENCH_LEDGER_PROCESSES
(2; 1 on SQLite).
"""

import multiprocessing
import os
import time

from django.contrib.auth.hashers import make_password
from django.db import connection, connections, transaction
from django.utils import timezone

from accounts.models import User
from payouts import earnings, ledger
from payouts.ledger import Leg
from payouts.models import LedgerAccount, LedgerTransaction

from .harness import counted_queries, throwaway_database

ON_POSTGRES = connection.vendor == "postgresql"
APPROVALS = int(os.environ.get("BENCH_LEDGER_APPROVALS", "5000" if ON_POSTGRES else "1000"))
PROCESSES = int(os.environ.get("BENCH_LEDGER_PROCESSES", "2" if ON_POSTGRES else "1"))
WORKERS = 200
REWARD = 50
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


def approve_many(*, lane: int, count: int, workers: list[int]) -> float:
    """Post `count` approvals on the lane's own project; returns the seconds taken."""
    project_id = company_id = 1000 + lane
    now = timezone.now()
    started = time.perf_counter()
    for n in range(count):
        assignment_id = lane * 10_000_000 + n + 1
        with transaction.atomic():
            earnings.approval_post(
                assignment_id=assignment_id,
                decision_id=assignment_id,
                project_id=project_id,
                company_id=company_id,
                worker_id=workers[n % len(workers)],
                reward_cents=REWARD,
                currency="USD",
                project_title="Bench project",
                work_seconds=45,
                pay_floor_hourly_cents=None,
                link=f"/work/history/#submission-{assignment_id}",
                now=now,
            )
    return time.perf_counter() - started


def _lane(args) -> float:
    lane, count, workers = args
    connections.close_all()  # a fresh connection in this process
    try:
        return approve_many(lane=lane, count=count, workers=workers)
    finally:
        connections.close_all()


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
        per_approval = REWARD + earnings.platform_fee_cents(REWARD)
        for lane in range(PROCESSES + 2):
            fund(1000 + lane, 1000 + lane, per_approval * APPROVALS * 2)
        approve_many(lane=0, count=200, workers=workers)  # warm-up (accounts, caches)

        with counted_queries() as queries:
            approve_many(lane=1, count=100, workers=workers)
        single = approve_many(lane=1, count=APPROVALS, workers=workers)

        lines = [
            f"\nLedger approvals on {connection.vendor} "
            f"(load average {os.getloadavg()[0]:.2f} at start)",
            f"  1 process      {APPROVALS:>7,} approvals in {single:6.2f} s  "
            f"{APPROVALS / single:8,.0f} approvals/s  ({queries[0] / 100:.1f} queries each)",
        ]
        if PROCESSES > 1 and ON_POSTGRES:
            connections.close_all()
            context = multiprocessing.get_context("fork")
            started = time.perf_counter()
            with context.Pool(PROCESSES) as pool:
                pool.map(
                    _lane,
                    [(2 + lane, APPROVALS, workers) for lane in range(PROCESSES)],
                )
            elapsed = time.perf_counter() - started
            total = APPROVALS * PROCESSES
            lines.append(
                f"  {PROCESSES} processes    {total:>7,} approvals in {elapsed:6.2f} s  "
                f"{total / elapsed:8,.0f} approvals/s"
            )
        assert ledger.unbalanced_transactions() == []
        assert ledger.balance_differences() == []
        lines.append(f"  load average {os.getloadavg()[0]:.2f} at the end")
        lines.append(f"  reproduce: {REPRODUCE}")
        print("\n".join(lines))
