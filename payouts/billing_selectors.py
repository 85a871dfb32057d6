"""Reads for a company's billing page, from the ledger only (payouts never imports projects).

A project is known by the source key its postings carry ("project:12") and the title they
recorded, so escrow and spend per project need no marketplace import.
"""

from dataclasses import dataclass

from django.db.models import Max, Sum

from core.money import platform_currency

from .models import LedgerAccount, LedgerEntry, LedgerTransaction, Refund, TopUp

Kind = LedgerAccount.Kind
TxKind = LedgerTransaction.Kind

# Movements that pay workers for a company: what the company spent.
SPEND_KINDS = (TxKind.APPROVAL, TxKind.PAY_FLOOR, TxKind.BONUS, TxKind.TEST_PAYMENT)
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


def _reserved_projects(account: LedgerAccount) -> dict[str, str]:
    """source key -> latest title, for every project this balance ever reserved for."""
    rows = (
        LedgerTransaction.objects.filter(
            kind=TxKind.ESCROW_RESERVE, entries__account=account, source_key__startswith="project:"
        )
        .values("source_key")
        .annotate(last=Max("pk"))
    )
    last_ids = {row["last"]: row["source_key"] for row in rows}
    labels = LedgerTransaction.objects.filter(pk__in=last_ids).values_list("pk", "source_label")
    return {last_ids[pk]: label for pk, label in labels}


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

    labels = _reserved_projects(account)
    project_ids = [int(key.partition(":")[2]) for key in labels]
    escrows = {
        escrow.owner_id: escrow
        for escrow in LedgerAccount.objects.filter(
            kind=Kind.PROJECT_ESCROW, owner_id__in=project_ids, currency=currency
        )
    }
    own_accounts = [account.pk, *(escrow.pk for escrow in escrows.values())]
    spend_transactions = LedgerEntry.objects.filter(
        account_id__in=own_accounts, transaction__kind__in=SPEND_KINDS
    ).values("transaction_id")
    spend = (
        LedgerEntry.objects.filter(transaction_id__in=spend_transactions)
        .exclude(account_id__in=own_accounts)
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
        kind, _, pk = key.partition(":")
        escrow = escrows.get(int(pk)) if kind == "project" and pk.isdigit() else None
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
