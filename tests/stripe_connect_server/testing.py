"""Helpers the payout tests share: a running server wired in as the gateway, funded workers
with connected accounts, and the ledger sums the tests assert on."""

import contextlib

from payouts import ledger
from payouts.ledger import Leg
from payouts.models import LedgerAccount, LedgerTransaction, PayoutAccount
from payouts.payout_accounts import payout_account_ensure
from payouts.stripe_gateway import StripeGateway, use_gateway
from tests.factories import WorkerFactory

from .server import ConnectServer

_credit_counter = iter(range(1, 10**9))


@contextlib.contextmanager
def connect_gateway(**server_options):
    """A running ConnectServer and a StripeGateway pointed at it, installed as the gateway.

    The timeout is short so "timeout after success" faults stay quick.
    """
    with ConnectServer(**server_options) as server:
        gateway = StripeGateway(
            secret_key="sk_test_loopwork", api_base=server.url, timeout_seconds=1
        )
        with use_gateway(gateway):
            yield server, gateway


def credit_available(worker, cents: int) -> None:
    """Available earnings for `worker`, as if earlier approvals had cleared their hold."""
    ledger.transaction_post(
        idempotency_key=f"test-credit:{worker.pk}:{next(_credit_counter)}",
        kind=LedgerTransaction.Kind.HOLD_RELEASE,
        legs=[
            Leg(ledger.platform(LedgerAccount.Kind.PLATFORM_STRIPE_CLEARING), -cents),
            Leg(ledger.worker_available(worker.pk), cents),
        ],
        reference="test",
        description="Test earnings",
    )


def connected_worker(server: ConnectServer | None = None, *, available_cents: int = 0, **fields):
    """A worker whose payout account Stripe lets us pay (onboarding completed on `server`)."""
    worker = WorkerFactory(**fields)
    account = payout_account_ensure(worker=worker)
    if server is not None:
        server.complete_onboarding(account.stripe_account_id)
        server.take_events()
    PayoutAccount.objects.filter(pk=account.pk).update(details_submitted=True, payouts_enabled=True)
    if available_cents:
        credit_available(worker, available_cents)
    return worker


def balances(worker) -> dict[str, int]:
    """The worker's available / in transit balances and the platform's paid-out total."""
    return {
        "available": ledger.balance_of(ledger.worker_available(worker.pk)),
        "in_transit": ledger.balance_of(ledger.worker_in_transit(worker.pk)),
        "paid_out": ledger.balance_of(ledger.platform(LedgerAccount.Kind.PLATFORM_PAYOUTS)),
    }
