"""Reconciliation: every difference between balances and entries, and between our payouts and
Stripe's transfers, is reported; nothing is fixed."""

import io
import json
from unittest import mock

import pytest
from django.core.management import call_command
from django.test import override_settings

from payouts import ledger, payouts
from payouts.models import LedgerAccount, ReconciliationReport
from payouts.payouts import payout_batch_approve, payout_line_send, payout_request
from payouts.reconcile import reconciliation_run
from tests.factories import UserFactory
from tests.stripe_connect_server.testing import connect_gateway, connected_worker

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid_lines():
    """Two paid payout lines on a running Connect server."""
    approver = UserFactory(is_staff=True, is_superuser=True)
    with connect_gateway() as (server, _gateway):
        lines = []
        for cents in (1500, 2500):
            worker = connected_worker(server, available_cents=cents)
            lines.append(payout_request(worker=worker, amount_cents=cents, idempotency_key="k"))
        with mock.patch.object(payouts, "_enqueue", lambda ids: None):
            payout_batch_approve(batch_id=lines[0].batch_id, actor=approver)
        for line in lines:
            payout_line_send(line_id=line.pk)
            line.refresh_from_db()
        yield server, lines


def test_a_clean_run_reports_no_differences(paid_lines):
    report = reconciliation_run()

    assert report.differences == []
    assert report.clean is True
    assert report.transfers_checked == 2
    assert report.accounts_checked == LedgerAccount.objects.count()


def test_extra_missing_and_mismatched_transfers_are_each_reported(paid_lines):
    server, lines = paid_lines
    gone, changed = lines
    # Stripe has a transfer we never recorded, lost one we did, and another differs
    account = server.state.accounts[gone.payout_account.stripe_account_id]
    stray = server._transfer_create(
        {"amount": "700", "currency": "usd", "destination": account["id"]}, "req_x", None
    )
    del server.state.transfers[gone.stripe_transfer_id]
    server.state.transfers[changed.stripe_transfer_id][1]["amount"] = 2600

    report = reconciliation_run()

    assert sorted(report.differences, key=lambda row: row["kind"]) == [
        {
            "kind": "amount_mismatch",
            "transfer": changed.stripe_transfer_id,
            "payout_line": changed.pk,
            "ours_cents": 2500,
            "stripe_cents": 2600,
        },
        {
            "kind": "extra",
            "transfer": stray["id"],
            "amount_cents": 700,
            "currency": "USD",
            "destination": account["id"],
            "payout_line": None,
            "line_status": None,
        },
        {
            "kind": "missing",
            "transfer": gone.stripe_transfer_id,
            "payout_line": gone.pk,
            "amount_cents": 1500,
        },
    ]
    assert report.clean is False


def test_a_reversal_we_did_not_record_is_reported(paid_lines):
    server, lines = paid_lines
    server.reverse_transfer(lines[0].stripe_transfer_id)  # its webhook never arrived

    report = reconciliation_run()

    assert report.differences == [
        {
            "kind": "reversal_mismatch",
            "transfer": lines[0].stripe_transfer_id,
            "payout_line": lines[0].pk,
            "ours": "paid",
            "stripe_reversed_cents": 1500,
        }
    ]


def test_a_cached_balance_that_drifted_is_reported_not_fixed(paid_lines):
    _server, lines = paid_lines
    available = ledger.account_for(ledger.worker_available(lines[0].worker_id))
    LedgerAccount.objects.filter(pk=available.pk).update(balance_cents=123)

    report = reconciliation_run()

    assert report.differences == [
        {
            "kind": "balance_mismatch",
            "account_id": available.pk,
            "account": f"worker_available:{lines[0].worker_id} USD",
            "cached_cents": 123,
            "entries_cents": 0,
        }
    ]
    assert LedgerAccount.objects.get(pk=available.pk).balance_cents == 123


def test_the_command_prints_each_difference_and_stores_the_report(paid_lines):
    server, lines = paid_lines
    del server.state.transfers[lines[1].stripe_transfer_id]
    out = io.StringIO()

    call_command("reconcile", stdout=out)

    printed = out.getvalue().splitlines()
    report = ReconciliationReport.objects.get()
    assert printed[0] == (
        f"Report {report.pk}: {report.accounts_checked} accounts and 1 Stripe transfers "
        "checked, 1 differences."
    )
    assert json.loads(printed[1])["kind"] == "missing"
    with pytest.raises(SystemExit):
        call_command("reconcile", "--fail-on-difference", stdout=io.StringIO())


@override_settings(STRIPE_SECRET_KEY="")
def test_offline_test_mode_checks_the_ledger_only():
    report = reconciliation_run()

    assert (report.transfers_checked, report.differences) == (0, [])
