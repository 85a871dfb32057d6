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
from typing import NamedTuple

from django.db import IntegrityError, connection, transaction
from django.db.models import Q, Sum
from django.utils import timezone

from core.bulk import rows_insert, rows_insert_returning_ids
from core.errors import LoopworkError
from core.money import format_money, platform_currency

from .models import PLATFORM, LedgerAccount, LedgerEntry, LedgerTransaction

logger = logging.getLogger(__name__)

Kind = LedgerAccount.Kind


class AccountRef(NamedTuple):
    """Names an account without a database round trip: its kind, owner id and currency.

    A named tuple rather than a dataclass: batches hash hundreds of thousands of them.
    """

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


def insufficient_funds(account: LedgerAccount, balance: int, needed: int) -> LoopworkError:
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
        f"{label}: {format_money(balance, account.currency)} there, "
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
    """The accounts `refs` name, as one condition per kind and currency (batches name hundreds)."""
    owners: dict[tuple[str, str], list[int]] = defaultdict(list)
    for ref in refs:
        owners[(ref.kind, ref.resolved_currency())].append(ref.owner_id)
    condition = Q(pk__in=[])
    for (kind, currency), owner_ids in owners.items():
        condition |= Q(kind=kind, currency=currency, owner_id__in=owner_ids)
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
        present = {(row.kind, row.owner_id, row.currency) for row in rows}
        # Safe when another transaction creates the same accounts at once: the unique
        # (kind, owner, currency) constraint keeps one of each.
        LedgerAccount.objects.bulk_create(
            [
                LedgerAccount(kind=ref.kind, owner_id=ref.owner_id, currency=ref.currency)
                for ref in wanted
                if (ref.kind, ref.owner_id, ref.currency) not in present
            ],
            ignore_conflicts=True,
        )
        rows = list(LedgerAccount.objects.select_for_update().filter(_named(wanted)).order_by("pk"))
    by_name = {(row.kind, row.owner_id, row.currency): row for row in rows}
    return {ref: by_name[(ref.kind, ref.owner_id, ref.currency)] for ref in wanted}


def balances_of(refs: Iterable[AccountRef]) -> dict[AccountRef, int]:
    """The cached balances of many accounts in one query (0 for an account never used), keyed
    by the refs as given."""
    refs = list(refs)
    if not refs:
        return {}
    found = {
        (kind, owner_id, currency): balance
        for kind, owner_id, currency, balance in LedgerAccount.objects.filter(
            _named(refs)
        ).values_list("kind", "owner_id", "currency", "balance_cents")
    }
    return {ref: found.get((ref.kind, ref.owner_id, ref.resolved_currency()), 0) for ref in refs}


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


# The columns of a transaction as postings_write writes them: key, kind, then a Posting's
# fields in order, then the creation time.
POSTING_FIELDS = [
    "currency",
    "reference",
    "description",
    "link",
    "source_key",
    "source_label",
    "work_seconds",
    "available_at",
    "reverses",
    "created_by",
]
TRANSACTION_FIELDS = ["idempotency_key", "kind", *POSTING_FIELDS, "created_at"]
TRANSACTION_ATTNAMES = [
    "id",
    *(LedgerTransaction._meta.get_field(name).attname for name in TRANSACTION_FIELDS),
]


@dataclass
class Posting:
    """A transaction ready to write: its key, kind, netted legs and descriptive fields
    (named and ordered as POSTING_FIELDS)."""

    idempotency_key: str
    kind: str
    netted: dict[AccountRef, int]
    fields: dict


def posting(
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
) -> Posting:
    """Check and net `legs` into a Posting (ValueError/TypeError for a malformed one).

    Legs on the same account are netted; the amounts must sum to zero, be whole minor
    units and share the transaction's currency.
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
    return Posting(
        idempotency_key=idempotency_key,
        kind=kind,
        netted=netted,
        fields={
            "currency": currency,
            "reference": reference,
            "description": description[:300],
            "link": link,
            "source_key": source_key,
            "source_label": source_label[:200],
            "work_seconds": work_seconds,
            "available_at": available_at,
            "reverses_id": reverses.pk if reverses is not None else None,
            "created_by_id": created_by.pk if created_by is not None else None,
        },
    )


def transaction_post(
    *,
    locked: dict[AccountRef, LedgerAccount] | None = None,
    **spec,
) -> LedgerTransaction:
    """Post one balanced transaction; idempotent on its idempotency key.

    `spec` is what `posting` takes. Refuses (LoopworkError, 409, nothing written) when an
    account that must not go negative would. Runs in the caller's database transaction when
    there is one, so the movement commits or rolls back with the state change that caused it.

    `locked`: the accounts the caller has already locked with `accounts_lock` in this
    transaction, having checked under those locks that the key is not posted yet. The
    posting then reuses them (their balances are kept current) and skips its own key check,
    locking and savepoint: fewer round trips, same guarantees.
    """
    planned = posting(**spec)
    key = planned.idempotency_key
    if locked is not None:
        # Refused before anything is written, so the caller's transaction stays usable.
        with transaction.atomic(savepoint=False):
            return postings_write(locked, [planned])[0]
    existing = LedgerTransaction.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        locked = accounts_lock(planned.netted)
        try:
            with transaction.atomic():
                return postings_write(locked, [planned])[0]
        except (LoopworkError, IntegrityError):
            # The same key committed by a concurrent post while we waited for the locks
            # (and it moved this money): that is a replay, not a refusal.
            existing = LedgerTransaction.objects.filter(idempotency_key=key).first()
            if existing is not None:
                return existing
            raise


def postings_write(
    locked: dict[AccountRef, LedgerAccount], postings: list[Posting]
) -> list[LedgerTransaction]:
    """Write `postings` in order under locks the caller holds; returns their transactions.

    The caller has locked every account they touch (`accounts_lock`) and checked under those
    locks that none of their keys is posted. All are checked before anything is written (each
    against the balances the ones before it leave): one refused refuses them all
    (LoopworkError 409). Then one INSERT of transactions, one of entries and one UPDATE of
    the cached balances, however many there are: auto-approval and bulk review pay hundreds
    of approvals at once this way.
    """
    balances = {ref: locked[ref].balance_cents for planned in postings for ref in planned.netted}
    for planned in postings:
        for ref, amount in planned.netted.items():
            _check(locked[ref], balances[ref], amount, planned.idempotency_key)
            balances[ref] += amount
    now = timezone.now()
    rows = [
        (planned.idempotency_key, planned.kind, *planned.fields.values(), now)
        for planned in postings
    ]
    ids = rows_insert_returning_ids(LedgerTransaction, TRANSACTION_FIELDS, rows)
    posted = [
        LedgerTransaction.from_db(connection.alias, TRANSACTION_ATTNAMES, (pk, *row))
        for pk, row in zip(ids, rows, strict=True)
    ]
    rows_insert(
        LedgerEntry,
        ["transaction", "account", "amount_cents"],
        (
            (tx.pk, locked[ref].pk, amount)
            for tx, planned in zip(posted, postings, strict=True)
            for ref, amount in planned.netted.items()
        ),
    )
    moved: dict[int, int] = defaultdict(int)
    for planned in postings:
        for ref, amount in planned.netted.items():
            moved[locked[ref].pk] += amount
    _balances_move({pk: amount for pk, amount in moved.items() if amount})
    for ref, balance in balances.items():
        locked[ref].balance_cents = balance
    for tx in posted:
        logger.info(
            "ledger transaction posted",
            extra={"ledger_transaction": tx.pk, "kind": tx.kind, "reference": tx.reference},
        )
    return posted


def _balances_move(moved: dict[int, int]) -> None:
    """Add each amount to its account's cached balance, in one UPDATE.

    Plain SQL: the ORM spends longer building a CASE of hundreds of branches than the
    database spends running it.
    """
    if not moved:
        return
    table = connection.ops.quote_name(LedgerAccount._meta.db_table)
    branches = " ".join("WHEN %s THEN %s" for _ in moved)
    marks = ", ".join("%s" for _ in moved)
    # Only the table name and placeholders are formatted in; the values are parameters.
    sql = (
        f"UPDATE {table} SET balance_cents = balance_cents + (CASE id {branches} END), "  # noqa: S608
        f"updated_at = %s WHERE id IN ({marks})"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [
                *(value for item in moved.items() for value in item),
                connection.ops.adapt_datetimefield_value(timezone.now()),
                *moved,
            ],
        )


def _check(account: LedgerAccount, balance: int, amount: int, idempotency_key: str) -> None:
    if amount < 0 and account.kind not in LedgerAccount.MAY_GO_NEGATIVE and balance + amount < 0:
        raise insufficient_funds(account, balance, -amount)
    if account.kind in LedgerAccount.NEVER_POSITIVE and balance + amount > 0:
        raise ValueError(f"{account} would hold more than nothing ({idempotency_key})")


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
