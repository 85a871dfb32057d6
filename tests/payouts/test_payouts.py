"""Payout requests, batches, review and sending, against the loopback Connect server."""

import datetime
from unittest import mock

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.dateformat import format as date_format

from accounts.models import Notification
from core.errors import LoopworkError
from payouts import ledger, payouts
from payouts.funding import EventMismatch
from payouts.ledger import Leg
from payouts.models import LedgerTransaction, PayoutAccount, PayoutBatch, PayoutLine
from payouts.payouts import (
    payout_batch_approve,
    payout_batch_schedule,
    payout_line_hold,
    payout_line_send,
    payout_lines_sweep,
    payout_request,
)
from payouts.stripe_gateway import webhook_event_verify
from tests.factories import UserFactory, WorkerFactory
from tests.stripe_connect_server.testing import (
    balances,
    connect_gateway,
    connected_worker,
    credit_available,
)

pytestmark = pytest.mark.django_db

Status = PayoutLine.Status


@pytest.fixture
def connect():
    with connect_gateway() as (server, _gateway):
        yield server


@pytest.fixture
def approver(db):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="approve_payoutbatch"))
    return user


def _deliver_to_handlers(server):
    """Deliver the server's waiting events through signature verification to our handlers."""

    def sink(body: bytes, headers: dict) -> int:
        event = webhook_event_verify(
            payload=body,
            signature=headers["Stripe-Signature"],
            secret=server.connect_webhook_secret
            if b'"account":' in body
            else server.webhook_secret,
        )
        payouts.handle_transfer_event(event)
        return 200

    server.webhook_sink = sink


# --- requests --------------------------------------------------------------------------------


def test_payout_request_moves_available_to_in_transit_in_the_open_batch(connect):
    # given a connected worker with $50 available
    worker = connected_worker(connect, available_cents=5000)

    # when they request $30
    line = payout_request(worker=worker, amount_cents=3000, idempotency_key="req-1")

    # then one line awaits review in the open worker-requests batch and the money moved
    assert line.status == Status.PENDING_REVIEW
    assert line.batch.kind == PayoutBatch.Kind.REQUESTED
    assert line.batch.status == PayoutBatch.Status.OPEN
    assert line.requested_by_worker is True
    assert line.expected_at == (timezone.now() + datetime.timedelta(days=4)).date()
    assert [flag["code"] for flag in line.fraud_flags] == ["new_account"]
    assert balances(worker) == {"available": 2000, "in_transit": 3000, "paid_out": 0}
    posted = LedgerTransaction.objects.get(reference=f"payout_line:{line.pk}")
    assert posted.idempotency_key == f"payout_request:{worker.pk}:req-1"
    assert posted.kind == LedgerTransaction.Kind.PAYOUT


def test_payout_request_again_with_the_same_key_returns_the_same_line(connect):
    worker = connected_worker(connect, available_cents=5000)
    first = payout_request(worker=worker, amount_cents=3000, idempotency_key="req-1")

    again = payout_request(worker=worker, amount_cents=3000, idempotency_key="req-1")

    assert again.pk == first.pk
    assert PayoutLine.objects.count() == 1
    assert balances(worker)["available"] == 2000


@pytest.mark.parametrize(
    ("amount", "code"),
    [(999, "below_minimum"), (6000, "insufficient_available")],
)
def test_payout_request_refused_changes_nothing(connect, amount, code):
    worker = connected_worker(connect, available_cents=5000)

    with pytest.raises(LoopworkError) as refused:
        payout_request(worker=worker, amount_cents=amount, idempotency_key="req-1")

    assert refused.value.code == code
    assert PayoutLine.objects.count() == 0
    assert PayoutBatch.objects.count() == 0
    assert balances(worker) == {"available": 5000, "in_transit": 0, "paid_out": 0}


def test_payout_request_without_enabled_payouts_is_refused(connect):
    worker = WorkerFactory()
    credit_available(worker, 5000)

    with pytest.raises(LoopworkError) as refused:
        payout_request(worker=worker, amount_cents=2000, idempotency_key="req-1")

    assert refused.value.code == "payouts_not_enabled"
    assert PayoutLine.objects.count() == 0
    assert balances(worker)["available"] == 5000


# --- flags -----------------------------------------------------------------------------------


def test_flags_spike_against_earlier_payouts_and_reversals(connect):
    worker = connected_worker(connect, available_cents=100_000)
    type(worker).objects.filter(pk=worker.pk).update(
        date_joined=timezone.now() - datetime.timedelta(days=60)
    )
    worker.refresh_from_db()
    worker.payout_account.__class__.objects.filter(pk=worker.payout_account.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=60)
    )
    for amount in (1000, 1200, 1100):
        line = payout_request(worker=worker, amount_cents=amount, idempotency_key=f"k{amount}")
        PayoutLine.objects.filter(pk=line.pk).update(status=Status.PAID, paid_at=timezone.now())

    spike = payout_request(worker=worker, amount_cents=5000, idempotency_key="big")
    usual = payout_request(worker=worker, amount_cents=1500, idempotency_key="usual")

    assert spike.fraud_flags == [
        {"code": "spike", "detail": "$50 is over 3x the usual $11"},
    ]
    assert usual.fraud_flags == []


def test_flags_a_worker_who_owes_the_platform_after_a_reversal(connect):
    worker = connected_worker(connect, available_cents=5000)
    # A fraud reversal the worker's balance could not cover: they owe $7.
    ledger.transaction_post(
        idempotency_key="reverse:approval:1",
        kind=LedgerTransaction.Kind.REVERSAL,
        legs=[Leg(ledger.worker_receivable(worker.pk), -700), Leg(ledger.company_balance(1), 700)],
        reference="assignment:1",
        description="Reversed for fraud",
    )

    line = payout_request(worker=worker, amount_cents=2000, idempotency_key="req-1")

    assert {"code": "owes_platform", "detail": "Owes $7 from reversals"} in line.fraud_flags


# --- review ----------------------------------------------------------------------------------


def test_hold_gives_the_money_back_and_approval_skips_the_held_line(
    connect, approver, django_capture_on_commit_callbacks
):
    held_worker = connected_worker(connect, available_cents=5000)
    paid_worker = connected_worker(connect, available_cents=4000)
    held = payout_request(worker=held_worker, amount_cents=5000, idempotency_key="a")
    sent = payout_request(worker=paid_worker, amount_cents=4000, idempotency_key="b")

    payout_line_hold(line_id=held.pk, reason="Check identity", actor=approver)
    with django_capture_on_commit_callbacks(execute=True):
        batch = payout_batch_approve(batch_id=held.batch_id, actor=approver)

    held.refresh_from_db()
    sent.refresh_from_db()
    batch.refresh_from_db()
    assert (held.status, held.hold_reason) == (Status.HELD, "Check identity")
    assert balances(held_worker)["available"] == 5000
    assert balances(held_worker)["in_transit"] == 0
    assert sent.status == Status.PAID
    assert batch.status == PayoutBatch.Status.DONE
    assert batch.approved_by == approver
    assert len(connect.transfer_posts()) == 1


def test_hold_needs_a_reason_and_changes_nothing_without_one(connect, approver):
    worker = connected_worker(connect, available_cents=5000)
    line = payout_request(worker=worker, amount_cents=5000, idempotency_key="a")

    with pytest.raises(LoopworkError) as refused:
        payout_line_hold(line_id=line.pk, reason="  ", actor=approver)

    assert refused.value.field == "reason"
    line.refresh_from_db()
    assert line.status == Status.PENDING_REVIEW
    assert balances(worker)["in_transit"] == 5000


def test_the_creator_of_a_batch_cannot_approve_it(connect, approver):
    connected_worker(connect, available_cents=5000)
    batch = payout_batch_schedule(created_by=approver)

    with pytest.raises(LoopworkError) as refused:
        payout_batch_approve(batch_id=batch.pk, actor=approver)

    assert refused.value.code == "four_eyes"
    batch.refresh_from_db()
    assert batch.status == PayoutBatch.Status.OPEN
    assert batch.approved_by is None
    assert list(batch.lines.values_list("status", flat=True)) == [Status.PENDING_REVIEW]
    assert connect.transfer_posts() == []


def test_staff_without_the_permission_cannot_approve_or_hold(connect):
    worker = connected_worker(connect, available_cents=5000)
    line = payout_request(worker=worker, amount_cents=5000, idempotency_key="a")
    staff = UserFactory(is_staff=True)

    with pytest.raises(LoopworkError) as approve_refused:
        payout_batch_approve(batch_id=line.batch_id, actor=staff)
    with pytest.raises(LoopworkError) as hold_refused:
        payout_line_hold(line_id=line.pk, reason="no", actor=staff)

    assert approve_refused.value.code == hold_refused.value.code == "permission_denied"
    line.refresh_from_db()
    assert line.status == Status.PENDING_REVIEW
    assert line.batch.status == PayoutBatch.Status.OPEN


# --- the weekly batch ------------------------------------------------------------------------


def test_weekly_batch_includes_everyone_above_the_minimum_with_payouts_enabled(connect):
    rich = connected_worker(connect, available_cents=2500)
    connected_worker(connect, available_cents=999)  # below the $10 minimum
    not_onboarded = WorkerFactory()
    credit_available(not_onboarded, 5000)

    batch = payout_batch_schedule()
    again = payout_batch_schedule()

    assert again.pk == batch.pk
    assert batch.kind == PayoutBatch.Kind.SCHEDULED
    assert list(batch.lines.values_list("worker_id", "amount_cents")) == [(rich.pk, 2500)]
    assert balances(rich) == {"available": 0, "in_transit": 2500, "paid_out": 0}
    assert LedgerTransaction.objects.filter(
        idempotency_key=f"payout:{batch.lines.get().pk}"
    ).exists()


def test_the_database_allows_one_batch_per_schedule_key():
    week = "weekly:2026-W48:USD"
    PayoutBatch.objects.create(kind=PayoutBatch.Kind.SCHEDULED, currency="USD", schedule_key=week)
    # Staff-made batches have no key, and there may be any number of them.
    PayoutBatch.objects.create(kind=PayoutBatch.Kind.SCHEDULED, currency="USD")
    PayoutBatch.objects.create(kind=PayoutBatch.Kind.SCHEDULED, currency="USD")

    with pytest.raises(IntegrityError), transaction.atomic():
        PayoutBatch.objects.create(
            kind=PayoutBatch.Kind.SCHEDULED, currency="USD", schedule_key=week
        )

    assert PayoutBatch.objects.filter(schedule_key=week).count() == 1


def test_each_iso_week_gets_its_own_weekly_batch_and_staff_batches_do_not_count(connect, approver):
    worker = connected_worker(connect, available_cents=2500)
    monday = datetime.datetime(2026, 11, 23, 6, tzinfo=datetime.UTC)
    by_staff = payout_batch_schedule(created_by=approver, now=monday)
    credit_available(worker, 1500)

    first = payout_batch_schedule(now=monday)
    same_week = payout_batch_schedule(now=monday + datetime.timedelta(days=6, hours=17))
    credit_available(worker, 1200)
    next_week = payout_batch_schedule(now=monday + datetime.timedelta(days=7))

    assert by_staff.schedule_key == ""
    assert first.schedule_key == "weekly:2026-W48:USD"
    assert same_week.pk == first.pk
    assert next_week.schedule_key == "weekly:2026-W49:USD"
    assert [list(b.lines.values_list("amount_cents", flat=True)) for b in (first, next_week)] == [
        [1500],
        [1200],
    ]


def _weekly_lines(batch) -> list[tuple[int, int]]:
    return sorted(batch.lines.values_list("worker_id", "amount_cents"))


def test_a_weekly_chunk_costs_the_same_queries_for_three_times_the_workers():
    # given N, then 3N more, newly eligible workers (all within one chunk)
    few_workers = 4
    monday = datetime.datetime(2026, 11, 23, 6, tzinfo=datetime.UTC)
    for _ in range(few_workers):
        connected_worker(available_cents=2500)
    with CaptureQueriesContext(connection) as few:
        first = payout_batch_schedule(now=monday)
    for _ in range(3 * few_workers):
        connected_worker(available_cents=2500)

    # when the next week's batch pays the 3N
    with CaptureQueriesContext(connection) as many:
        second = payout_batch_schedule(now=monday + datetime.timedelta(days=7))

    # then it costs what the N cost
    assert len(many) == len(few)
    assert (first.lines.count(), second.lines.count()) == (few_workers, 3 * few_workers)
    assert ledger.balance_differences() == []


def test_a_batch_larger_than_a_chunk_pays_each_worker_once():
    workers = [connected_worker(available_cents=1000 + 100 * n) for n in range(5)]

    with mock.patch.object(payouts, "SCHEDULE_CHUNK", 2):
        batch = payout_batch_schedule()

    assert _weekly_lines(batch) == [(w.pk, 1000 + 100 * n) for n, w in enumerate(workers)]
    assert all(balances(w)["available"] == 0 for w in workers)
    assert ledger.balance_differences() == []


def test_a_batch_approved_while_being_filled_gets_no_more_lines(approver):
    workers = [connected_worker(available_cents=1000 + 100 * n) for n in range(5)]
    first_chunk = payouts._schedule_chunk

    def approve_after_the_first_chunk(*, batch, chunk, now):
        added = first_chunk(batch=batch, chunk=chunk, now=now)
        if batch.lines.count() == added:
            payout_batch_approve(batch_id=batch.pk, actor=approver)
        return added

    with (
        mock.patch.object(payouts, "SCHEDULE_CHUNK", 2),
        mock.patch.object(payouts, "_schedule_chunk", approve_after_the_first_chunk),
        mock.patch.object(payouts, "_enqueue", lambda ids: None),
    ):
        batch = payout_batch_schedule()

    # The two lines staff approved are on their way; the other three keep their money.
    assert sorted(batch.lines.values_list("worker_id", "status")) == [
        (workers[0].pk, PayoutLine.Status.APPROVED),
        (workers[1].pk, PayoutLine.Status.APPROVED),
    ]
    assert [balances(w)["available"] for w in workers[2:]] == [1200, 1300, 1400]
    assert ledger.balance_differences() == []


def _between_read_and_lock(action):
    """Patch the schedule so `action` runs once after it read the balances and before it
    locks them (flag facts are read in between), as a concurrent transaction would."""
    original = payouts.flag_facts
    done = []

    def flag_facts(worker_ids, *, now):
        if not done:
            done.append(True)
            action()
        return original(worker_ids, now=now)

    return mock.patch.object(payouts, "flag_facts", flag_facts)


def test_a_worker_whose_balance_dropped_after_the_read_is_skipped_and_the_others_paid():
    # given three workers with $25 each
    paid_first, short, paid_last = (connected_worker(available_cents=2500) for _ in range(3))
    now = timezone.now()

    # when the short one's request takes $10 after the batch read the balances
    with _between_read_and_lock(
        lambda: payout_request(worker=short, amount_cents=1000, idempotency_key="meanwhile")
    ):
        batch = payout_batch_schedule(now=now)

    # then the batch pays the other two in full, and the short one only has their request
    assert _weekly_lines(batch) == [(paid_first.pk, 2500), (paid_last.pk, 2500)]
    assert balances(short)["available"] == 1500
    assert balances(short)["in_transit"] == 1000
    assert balances(paid_last)["available"] == 0
    for line in batch.lines.all():
        assert line.requested_by_worker is False
        assert line.status == Status.PENDING_REVIEW
        assert line.expected_at == (now + datetime.timedelta(days=4)).date()
        assert [flag["code"] for flag in line.fraud_flags] == ["new_account"]
        posted = LedgerTransaction.objects.get(idempotency_key=f"payout:{line.pk}")
        assert (posted.kind, posted.reference, posted.description, posted.link) == (
            LedgerTransaction.Kind.PAYOUT,
            f"payout_line:{line.pk}",
            "Weekly payout",
            f"/work/payouts/#payout-{line.pk}",
        )
    assert ledger.balance_differences() == []


def test_a_worker_whose_payouts_were_disabled_after_the_read_is_skipped():
    paid, disabled = (connected_worker(available_cents=2500) for _ in range(2))

    with _between_read_and_lock(
        lambda: PayoutAccount.objects.filter(worker=disabled).update(payouts_enabled=False)
    ):
        batch = payout_batch_schedule()

    assert _weekly_lines(batch) == [(paid.pk, 2500)]
    assert balances(disabled) == {"available": 2500, "in_transit": 0, "paid_out": 0}


# --- sending and faults ----------------------------------------------------------------------


def _approved_line(server, approver, cents=3000, *, enqueue=False):
    worker = connected_worker(server, available_cents=cents)
    line = payout_request(worker=worker, amount_cents=cents, idempotency_key="req")
    with mock.patch.object(payouts, "_enqueue", lambda ids: None):
        payout_batch_approve(batch_id=line.batch_id, actor=approver)
    line.refresh_from_db()
    return worker, line


def test_approved_line_is_paid_with_one_transfer_under_the_line_key(connect, approver):
    worker, line = _approved_line(connect, approver)

    status = payout_line_send(line_id=line.pk)

    line.refresh_from_db()
    assert status == Status.PAID
    assert line.status == Status.PAID
    [post] = connect.transfer_posts()
    assert post.idempotency_key == f"loopwork-payout-line-{line.pk}"
    assert post.params["metadata"] == {"loopwork_payout_line": str(line.pk)}
    assert line.stripe_transfer_id in connect.state.transfers
    assert balances(worker) == {"available": 0, "in_transit": 0, "paid_out": 3000}
    assert LedgerTransaction.objects.filter(idempotency_key=f"payout_paid:{line.pk}").count() == 1
    assert line.batch.status == PayoutBatch.Status.DONE


def test_sending_a_paid_line_again_does_nothing(connect, approver):
    worker, line = _approved_line(connect, approver)
    payout_line_send(line_id=line.pk)

    assert payout_line_send(line_id=line.pk) == Status.PAID

    assert len(connect.transfer_posts(executed_only=False)) == 1
    assert balances(worker)["paid_out"] == 3000


def test_stripe_500s_then_success_retries_and_pays_once(connect, approver):
    # given Stripe fails more often than stripe-python's own two retries
    worker, line = _approved_line(connect, approver)
    connect.faults.fail_next = 4

    # when the task runs (eager: its retries run at once)
    from payouts.tasks import send_payout_line

    send_payout_line.delay(line.pk)

    line.refresh_from_db()
    assert line.status == Status.PAID
    assert len(connect.transfer_posts()) == 1
    assert line.attempts == 2
    assert balances(worker) == {"available": 0, "in_transit": 0, "paid_out": 3000}


def test_timeout_after_success_finds_the_transfer_and_records_it_once(connect, approver):
    # given Stripe makes the transfer but the answer never arrives in time, on every try
    worker, line = _approved_line(connect, approver)
    connect.faults.timeout_after_success = 1
    connect.faults.stall_seconds = 2

    status = payout_line_send(line_id=line.pk)

    # then stripe-python's retry with the same key got Stripe's stored answer
    line.refresh_from_db()
    assert status == Status.PAID
    assert len(connect.transfer_posts()) == 1
    replays = [r for r in connect.requests if r.replayed]
    assert len(replays) == 1
    assert balances(worker) == {"available": 0, "in_transit": 0, "paid_out": 3000}


def test_connection_resets_leave_the_line_sending_then_a_retry_pays_once(connect, approver):
    worker, line = _approved_line(connect, approver)
    connect.faults.reset_next = 3  # the call and stripe-python's two retries

    with pytest.raises(payouts.PayoutSendRetry):
        payout_line_send(line_id=line.pk)
    line.refresh_from_db()
    assert line.status == Status.SENDING
    assert line.last_error.startswith("stripe_unavailable")
    assert balances(worker)["in_transit"] == 3000

    assert payout_line_send(line_id=line.pk) == Status.PAID
    assert len(connect.transfer_posts()) == 1
    assert balances(worker) == {"available": 0, "in_transit": 0, "paid_out": 3000}


@pytest.mark.parametrize("key_expired", [False, True])
def test_worker_killed_after_stripe_success_records_the_transfer_once(
    connect, approver, key_expired
):
    # given a send that dies after Stripe made the transfer, before we recorded it
    worker, line = _approved_line(connect, approver)
    with (
        mock.patch.object(payouts, "_record_sent", side_effect=SystemExit("killed")),
        pytest.raises(SystemExit),
    ):
        payout_line_send(line_id=line.pk)
    line.refresh_from_db()
    assert line.status == Status.SENDING
    assert len(connect.transfer_posts()) == 1
    if key_expired:
        connect.state.idempotency.clear()  # more than 24 hours later: Stripe forgot the key

    # when it runs again
    status = payout_line_send(line_id=line.pk)

    # then it finds Stripe's transfer by our line id and records it once
    line.refresh_from_db()
    assert status == Status.PAID
    assert len(connect.transfer_posts()) == 1
    assert line.stripe_transfer_id in connect.state.transfers
    assert balances(worker) == {"available": 0, "in_transit": 0, "paid_out": 3000}
    assert LedgerTransaction.objects.filter(reference=f"payout_line:{line.pk}").count() == 2


def test_broker_flushed_mid_run_the_sweeper_resends_and_nothing_doubles(connect, approver):
    # given a batch of three approved lines whose queued tasks were lost (Redis flushed),
    # one of them after Stripe had already paid it
    workers = [connected_worker(connect, available_cents=2000 + i) for i in range(3)]
    lines = [
        payout_request(worker=w, amount_cents=2000 + i, idempotency_key="r")
        for i, w in enumerate(workers)
    ]
    with mock.patch.object(payouts, "_enqueue", lambda ids: None):
        payout_batch_approve(batch_id=lines[0].batch_id, actor=approver)
    with (
        mock.patch.object(payouts, "_record_sent", side_effect=SystemExit("killed")),
        pytest.raises(SystemExit),
    ):
        payout_line_send(line_id=lines[0].pk)

    # when the sweeper runs before the timeout, then after it
    early = payout_lines_sweep()
    later = payout_lines_sweep(now=timezone.now() + datetime.timedelta(minutes=16))

    # then every line is paid once
    assert early == 0
    assert later == 3
    assert sorted(PayoutLine.objects.values_list("status", flat=True)) == [Status.PAID] * 3
    assert len(connect.transfer_posts()) == 3
    for worker in workers:
        assert balances(worker)["in_transit"] == 0
    assert balances(workers[0])["paid_out"] == 2000 + 2001 + 2002
    assert PayoutBatch.objects.get().status == PayoutBatch.Status.DONE


def test_a_refusal_fails_the_line_and_gives_the_money_back(connect, approver):
    worker, line = _approved_line(connect, approver)
    connect.set_balance(100)  # the platform's Stripe balance is short

    status = payout_line_send(line_id=line.pk)

    line.refresh_from_db()
    assert status == Status.FAILED
    assert line.last_error.startswith("You have insufficient available funds")
    assert balances(worker) == {"available": 3000, "in_transit": 0, "paid_out": 0}
    assert LedgerTransaction.objects.filter(idempotency_key=f"payout_returned:{line.pk}").exists()
    assert line.batch.status == PayoutBatch.Status.DONE
    assert payout_line_send(line_id=line.pk) == Status.FAILED
    assert balances(worker)["available"] == 3000


def test_a_stored_500_is_given_up_after_the_attempts_with_no_transfer(connect, approver):
    # given Stripe stored a 500 under the line's key (it replays it to every retry)
    worker, line = _approved_line(connect, approver)
    connect.faults.fail_next = 1
    connect.faults.fail_stored = True

    with mock.patch.object(payouts, "MAX_SEND_ATTEMPTS", 2):
        for _ in range(2):
            with pytest.raises(payouts.PayoutSendRetry):
                payout_line_send(line_id=line.pk)
        status = payout_line_send(line_id=line.pk)

    line.refresh_from_db()
    assert status == Status.FAILED
    assert connect.transfer_posts() == []
    assert balances(worker) == {"available": 3000, "in_transit": 0, "paid_out": 0}


# --- webhooks --------------------------------------------------------------------------------


def test_transfer_reversed_returns_the_money_once_even_if_delivered_twice(connect, approver):
    worker, line = _approved_line(connect, approver)
    payout_line_send(line_id=line.pk)
    line.refresh_from_db()
    _deliver_to_handlers(connect)
    connect.reverse_transfer(line.stripe_transfer_id)
    connect.faults.duplicate_events = 3

    deliveries = connect.deliver_events()

    line.refresh_from_db()
    assert [d.type for d in deliveries] == ["transfer.created"] * 2 + ["transfer.reversed"] * 2
    assert line.status == Status.REVERSED
    assert balances(worker) == {"available": 3000, "in_transit": 0, "paid_out": 0}
    assert (
        LedgerTransaction.objects.filter(
            reference=f"payout_line:{line.pk}", kind=LedgerTransaction.Kind.PAYOUT_RETURNED
        ).count()
        == 1
    )


def test_reordered_events_record_a_dead_send_and_its_reversal_once(connect, approver):
    # given a send that died after Stripe's success, then a reversal, events arriving reversed
    worker, line = _approved_line(connect, approver)
    with (
        mock.patch.object(payouts, "_record_sent", side_effect=SystemExit("killed")),
        pytest.raises(SystemExit),
    ):
        payout_line_send(line_id=line.pk)
    transfer_id = next(iter(connect.state.transfers))
    connect.reverse_transfer(transfer_id, amount=1000)
    _deliver_to_handlers(connect)

    connect.deliver_events(order="reversed")

    # then the line is paid, then 10 of its 30 dollars come back, once
    line.refresh_from_db()
    assert line.status == Status.PAID
    assert line.stripe_transfer_id == transfer_id
    assert line.last_error == "$10 reversed by Stripe."
    assert balances(worker) == {"available": 1000, "in_transit": 0, "paid_out": 2000}

    connect.reverse_transfer(transfer_id)
    connect.deliver_events(order="reversed")
    line.refresh_from_db()
    assert line.status == Status.REVERSED
    assert balances(worker) == {"available": 3000, "in_transit": 0, "paid_out": 0}


def test_dropped_transfer_event_is_covered_by_the_task(connect, approver):
    _worker, line = _approved_line(connect, approver)
    _deliver_to_handlers(connect)
    connect.faults.drop_events = 1

    payout_line_send(line_id=line.pk)
    deliveries = connect.deliver_events()

    assert [d.error for d in deliveries] == ["dropped"]
    line.refresh_from_db()
    assert line.status == Status.PAID


def test_transfer_event_that_does_not_match_its_line_changes_nothing(connect, approver):
    worker, line = _approved_line(connect, approver)
    event = {
        "id": "evt_forged",
        "type": "transfer.created",
        "created": 1,
        "data": {
            "object": {
                "id": "tr_other",
                "object": "transfer",
                "amount": 999999,
                "currency": "usd",
                "destination": line.payout_account.stripe_account_id,
                "created": 1,
                "metadata": {"loopwork_payout_line": str(line.pk)},
            }
        },
    }

    with pytest.raises(EventMismatch):
        payouts.handle_transfer_event(event)

    line.refresh_from_db()
    assert line.status == Status.APPROVED
    assert balances(worker)["in_transit"] == 3000


@override_settings(STRIPE_SECRET_KEY="")
def test_offline_test_mode_pays_through_the_same_path(approver, django_capture_on_commit_callbacks):
    # given no Stripe key: the offline gateway, whose onboarding completes at once
    worker = WorkerFactory()
    from payouts.payout_accounts import payout_account_ensure

    account = payout_account_ensure(worker=worker)
    credit_available(worker, 2000)
    line = payout_request(worker=worker, amount_cents=2000, idempotency_key="r")

    with django_capture_on_commit_callbacks(execute=True):
        payout_batch_approve(batch_id=line.batch_id, actor=approver)

    line.refresh_from_db()
    assert account.payouts_enabled is True
    assert account.stripe_account_id.startswith("acct_test_")
    assert line.status == Status.PAID
    assert line.stripe_transfer_id.startswith("tr_test_")
    assert balances(worker) == {"available": 0, "in_transit": 0, "paid_out": 2000}


# --- what the worker is told -----------------------------------------------------------------


def test_a_held_payout_tells_the_worker_why_and_that_the_money_is_available_again(
    connect, approver, django_capture_on_commit_callbacks
):
    worker = connected_worker(connect, available_cents=5000)
    line = payout_request(worker=worker, amount_cents=5000, idempotency_key="a")

    with django_capture_on_commit_callbacks(execute=True):
        payout_line_hold(line_id=line.pk, reason="Check identity", actor=approver)

    notice = Notification.objects.get(user=worker)
    assert (notice.kind, notice.title, notice.link) == (
        "payout_held",
        "Your payout of $50 is on hold",
        f"/work/payouts/#payout-{line.pk}",
    )
    assert notice.body == (
        "Loopwork staff held this payout while reviewing it. Reason: Check identity\n\n"
        "Nothing was sent. The $50 went back to your available earnings, so it can be paid "
        "out with your next payout or a request of your own."
    )
    assert [message.subject for message in mail.outbox] == [
        "[Loopwork] Your payout of $50 is on hold"
    ]
    with pytest.raises(LoopworkError):
        payout_line_hold(line_id=line.pk, reason="Again", actor=approver)
    assert Notification.objects.count() == 1


def test_a_paid_payout_tells_the_worker_once_however_often_it_is_recorded(connect, approver):
    worker, line = _approved_line(connect, approver)
    _deliver_to_handlers(connect)
    connect.faults.duplicate_events = 3

    payout_line_send(line_id=line.pk)
    connect.deliver_events()
    assert payout_line_send(line_id=line.pk) == Status.PAID

    line.refresh_from_db()
    notice = Notification.objects.get(user=worker)
    assert (notice.kind, notice.title, notice.link) == (
        "payout_paid",
        "Your payout of $30 is on its way",
        f"/work/payouts/#payout-{line.pk}",
    )
    expected = date_format(line.expected_at, "j F Y")
    assert line.expected_at == (line.paid_at + datetime.timedelta(days=2)).date()
    assert notice.body == (
        "We sent $30 to your Stripe account. Stripe pays it into your bank account; expect it "
        f"by {expected} (banks can take a day or two longer)."
    )


def test_a_failed_send_tells_nothing_about_a_payout(connect, approver):
    worker, line = _approved_line(connect, approver)
    connect.set_balance(100)  # the platform's Stripe balance is short

    payout_line_send(line_id=line.pk)

    line.refresh_from_db()
    assert line.status == Status.FAILED
    assert not Notification.objects.filter(user=worker, kind="payout_paid").exists()
