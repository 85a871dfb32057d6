"""Payout batches end to end through a REAL Celery worker process and Redis, and a Redis
that loses its queued tasks.

The test process approves the batch (its tasks go to Redis on commit); a `celery -A config
worker` subprocess, pointed at this test's PostgreSQL database and at the loopback Connect
server, sends the transfers. Needs PostgreSQL (the worker must see committed rows in the
same database) and Redis at REDIS_URL / redis://127.0.0.1:6379/<db>.
"""

import datetime
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from unittest import mock

import pytest
from celery import current_app
from django.conf import settings
from django.contrib.auth.models import Permission
from django.db import connection
from django.utils import timezone
from kombu import pools as kombu_pools

from payouts import ledger, payouts
from payouts.models import PayoutBatch, PayoutLine
from payouts.payouts import (
    SENDING_TIMEOUT,
    payout_batch_approve,
    payout_line_send,
    payout_lines_sweep,
    payout_request,
)
from tests.factories import UserFactory
from tests.stripe_connect_server import ConnectServer
from tests.stripe_connect_server.testing import balances, connect_gateway, connected_worker

SWEEP_MARGIN = datetime.timedelta(minutes=1)
REDIS_URL = os.environ.get("PAYOUT_TEST_REDIS_URL", "redis://127.0.0.1:6379/12")
ROOT = Path(settings.BASE_DIR)

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="a separate worker process needs the PostgreSQL test database (not SQLite)",
    ),
]


def _redis():
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        # Not a skip: these are the only tests of payouts through a real broker, and CI
        # (.ci/run) starts Redis, so an unreachable one is a broken setup to report.
        pytest.fail(
            f"Redis is not reachable at {REDIS_URL}: start it (see README) or point "
            "PAYOUT_TEST_REDIS_URL at one"
        )
    return client


@pytest.fixture
def broker():
    """Celery in this process sends to Redis instead of running tasks eagerly."""
    client = _redis()
    client.flushdb()
    conf = current_app.conf
    saved = conf.task_always_eager, conf.broker_url, conf.broker_transport_options
    conf.update(task_always_eager=False, broker_url=REDIS_URL, broker_transport_options={})
    _drop_broker_connections()
    yield client
    conf.update(task_always_eager=saved[0], broker_url=saved[1], broker_transport_options=saved[2])
    _drop_broker_connections()
    client.flushdb()


def _drop_broker_connections() -> None:
    """Celery caches the connections of the broker it first used (an earlier test may have
    reached the settings' filesystem broker); drop them so the next send uses broker_url.

    app.pool is kombu's process-wide pool for the broker URL: closing it alone would leave
    a closed pool registered under that URL, so kombu's registries are emptied too.
    """
    kombu_pools.reset()
    current_app._pool = None
    current_app.amqp._producer_pool = None


def _start_worker(server: ConnectServer) -> subprocess.Popen:
    env = {
        **os.environ,
        # The test settings: a retry the worker schedules runs at once instead of after
        # its production backoff, so the test stays short.
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": (
            f"postgres://{connection.settings_dict['USER']}@{connection.settings_dict['HOST']}:"
            f"{connection.settings_dict['PORT']}/{connection.settings_dict['NAME']}"
        ),
        "REDIS_URL": REDIS_URL,
        "CELERY_BROKER_URL": REDIS_URL,
        "STRIPE_SECRET_KEY": "sk_test_celery_worker",
        "STRIPE_API_BASE": server.url,
        "STRIPE_TIMEOUT_SECONDS": "5",
    }
    return subprocess.Popen(  # noqa: S603 - our own celery, fixed arguments
        [
            str(Path(sys.executable).with_name("celery")),
            "-A",
            "config",
            "worker",
            "-Q",
            "payouts,celery",
            "--concurrency=2",
            "--loglevel=WARNING",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _run_worker_until_paid(server: ConnectServer, *, seconds: int = 120) -> bytes:
    """Run a worker until no line is left unpaid (or it dies, or time is up); its output."""
    worker = _start_worker(server)
    try:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if not PayoutLine.objects.exclude(status=PayoutLine.Status.PAID).exists():
                break
            if worker.poll() is not None:
                break
            time.sleep(0.5)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            output, _ = worker.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            output, _ = worker.communicate()
    return output


def test_a_redis_flush_loses_the_queued_sends_and_the_sweeper_pays_each_line_once(broker):
    approver = UserFactory(is_staff=True)
    approver.user_permissions.add(Permission.objects.get(codename="approve_payoutbatch"))
    with connect_gateway() as (server, _gateway):
        workers = [connected_worker(server, available_cents=1500 + i) for i in range(4)]
        lines = [
            payout_request(worker=w, amount_cents=1500 + i, idempotency_key="r")
            for i, w in enumerate(workers)
        ]
        payout_batch_approve(batch_id=lines[0].batch_id, actor=approver)
        assert broker.llen("payouts") == len(lines)
        # A worker process sent the first line and died before recording it...
        with (
            mock.patch.object(payouts, "_record_sent", side_effect=SystemExit("killed")),
            pytest.raises(SystemExit),
        ):
            payout_line_send(line_id=lines[0].pk)
        # ...then Redis lost everything: the queued sends are gone.
        broker.flushdb()
        assert broker.llen("payouts") == 0

        # The sweeper (beat, every few minutes) finds the lines untouched for too long and
        # queues them again in Redis; a real worker sends them.
        assert payout_lines_sweep(now=timezone.now() + SENDING_TIMEOUT + SWEEP_MARGIN) == 4
        assert broker.llen("payouts") == len(lines)
        output = _run_worker_until_paid(server)
        executed = server.transfer_posts()

    statuses = list(PayoutLine.objects.values_list("status", flat=True))
    assert statuses == [PayoutLine.Status.PAID] * len(lines), output.decode()[-3000:]
    # One transfer per line: the first line's resend found Stripe's transfer by its key.
    assert sorted(int(r.params["amount"]) for r in executed) == [1500 + i for i in range(4)]
    assert PayoutBatch.objects.get().status == PayoutBatch.Status.DONE
    for worker_user in workers:
        assert balances(worker_user)["in_transit"] == 0
    assert balances(workers[0])["paid_out"] == sum(1500 + i for i in range(4))
    assert ledger.balance_differences() == []


def test_a_real_worker_pays_a_batch_once(broker):
    approver = UserFactory(is_staff=True)
    approver.user_permissions.add(Permission.objects.get(codename="approve_payoutbatch"))
    with connect_gateway() as (server, _gateway):
        workers = [connected_worker(server, available_cents=1000 + i) for i in range(6)]
        lines = [
            payout_request(worker=w, amount_cents=1000 + i, idempotency_key="r")
            for i, w in enumerate(workers)
        ]
        # two of the sends meet Stripe trouble first (beyond stripe-python's own retries)
        server.faults.fail_next = 3
        server.faults.timeout_after_success = 1
        server.faults.stall_seconds = 8

        payout_batch_approve(batch_id=lines[0].batch_id, actor=approver)
        queued = broker.llen("payouts")
        output = _run_worker_until_paid(server)
        executed = server.transfer_posts()

    assert queued == len(lines)
    statuses = list(PayoutLine.objects.values_list("status", flat=True))
    assert statuses == [PayoutLine.Status.PAID] * len(lines), output.decode()[-3000:]
    assert len(executed) == len(lines)
    assert sorted(int(r.params["amount"]) for r in executed) == [1000 + i for i in range(6)]
    assert PayoutBatch.objects.get().status == PayoutBatch.Status.DONE
    for worker_user in workers:
        assert balances(worker_user)["available"] == 0
        assert balances(worker_user)["in_transit"] == 0
    assert balances(workers[0])["paid_out"] == sum(1000 + i for i in range(6))
