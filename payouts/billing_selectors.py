"""Reads for a company's money, from the ledger only (payouts never imports projects).

A project is known by the source key its postings carry ("project:12") and the title they
recorded, so escrow and spend per project need no marketplace import; a paid test likewise
("test:3"). The billing page and the company home read the same figures from here: balance,
what is reserved, and spend.

Spend is what a company paid workers: the reward, pay-floor top-ups, bonuses and paid test
completions, each with its platform fee, net of approvals reversed for fraud (the money went
back to the company). It is measured as what those postings moved out of the company's own
accounts (its balance and the escrows it reserved) to anyone else.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Max, Q, Sum
from django.utils import timezone

from core.money import platform_currency

from .models import LedgerAccount, LedgerEntry, LedgerTransaction, Refund, TopUp

Kind = LedgerAccount.Kind
TxKind = LedgerTransaction.Kind

# Movements that pay workers for a company: what the company spent.
SPEND_KINDS = (TxKind.APPROVAL, TxKind.PAY_FLOOR, TxKind.BONUS, TxKind.TEST_PAYMENT)
# A spend posting, or the fraud reversal of one. Other reversals (a failed refund put back
# on the balance) are not spend.
SPENDING = Q(transaction__kind__in=SPEND_KINDS) | Q(
    transaction__kind=TxKind.REVERSAL, transaction__reverses__kind__in=SPEND_KINDS
)
# The escrow account kind behind each kind of reserved source key.
ESCROW_KINDS = {"project": Kind.PROJECT_ESCROW, "test": Kind.TEST_ESCROW}
LIST_LIMIT = 50


@dataclass(frozen=True)
class ProjectMoney:
    """One project's (or test's) line on the billing page."""

    source_key: str
    label: str
    reserved_cents: int = 0
    rewards_cents: int = 0
    fees_cents: int = 0

    @property
    def spent_cents(self) -> int:
        return self.rewards_cents + self.fees_cents

    @property
    def project_id(self) -> int | None:
        kind, _, pk = self.source_key.partition(":")
        return int(pk) if kind == "project" and pk.isdigit() else None


@dataclass(frozen=True)
class Billing:
    balance_cents: int
    reserved_cents: int
    spent_cents: int
    projects: list[ProjectMoney]
    top_ups: list[TopUp]
    refunds: list[Refund]
    currency: str


def _balance_account(company_id: int, currency: str) -> LedgerAccount | None:
    return LedgerAccount.objects.filter(
        kind=Kind.COMPANY_BALANCE, owner_id=company_id, currency=currency
    ).first()


@dataclass(frozen=True)
class CompanyMoney:
    """The company's money at a glance: what the home shows (the billing page's figures)."""

    balance_cents: int
    reserved_cents: int
    spent_this_month_cents: int
    month_start: datetime.datetime
    currency: str


def _reserved_for(account: LedgerAccount) -> dict[str, int]:
    """source key -> id of its latest reservation, for every project and paid test this
    balance ever reserved for."""
    rows = (
        LedgerTransaction.objects.filter(
            Q(source_key__startswith="project:") | Q(source_key__startswith="test:"),
            kind=TxKind.ESCROW_RESERVE,
            entries__account=account,
        )
        .values("source_key")
        .annotate(last=Max("pk"))
    )
    return {row["source_key"]: row["last"] for row in rows}


def _escrows(keys, currency: str) -> dict[str, LedgerAccount]:
    """source key -> its escrow account, for the reserved source keys `keys`."""
    owners: dict[str, dict[int, str]] = {}
    for key in keys:
        kind, _, pk = key.partition(":")
        if kind in ESCROW_KINDS and pk.isdigit():
            owners.setdefault(ESCROW_KINDS[kind], {})[int(pk)] = key
    if not owners:
        return {}
    condition = Q(pk__in=[])
    for kind, by_owner in owners.items():
        condition |= Q(kind=kind, owner_id__in=list(by_owner))
    return {
        owners[escrow.kind][escrow.owner_id]: escrow
        for escrow in LedgerAccount.objects.filter(condition, currency=currency)
    }


def _spend_entries(own_accounts: list[int], *, since: datetime.datetime | None = None):
    """The legs of spend postings that left the company's own accounts: each worker's share
    and each fee (negative for a fraud reversal), optionally posted since `since`."""
    spending = LedgerEntry.objects.filter(SPENDING, account_id__in=own_accounts)
    if since is not None:
        spending = spending.filter(transaction__created_at__gte=since)
    return LedgerEntry.objects.filter(transaction_id__in=spending.values("transaction_id")).exclude(
        account_id__in=own_accounts
    )


def month_start(now: datetime.datetime) -> datetime.datetime:
    """The first moment of `now`'s calendar month in the site's time zone (as the worker's
    "paid this month" counts it)."""
    return timezone.localtime(now).replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def company_money(*, company_id: int, now: datetime.datetime | None = None) -> CompanyMoney:
    """Balance, what is reserved in escrow and what was spent this calendar month.

    The same figures as the billing page (company_billing): the balance, the sum of the
    escrows of its projects and paid tests, and spend as this module defines it. Four
    queries at most, however many projects the company has.
    """
    currency = platform_currency()
    since = month_start(now or timezone.now())
    account = _balance_account(company_id, currency)
    if account is None:
        return CompanyMoney(0, 0, 0, since, currency)
    escrows = _escrows(_reserved_for(account), currency)
    own_accounts = [account.pk, *(escrow.pk for escrow in escrows.values())]
    spent = _spend_entries(own_accounts, since=since).aggregate(total=Sum("amount_cents"))
    return CompanyMoney(
        balance_cents=account.balance_cents,
        reserved_cents=sum(escrow.balance_cents for escrow in escrows.values()),
        spent_this_month_cents=spent["total"] or 0,
        month_start=since,
        currency=currency,
    )


def company_billing(*, company_id: int) -> Billing:
    """Balance, escrow and spend per project, recent top-ups and refunds of one company."""
    currency = platform_currency()
    account = _balance_account(company_id, currency)
    top_ups = list(TopUp.objects.filter(company_id=company_id)[:LIST_LIMIT])
    refunds = list(
        Refund.objects.filter(company_id=company_id).select_related("top_up")[:LIST_LIMIT]
    )
    if account is None:
        return Billing(0, 0, 0, [], top_ups, refunds, currency)

    reserved = _reserved_for(account)
    last_ids = {pk: key for key, pk in reserved.items()}
    labels = {
        last_ids[pk]: label
        for pk, label in LedgerTransaction.objects.filter(pk__in=last_ids).values_list(
            "pk", "source_label"
        )
    }
    escrows = _escrows(reserved, currency)
    own_accounts = [account.pk, *(escrow.pk for escrow in escrows.values())]
    spend = (
        _spend_entries(own_accounts)
        .values("transaction__source_key", "account__kind")
        .annotate(total=Sum("amount_cents"), label=Max("transaction__source_label"))
    )
    rewards: dict[str, int] = {}
    fees: dict[str, int] = {}
    for row in spend:
        key = row["transaction__source_key"]
        labels.setdefault(key, row["label"] or key)
        target = fees if row["account__kind"] == Kind.PLATFORM_REVENUE else rewards
        target[key] = target.get(key, 0) + row["total"]

    projects = []
    for key, label in labels.items():
        escrow = escrows.get(key)
        projects.append(
            ProjectMoney(
                source_key=key,
                label=label,
                reserved_cents=escrow.balance_cents if escrow else 0,
                rewards_cents=rewards.get(key, 0),
                fees_cents=fees.get(key, 0),
            )
        )
    projects.sort(key=lambda line: (-line.reserved_cents, -line.spent_cents, line.label))
    return Billing(
        balance_cents=account.balance_cents,
        reserved_cents=sum(line.reserved_cents for line in projects),
        spent_cents=sum(line.spent_cents for line in projects),
        projects=projects,
        top_ups=top_ups,
        refunds=refunds,
        currency=currency,
    )
