"""The "Ledger" area of the Wagtail admin: accounts with their entries, transactions with
their entries and reversals, and a worker's statement.

Reading needs `payouts.view_ledgertransaction`. An approval's page carries the form that
reverses it for fraud (to staff who also hold `payouts.reverse_ledgertransaction`); the form
posts to marketplace/review_admin_views.py, because a reversal is a review decision too (its
audit row, the worker's notice), and payouts never imports marketplace. That view uses
`ReverseForm`, `approval_assignment_id` and `transaction_page` from here. Nothing here writes
the ledger. The hooks at the end register the URLs and the menu item (imported from
payouts/wagtail_hooks.py).
"""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import include, path, reverse
from django.views.decorators.http import require_GET
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from accounts.models import User
from core.access import staff_required
from core.money import format_money

from .models import LedgerAccount, LedgerEntry, LedgerTransaction
from .selectors import earnings_summary, statement_page, worker_accounts

VIEW = "payouts.view_ledgertransaction"
REVERSE = "payouts.reverse_ledgertransaction"
PER_PAGE = 50
REASON_MAX = 250


class ReverseForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        max_length=REASON_MAX,
        help_text="The worker reads it on their statement.",
        error_messages={"required": "Say why this work is reversed."},
    )


def _cursor(value) -> int | None:
    if isinstance(value, str) and value.isdigit() and len(value) < 19:
        return int(value) or None
    return None


def _keyset(queryset, before: int | None, size: int = PER_PAGE):
    """A page of `queryset` newest first, below `before`; (rows, cursor of the next page)."""
    if before is not None:
        queryset = queryset.filter(pk__lt=before)
    rows = list(queryset.order_by("-pk")[: size + 1])
    older = rows[size - 1].pk if len(rows) > size else None
    return rows[:size], older


def approval_assignment_id(tx: LedgerTransaction) -> int | None:
    """The assignment an approval paid, from its "assignment:<id>" reference."""
    prefix, _, number = tx.reference.partition(":")
    if tx.kind == LedgerTransaction.Kind.APPROVAL and prefix == "assignment" and number.isdigit():
        return int(number)
    return None


@staff_required(VIEW)
@require_GET
def account_list(request):
    """Accounts by kind and owner, with their cached balances; a worker lookup."""
    lookup = request.GET.get("worker", "").strip()
    if lookup:
        worker = (
            User.objects.filter(pk=int(lookup)).first()
            if lookup.isdigit()
            else User.objects.filter(email__iexact=lookup).first()
        )
        if worker is not None:
            return redirect("ledger_admin:worker", worker_id=worker.pk)
        messages.error(request, f"No user {lookup}.")
    kind = request.GET.get("kind", "")
    owner = _cursor(request.GET.get("owner"))
    accounts = LedgerAccount.objects.all()
    if kind in LedgerAccount.Kind.values:
        accounts = accounts.filter(kind=kind)
    if owner is not None:
        accounts = accounts.filter(owner_id=owner)
    page = Paginator(accounts.order_by("kind", "owner_id", "currency"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "payouts/ledger_admin/accounts.html",
        {
            "page": page,
            "rows": [
                {
                    "account": account,
                    "balance_text": format_money(account.balance_cents, account.currency),
                    "is_worker": account.kind in LedgerAccount.WORKER_KINDS,
                }
                for account in page
            ],
            "kinds": LedgerAccount.Kind.choices,
            "kind": kind,
            "owner": owner or "",
            "query": "&".join(
                part
                for part in (f"kind={kind}" if kind else "", f"owner={owner}" if owner else "")
                if part
            ),
        },
    )


@staff_required(VIEW)
@require_GET
def account_detail(request, account_id: int):
    """One account's entries, newest first, each with its transaction."""
    account = get_object_or_404(LedgerAccount, pk=account_id)
    entries, older = _keyset(
        LedgerEntry.objects.filter(account=account).select_related("transaction"),
        _cursor(request.GET.get("before")),
    )
    return render(
        request,
        "payouts/ledger_admin/account.html",
        {
            "account": account,
            "balance_text": format_money(account.balance_cents, account.currency),
            "entries": [
                {"entry": entry, "amount_text": format_money(entry.amount_cents, account.currency)}
                for entry in entries
            ],
            "older": older,
            "is_worker": account.kind in LedgerAccount.WORKER_KINDS,
        },
    )


@staff_required(VIEW)
@require_GET
def transaction_list(request):
    """Transactions newest first, by kind and by reference (exact, or a prefix ending in ':')."""
    kind = request.GET.get("kind", "")
    reference = request.GET.get("reference", "").strip()
    transactions = LedgerTransaction.objects.all()
    if kind in LedgerTransaction.Kind.values:
        transactions = transactions.filter(kind=kind)
    if reference:
        transactions = transactions.filter(
            Q(reference__startswith=reference)
            if reference.endswith(":")
            else Q(reference=reference)
        )
    rows, older = _keyset(transactions, _cursor(request.GET.get("before")))
    return render(
        request,
        "payouts/ledger_admin/transactions.html",
        {
            "transactions": rows,
            "older": older,
            "kinds": LedgerTransaction.Kind.choices,
            "kind": kind,
            "reference": reference,
        },
    )


def transaction_page(request, tx: LedgerTransaction, *, form: ReverseForm, status: int = 200):
    """The page of one transaction, with `form` as its fraud reversal form (bound and with
    its errors when a reversal was refused)."""
    entries = tx.entries.select_related("account").order_by("pk")
    reversals = list(tx.reversals.order_by("pk"))
    assignment_id = approval_assignment_id(tx)
    context = {
        "tx": tx,
        "entries": [
            {
                "entry": entry,
                "amount_text": format_money(entry.amount_cents, tx.currency),
                "is_worker": entry.account.kind in LedgerAccount.WORKER_KINDS,
            }
            for entry in entries
        ],
        "reversals": reversals,
        "assignment_id": assignment_id,
        "can_reverse": assignment_id is not None
        and not reversals
        and request.user.has_perm(REVERSE),
        "form": form,
    }
    return render(request, "payouts/ledger_admin/transaction.html", context, status=status)


@staff_required(VIEW)
@require_GET
def transaction_detail(request, transaction_id: int):
    """One transaction: its entries, what it reverses or what reversed it, and for an
    approval not yet reversed, the fraud reversal form (to staff who may reverse)."""
    tx = get_object_or_404(LedgerTransaction.objects.select_related("reverses"), pk=transaction_id)
    return transaction_page(request, tx, form=ReverseForm())


@staff_required(VIEW)
@require_GET
def worker_statement(request, worker_id: int):
    """A worker's figures and statement, as the worker sees them on /work/earnings/."""
    worker = get_object_or_404(User, pk=worker_id)
    accounts = worker_accounts(worker_id=worker.pk)
    summary = earnings_summary(accounts=accounts)
    page = statement_page(
        accounts=accounts,
        before=_cursor(request.GET.get("before")),
        after=_cursor(request.GET.get("after")),
    )
    currency = summary.currency
    return render(
        request,
        "payouts/ledger_admin/worker.html",
        {
            "worker": worker,
            "accounts": accounts.by_kind.values(),
            "figures": [
                ("Available", format_money(summary.available_cents, currency)),
                ("Pending", format_money(summary.pending_cents, currency)),
                ("In transit", format_money(summary.in_transit_cents, currency)),
                ("Owes", format_money(summary.receivable_cents, currency)),
                ("Paid this month", format_money(summary.paid_this_month_cents, currency)),
                ("Paid all time", format_money(summary.paid_all_time_cents, currency)),
                ("Earned all time", format_money(summary.earned_all_time_cents, currency)),
            ],
            "lines": [
                {
                    "line": line,
                    "amount_text": format_money(line.amount_cents, line.currency),
                    "balance_text": format_money(line.balance_cents, line.currency),
                }
                for line in page.lines
            ],
            "page": page,
        },
    )


@hooks.register("register_admin_urls")
def register_ledger_admin_urls():
    patterns = [
        path("", account_list, name="accounts"),
        path("accounts/<int:account_id>/", account_detail, name="account"),
        path("transactions/", transaction_list, name="transactions"),
        path("transactions/<int:transaction_id>/", transaction_detail, name="transaction"),
        path("workers/<int:worker_id>/", worker_statement, name="worker"),
    ]
    return [path("ledger/", include((patterns, "ledger_admin"), namespace="ledger_admin"))]


class LedgerMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.is_staff and request.user.has_perm(VIEW)


@hooks.register("register_admin_menu_item")
def register_ledger_menu_item():
    return LedgerMenuItem(
        "Ledger", reverse("ledger_admin:accounts"), icon_name="doc-full", order=332
    )
