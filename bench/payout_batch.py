"""Payout batch: 10,000 lines end to end against the loopback Connect server.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/loopwork_bench \
        .venv/bin/python -m bench payout_batch
    .venv/bin/python -m bench payout_batch        # SQLite in memory, one sending thread

Phases, each timed: the weekly batch (`payout_batch_schedule`: flags, a line and a ledger
posting per worker), its approval, sending every line through the real stripe-python HTTP
path to tests/stripe_connect_server (one transfer per line under its idempotency key, then
the paid posting), and the reconciliation of all transfers against our lines. Then it checks
the outcome: every line paid once, one transfer per line, no balance differences.

Environment: BENCH_PAYOUT_LINES (10000), BENCH_PAYOUT_THREADS (8 on PostgreSQL).
"""

import os
import time
from concurrent.futures import ThreadPoolExecutor
from unittest import mock

from django.contrib.auth.hashers import make_password
from django.db import connection, connections, transaction
from django.utils import timezone
from rich.progress import Progress

from accounts.models import User
from payouts import ledger
from payouts import payouts as payouts_module
from payouts.ledger import Leg
from payouts.models import LedgerAccount, LedgerTransaction, PayoutAccount, PayoutLine
from payouts.payouts import payout_batch_approve, payout_batch_schedule, payout_line_send
from payouts.reconcile import reconciliation_run
from payouts.stripe_gateway import StripeGateway, use_gateway
from tests.stripe_connect_server import ConnectServer

from .harness import throwaway_database

ON_POSTGRES = connection.vendor == "postgresql"
LINES = int(os.environ.get("BENCH_PAYOUT_LINES", "10000"))
THREADS = int(os.environ.get("BENCH_PAYOUT_THREADS", "8" if ON_POSTGRES else "1"))
CHUNK = 1000
REPRODUCE = (
    "DATABASE_URL=postgres://postgres@127.0.0.1:5432/loopwork_bench "
    ".venv/bin/python -m bench payout_batch"
)


def _workers(server: ConnectServer) -> list[int]:
    """LINES workers with onboarded Connect accounts and $12.34 + i cents available."""
    password = make_password("bench-payouts")
    users = User.objects.bulk_create(
        [
            User(email=f"payout-bench-{i}@example.org", role=User.Role.WORKER, password=password)
            for i in range(LINES)
        ],
        batch_size=CHUNK,
    )
    accounts = []
    for user in users:
        remote = server._account_create({"type": "express"})
        server.complete_onboarding(remote["id"])
        accounts.append(
            PayoutAccount(
                worker=user,
                stripe_account_id=remote["id"],
                details_submitted=True,
                payouts_enabled=True,
                test_mode=True,
                stripe_updated_at=timezone.now(),
            )
        )
    server.take_events()
    PayoutAccount.objects.bulk_create(accounts, batch_size=CHUNK)
    for start in range(0, len(users), CHUNK):
        chunk = users[start : start + CHUNK]
        amounts = [1234 + start + i for i in range(len(chunk))]
        ledger.transaction_post(
            idempotency_key=f"bench-earnings:{start}",
            kind=LedgerTransaction.Kind.HOLD_RELEASE,
            legs=[Leg(ledger.platform(LedgerAccount.Kind.PLATFORM_STRIPE_CLEARING), -sum(amounts))]
            + [
                Leg(ledger.worker_available(user.pk), amount)
                for user, amount in zip(chunk, amounts, strict=True)
            ],
            reference="bench",
            description="Bench earnings",
        )
    return [user.pk for user in users]


def _send_all(line_ids: list[int], progress) -> None:
    def send(share: list[int]) -> None:
        try:
            for line_id in share:
                payout_line_send(line_id=line_id)
                progress()
        finally:
            if ON_POSTGRES:
                connections.close_all()

    shares = [line_ids[i::THREADS] for i in range(THREADS)]
    if THREADS == 1:
        send(line_ids)
        return
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        list(pool.map(send, shares))


def _rate(count: int, seconds: float) -> str:
    return f"{seconds:8.2f} s  {count / seconds:9.0f} lines/s"


def run() -> None:
    with throwaway_database(), ConnectServer() as server:
        gateway = StripeGateway(
            secret_key="sk_test_bench",  # noqa: S106 - the loopback server's test key
            api_base=server.url,
            timeout_seconds=10,
        )
        approver = User.objects.create(
            email="bench-approver@example.org", is_staff=True, is_superuser=True
        )
        with use_gateway(gateway):
            started = time.perf_counter()
            _workers(server)
            setup = time.perf_counter() - started
            load_before = os.getloadavg()

            started = time.perf_counter()
            batch = payout_batch_schedule()
            scheduled = time.perf_counter() - started

            started = time.perf_counter()
            with mock.patch.object(payouts_module, "_enqueue", lambda ids: None):
                payout_batch_approve(batch_id=batch.pk, actor=approver)
            approved = time.perf_counter() - started

            line_ids = list(batch.lines.order_by("pk").values_list("pk", flat=True))
            started = time.perf_counter()
            with Progress(transient=True) as bar:
                task = bar.add_task("Sending", total=len(line_ids))
                _send_all(line_ids, lambda: bar.advance(task))
            sent = time.perf_counter() - started

            started = time.perf_counter()
            report = reconciliation_run()
            reconciled = time.perf_counter() - started
            load_after = os.getloadavg()

        paid = PayoutLine.objects.filter(status=PayoutLine.Status.PAID).count()
        executed = len(server.transfer_posts())
        with transaction.atomic():
            differences = ledger.balance_differences()
        total = scheduled + approved + sent
        print(
            f"\nPayout batch of {len(line_ids):,} lines end to end ({connection.vendor}, "
            f"{THREADS} sending thread{'s' if THREADS != 1 else ''}, loopback Connect server)"
        )
        print(f"  setup (workers, accounts, earnings)  {setup:8.2f} s")
        print(f"  schedule the batch                   {_rate(len(line_ids), scheduled)}")
        print(f"  approve                              {_rate(len(line_ids), approved)}")
        print(f"  send (Stripe transfer + paid post)   {_rate(len(line_ids), sent)}")
        print(f"  end to end (schedule+approve+send)   {_rate(len(line_ids), total)}")
        print(
            f"  reconcile {report.transfers_checked:,} transfers            "
            f"{_rate(report.transfers_checked, reconciled)}"
        )
        print(
            f"  check: {paid:,} lines paid, {executed:,} transfers made, "
            f"{len(report.differences)} reconciliation differences, "
            f"{len(differences)} balance differences"
        )
        print(
            f"  load average before {load_before[0]:.2f}, after {load_after[0]:.2f} "
            f"(1 min), {os.cpu_count()} CPUs"
        )
        print(f"  reproduce: {REPRODUCE}")
        if paid != len(line_ids) or executed != len(line_ids) or differences:
            raise SystemExit("payout batch benchmark: outcome check failed")
