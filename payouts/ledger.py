"""The double-entry ledger: the only writer of ledger accounts, transactions and entries.

Every movement of money is `transaction_post`: balanced entries in integer minor units,
written with the cached balances of their accounts in one database transaction, under a
unique idempotency key (posting the same key again returns the first transaction and moves
nothing). Accounts are locked in id order, so two postings never deadlock on each other, and
an account that must not go negative is checked under that lock, with a check constraint
behind it.
"""

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import BigIntegerField, Case, F, Q, Sum, Value, When
from django.db.models.functions import Now

from core.errors import LoopworkError
from core.money import format_money, platform_currency

from .models import PLATFORM, LedgerAccount, LedgerEntry, LedgerTransaction

logger = logging.getLogger(__name__)

Kind = LedgerAccount.Kind


@dataclass(frozen=True)
class AccountRef:
    """Names an account without a database round trip: its kind, owner id and currency."""

    kind: str
    owner_id: int = PLATFORM
    currency: str = ""

    def resolved_currency(self) -> str:
        return self.currency or platform_currency()


def company_balance(company_id: int, currency: str = "") -> AccountRef:
    return AccountRef(Kind.COMPANY_BALANCE, company_id, currency)


def project_escrow(project_id: int, currency: str = "") -> AccountRef:
    return AccountRef(Kind.PROJECT_ESCROW, project_id, currency)


def worker_pending(worker_id: int, currency: str = "") -> AccountRef:
    return AccountRef(Kind.WORKER_PENDING, worker_id, currency)


def worker_available(worker_id: int, currency: str = "") -> AccountRef:
    return AccountRef(Kind.WORKER_AVAILABLE, worker_id, currency)


def worker_in_transit(worker_id: int, currency: str = "") -> AccountRef:
    return AccountRef(Kind.WORKER_IN_TRANSIT, worker_id, currency)


def worker_receivable(worker_id: int, currency: str = "") -> AccountRef:
    return AccountRef(Kind.PLATFORM_RECEIVABLE, worker_id, currency)


def test_escrow(test_id: int, currency: str = "") -> AccountRef:
    return AccountRef(Kind.TEST_ESCROW, test_id, currency)


def platform(kind: str, currency: str = "") -> AccountRef:
    return AccountRef(kind, PLATFORM, currency)


@dataclass(frozen=True)
class Leg:
    """One side of a posting: an amount (positive credits the account's balance) on an account."""

    account: AccountRef
    amount_cents: int


def insufficient_funds(account: LedgerAccount, needed: int) -> LoopworkError:
    labels = {
        Kind.COMPANY_BALANCE: (
            "Your company balance is too low for this",
            "insufficient_balance",
        ),
        Kind.PROJECT_ESCROW: ("The project's reserved budget is used up", "insufficient_escrow"),
        Kind.WORKER_AVAILABLE: ("Not enough available earnings", "insufficient_available"),
    }
    label, code = labels.get(account.kind, ("Not enough funds", "insufficient_funds"))
    return LoopworkError(
        f"{label}: {format_money(account.balance_cents, account.currency)} there, "
        f"{format_money(needed, account.currency)} needed.",
        code=code,
        status=409,
    )


def account_for(ref: AccountRef) -> LedgerAccount:
    """The account `ref` names, created on first use (safe when two create it at once)."""
    account, _ = LedgerAccount.objects.get_or_create(
        kind=ref.kind, owner_id=ref.owner_id, currency=ref.resolved_currency()
    )
    return account


def _named(refs: list[AccountRef]) -> Q:
    condition = Q(pk__in=[])
    for ref in refs:
        condition |= Q(kind=ref.kind, owner_id=ref.owner_id, currency=ref.resolved_currency())
    return condition


def accounts_lock(refs: Iterable[AccountRef]) -> dict[AccountRef, LedgerAccount]:
    """Lock the accounts `refs` name (creating missing ones) in id order; one query when all exist.

    Must run inside a transaction. Every writer locks its accounts through here (or through
    transaction_post, which does), all at once and in id order, so postings never deadlock
    on each other; a caller may lock first, read balances, then post on the same accounts.
    """
    wanted = list(
        dict.fromkeys(AccountRef(r.kind, r.owner_id, r.resolved_currency()) for r in refs)
    )
    rows = list(LedgerAccount.objects.select_for_update().filter(_named(wanted)).order_by("pk"))
    if len(rows) < len(wanted):
        for ref in wanted:
            account_for(ref)
        rows = list(LedgerAccount.objects.select_for_update().filter(_named(wanted)).order_by("pk"))
    by_name = {(row.kind, row.owner_id, row.currency): row for row in rows}
    return {ref: by_name[(ref.kind, ref.owner_id, ref.currency)] for ref in wanted}


def balance_of(ref: AccountRef) -> int:
    """The cached balance of the account `ref` names; 0 for an account never used."""
    value = (
        LedgerAccount.objects.filter(
            kind=ref.kind, owner_id=ref.owner_id, currency=ref.resolved_currency()
        )
        .values_list("balance_cents", flat=True)
        .first()
    )
    return value or 0


def transaction_post(
    *,
    idempotency_key: str,
    kind: str,
    legs: Iterable[Leg],
    reference: str,
    description: str,
    link: str = "",
    currency: str = "",
    source_key: str = "",
    source_label: str = "",
    work_seconds: int | None = None,
    available_at=None,
    reverses: LedgerTransaction | None = None,
    created_by=None,
    locked: dict[AccountRef, LedgerAccount] | None = None,
) -> LedgerTransaction:
    """Post one balanced transaction; idempotent on `idempotency_key`.

    Legs on the same account are netted; the amounts must sum to zero and be whole minor
    units. Refuses (LoopworkError, 409, nothing written) when an account that must not go
    negative would. Runs in the caller's database transaction when there is one, so the
    movement commits or rolls back with the state change that caused it.

    `locked`: for hot paths (approvals), the accounts the caller has already locked with
    `accounts_lock` in this transaction, having checked under those locks that the key is
    not posted yet. The posting then reuses them (their balances are kept current) and
    skips its own key check, locking and savepoint: fewer round trips, same guarantees.
    """
    currency = currency or platform_currency()
    if not idempotency_key:
        raise ValueError("a ledger transaction needs an idempotency key")
    netted: dict[AccountRef, int] = defaultdict(int)
    for leg in legs:
        if not isinstance(leg.amount_cents, int) or isinstance(leg.amount_cents, bool):
            raise TypeError(f"amounts are integer minor units, got {leg.amount_cents!r}")
        ref = AccountRef(leg.account.kind, leg.account.owner_id, currency)
        if leg.account.currency and leg.account.currency != currency:
            raise ValueError("all legs of a transaction share its currency")
        netted[ref] += leg.amount_cents
    netted = {ref: amount for ref, amount in netted.items() if amount}
    if sum(netted.values()) != 0:
        raise ValueError(f"unbalanced transaction {idempotency_key}: {dict(netted)}")
    if not netted:
        raise ValueError(f"empty transaction {idempotency_key}")

    if locked is not None:
        locked = {ref: locked[ref] for ref in netted}
        # Refused before anything is written, so the caller's transaction stays usable.
        _check(locked, netted, idempotency_key)
        with transaction.atomic(savepoint=False):
            return _write(
                locked,
                netted,
                idempotency_key=idempotency_key,
                kind=kind,
                currency=currency,
                reference=reference,
                description=description,
                link=link,
                source_key=source_key,
                source_label=source_label,
                work_seconds=work_seconds,
                available_at=available_at,
                reverses=reverses,
                created_by=created_by,
            )
    existing = LedgerTransaction.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        locked = accounts_lock(netted)
        try:
            _check(locked, netted, idempotency_key)
        except LoopworkError:
            # A concurrent post with the same key may have committed while we waited for
            # the locks (and moved this money): that is a replay, not a refusal.
            existing = LedgerTransaction.objects.filter(idempotency_key=idempotency_key).first()
            if existing is not None:
                return existing
            raise
        try:
            with transaction.atomic():
                posted = LedgerTransaction.objects.create(
                    idempotency_key=idempotency_key,
                    kind=kind,
                    currency=currency,
                    reference=reference,
                    description=description[:300],
                    link=link,
                    source_key=source_key,
                    source_label=source_label[:200],
                    work_seconds=work_seconds,
                    available_at=available_at,
                    reverses=reverses,
                    created_by=created_by,
                )
        except IntegrityError:
            # The same key committed by a concurrent post while we waited for the locks.
            existing = LedgerTransaction.objects.filter(idempotency_key=idempotency_key).first()
            if existing is None:
                raise
            return existing
        _apply(posted, locked, netted)
    logger.info(
        "ledger transaction posted",
        extra={"ledger_transaction": posted.pk, "kind": kind, "reference": reference},
    )
    return posted


def _check(locked, netted, idempotency_key: str) -> None:
    for ref, amount in netted.items():
        account = locked[ref]
        if (
            amount < 0
            and account.kind not in LedgerAccount.MAY_GO_NEGATIVE
            and account.balance_cents + amount < 0
        ):
            raise insufficient_funds(account, -amount)
        if account.kind in LedgerAccount.NEVER_POSITIVE and account.balance_cents + amount > 0:
            raise ValueError(f"{account} would hold more than nothing ({idempotency_key})")


def _apply(posted: LedgerTransaction, locked, netted) -> None:
    """The entries of `posted` and, in one UPDATE, the cached balances of their accounts."""
    LedgerEntry.objects.bulk_create(
        [
            LedgerEntry(transaction=posted, account=locked[ref], amount_cents=amount)
            for ref, amount in netted.items()
        ]
    )
    LedgerAccount.objects.filter(pk__in=[locked[ref].pk for ref in netted]).update(
        balance_cents=F("balance_cents")
        + Case(
            *[When(pk=locked[ref].pk, then=Value(amount)) for ref, amount in netted.items()],
            output_field=BigIntegerField(),
        ),
        updated_at=Now(),
    )
    for ref, amount in netted.items():
        locked[ref].balance_cents += amount


def _write(locked, netted, *, idempotency_key: str, **fields) -> LedgerTransaction:
    """Post under locks the caller holds and checks it made (see transaction_post)."""
    fields["description"] = fields["description"][:300]
    fields["source_label"] = fields["source_label"][:200]
    posted = LedgerTransaction.objects.create(idempotency_key=idempotency_key, **fields)
    _apply(posted, locked, netted)
    logger.info(
        "ledger transaction posted",
        extra={
            "ledger_transaction": posted.pk,
            "kind": fields["kind"],
            "reference": fields["reference"],
        },
    )
    return posted


def transaction_reverse(
    *,
    original: LedgerTransaction,
    idempotency_key: str,
    description: str,
    created_by=None,
    kind: str = LedgerTransaction.Kind.REVERSAL,
) -> LedgerTransaction:
    """Post the exact opposite of `original` as a new transaction; idempotent on the key.

    Refused like any posting when an account it takes from no longer holds the money (for a
    worker's earnings, payouts/earnings.py handles that shortfall with a receivable).
    """
    legs = [
        Leg(AccountRef(entry.account.kind, entry.account.owner_id), -entry.amount_cents)
        for entry in original.entries.select_related("account")
    ]
    return transaction_post(
        idempotency_key=idempotency_key,
        kind=kind,
        legs=legs,
        reference=original.reference,
        description=description,
        link=original.link,
        currency=original.currency,
        source_key=original.source_key,
        source_label=original.source_label,
        reverses=original,
        created_by=created_by,
    )


@dataclass(frozen=True)
class BalanceDifference:
    account_id: int
    kind: str
    owner_id: int
    currency: str
    cached_cents: int
    entries_cents: int


def balance_differences() -> list[BalanceDifference]:
    """Every account whose cached balance differs from the sum of its entries."""
    sums = dict(
        LedgerEntry.objects.values("account_id")
        .annotate(total=Sum("amount_cents"))
        .values_list("account_id", "total")
    )
    differences = []
    for account in LedgerAccount.objects.order_by("pk").iterator():
        total = sums.get(account.pk, 0)
        if total != account.balance_cents:
            differences.append(
                BalanceDifference(
                    account.pk,
                    account.kind,
                    account.owner_id,
                    account.currency,
                    account.balance_cents,
                    total,
                )
            )
    return differences


def unbalanced_transactions() -> list[int]:
    """Ids of transactions whose entries do not sum to zero (there should be none)."""
    return list(
        LedgerEntry.objects.values("transaction_id")
        .annotate(total=Sum("amount_cents"))
        .exclude(total=0)
        .values_list("transaction_id", flat=True)
    )
