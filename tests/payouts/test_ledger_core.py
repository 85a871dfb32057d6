import pytest
from django.db import DatabaseError, transaction

from core.errors import LoopworkError
from payouts import ledger
from payouts.ledger import Leg
from payouts.models import LedgerAccount, LedgerEntry, LedgerTransaction

pytestmark = pytest.mark.django_db

CLEARING = ledger.platform(LedgerAccount.Kind.PLATFORM_STRIPE_CLEARING)


def _fund(company_id: int, cents: int, key: str = "top_up:1") -> LedgerTransaction:
    return ledger.transaction_post(
        idempotency_key=key,
        kind=LedgerTransaction.Kind.TOP_UP,
        legs=[Leg(CLEARING, -cents), Leg(ledger.company_balance(company_id), cents)],
        reference=key,
        description="Card top-up",
    )


def test_posting_writes_balanced_entries_and_caches_balances():
    posted = _fund(7, 5000)

    assert sorted(posted.entries.values_list("amount_cents", flat=True)) == [-5000, 5000]
    assert ledger.balance_of(ledger.company_balance(7)) == 5000
    assert ledger.balance_of(CLEARING) == -5000
    assert ledger.balance_differences() == []
    assert ledger.unbalanced_transactions() == []


def test_same_idempotency_key_moves_money_once():
    first = _fund(7, 5000)
    again = _fund(7, 5000)

    assert again.pk == first.pk
    assert LedgerEntry.objects.count() == 2
    assert ledger.balance_of(ledger.company_balance(7)) == 5000


def test_unbalanced_or_fractional_legs_are_refused():
    with pytest.raises(ValueError):
        ledger.transaction_post(
            idempotency_key="bad",
            kind=LedgerTransaction.Kind.TOP_UP,
            legs=[Leg(CLEARING, -100), Leg(ledger.company_balance(1), 99)],
            reference="x",
            description="x",
        )
    with pytest.raises(TypeError):
        ledger.transaction_post(
            idempotency_key="float",
            kind=LedgerTransaction.Kind.TOP_UP,
            legs=[Leg(CLEARING, -1.5), Leg(ledger.company_balance(1), 1.5)],
            reference="x",
            description="x",
        )
    assert not LedgerTransaction.objects.exists()


def test_protected_account_never_goes_negative_and_nothing_is_written():
    _fund(7, 1000)

    with pytest.raises(LoopworkError) as refused:
        ledger.transaction_post(
            idempotency_key="reserve:1",
            kind=LedgerTransaction.Kind.ESCROW_RESERVE,
            legs=[Leg(ledger.company_balance(7), -1001), Leg(ledger.project_escrow(3), 1001)],
            reference="project:3",
            description="Budget reserved",
        )

    assert refused.value.code == "insufficient_balance"
    assert ledger.balance_of(ledger.company_balance(7)) == 1000
    assert LedgerTransaction.objects.count() == 1


def test_reversal_is_a_new_transaction_with_opposite_entries():
    original = _fund(7, 1000)

    reversal = ledger.transaction_reverse(
        original=original, idempotency_key="reverse:top_up:1", description="Payment refunded"
    )

    assert reversal.reverses == original
    assert ledger.balance_of(ledger.company_balance(7)) == 0
    assert LedgerEntry.objects.count() == 4


def test_database_refuses_updates_and_deletes_of_ledger_rows():
    posted = _fund(7, 1000)

    for attempt in (
        lambda: LedgerEntry.objects.filter(transaction=posted).update(amount_cents=1),
        lambda: LedgerEntry.objects.filter(transaction=posted).delete(),
        lambda: LedgerTransaction.objects.filter(pk=posted.pk).update(description="changed"),
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            attempt()
    assert LedgerEntry.objects.filter(transaction=posted).count() == 2
