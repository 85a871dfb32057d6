"""Reconciliation: does our money agree with itself and with Stripe? It reports, never fixes.

Two checks, each difference one row of the report:

- every ledger account's cached balance against the sum of its entries
  (`ledger.balance_differences`), plus any transaction whose entries do not sum to zero;
- our payout lines against Stripe's transfers since the oldest line still worth checking:
  a transfer Stripe has that no paid line records ("extra"), a paid line whose transfer Stripe
  does not list ("missing"), and one whose amount, currency, destination or reversal differs
  ("amount_mismatch", "reversal_mismatch").

In offline test mode there is no Stripe to compare with: no transfers are checked (the admin
page says so).
"""

import datetime
import logging
from collections.abc import Callable

from django.utils import timezone

from . import ledger
from .models import LedgerAccount, PayoutLine, ReconciliationReport
from .payouts import METADATA_KEY
from .stripe_gateway import get_gateway

logger = logging.getLogger(__name__)

# Lines paid (and transfers made) longer ago were compared by earlier daily runs.
TRANSFER_WINDOW = datetime.timedelta(days=90)

Status = PayoutLine.Status


def _balance_rows() -> tuple[int, list[dict]]:
    rows = [
        {
            "kind": "balance_mismatch",
            "account_id": diff.account_id,
            "account": f"{diff.kind}:{diff.owner_id} {diff.currency}",
            "cached_cents": diff.cached_cents,
            "entries_cents": diff.entries_cents,
        }
        for diff in ledger.balance_differences()
    ]
    rows += [
        {"kind": "unbalanced_transaction", "transaction_id": transaction_id}
        for transaction_id in ledger.unbalanced_transactions()
    ]
    return LedgerAccount.objects.count(), rows


def _transfer_rows(*, now, progress: Callable[[int], None]) -> tuple[int, list[dict]]:
    gateway = get_gateway()
    if gateway.offline:
        return 0, []
    since = now - TRANSFER_WINDOW
    ours = {
        line.stripe_transfer_id: line
        for line in PayoutLine.objects.filter(stripe_transfer_id__isnull=False, paid_at__gte=since)
        .select_related("payout_account")
        .iterator()
    }
    rows = []
    seen = set()
    checked = 0
    # Stripe stamps a transfer a little before we record it: list from a day earlier.
    listed_since = int((since - datetime.timedelta(days=1)).timestamp())
    for transfer in gateway.transfers_list(created_gte=listed_since):
        checked += 1
        progress(1)
        seen.add(transfer.id)
        line = ours.get(transfer.id)
        if line is None:
            known = PayoutLine.objects.filter(stripe_transfer_id=transfer.id).first()
            if known is not None:
                continue  # recorded before the window: checked in earlier runs
            named = transfer.metadata.get(METADATA_KEY, "")
            named_line = (
                PayoutLine.objects.filter(pk=int(named)).first() if named.isdigit() else None
            )
            rows.append(
                {
                    "kind": "extra",
                    "transfer": transfer.id,
                    "amount_cents": transfer.amount_cents,
                    "currency": transfer.currency,
                    "destination": transfer.destination,
                    "payout_line": named_line.pk if named_line else None,
                    "line_status": named_line.status if named_line else None,
                }
            )
            continue
        if (
            transfer.amount_cents != line.amount_cents
            or transfer.currency != line.currency
            or transfer.destination != line.payout_account.stripe_account_id
        ):
            rows.append(
                {
                    "kind": "amount_mismatch",
                    "transfer": transfer.id,
                    "payout_line": line.pk,
                    "ours_cents": line.amount_cents,
                    "stripe_cents": transfer.amount_cents,
                }
            )
        stripe_reversed = transfer.amount_reversed_cents >= transfer.amount_cents
        if stripe_reversed != (line.status == Status.REVERSED):
            rows.append(
                {
                    "kind": "reversal_mismatch",
                    "transfer": transfer.id,
                    "payout_line": line.pk,
                    "ours": line.status,
                    "stripe_reversed_cents": transfer.amount_reversed_cents,
                }
            )
    for transfer_id, line in ours.items():
        if transfer_id not in seen:
            rows.append(
                {
                    "kind": "missing",
                    "transfer": transfer_id,
                    "payout_line": line.pk,
                    "amount_cents": line.amount_cents,
                }
            )
    return checked, rows


def reconciliation_run(*, progress: Callable[[int], None] | None = None) -> ReconciliationReport:
    """Run both checks and store a ReconciliationReport with every difference found.

    Changes nothing else: a difference is for people to look at. `progress` is called with
    the number of transfers checked as they stream in (the command shows a bar).
    """
    progress = progress or (lambda _count: None)
    report = ReconciliationReport.objects.create(started_at=timezone.now())
    accounts, differences = _balance_rows()
    transfers, transfer_differences = _transfer_rows(now=report.started_at, progress=progress)
    differences += transfer_differences
    report.accounts_checked = accounts
    report.transfers_checked = transfers
    report.differences = differences
    report.finished_at = timezone.now()
    report.save(
        update_fields=["accounts_checked", "transfers_checked", "differences", "finished_at"]
    )
    logger.info(
        "reconciliation finished",
        extra={"report": report.pk, "differences": len(differences), "transfers": transfers},
    )
    return report
