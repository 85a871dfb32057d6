"""Company money: card top-ups into the balance, project escrow, refunds of unused balance.

Money enters through Stripe clearing. A top-up is a TopUp row and a Stripe PaymentIntent
whose idempotency key derives from the row; the balance is credited only by the verified
`payment_intent.succeeded` event (the amount and currency checked against the row), under the
ledger key "top_up:<id>", so a payment is credited once however often the event arrives. In
offline test mode the same handler processes a synthetic event (webhooks.stripe_event_accept).

Launching a project moves its budget from the company balance to the project's escrow
(`escrow_reserve`); approvals draw from escrow; completing or cancelling gives back what is
not needed (`escrow_release`). A refund takes unused balance back to the cards of earlier
top-ups, newest first: the balance is debited when the refund is requested ("refund:<id>")
and given back if Stripe's refund fails.

Lock order: top-up and refund rows, then ledger accounts (in id order, as the ledger does).
"""

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q, Sum
from django.urls import reverse
from django.utils import timezone

from accounts.models import Company, Membership, User
from core.errors import LoopworkError
from core.money import format_money, platform_currency

from . import ledger, stripe_gateway
from .ledger import Leg
from .models import LedgerAccount, LedgerEntry, LedgerTransaction, Refund, TopUp
from .stripe_gateway import GatewayError

logger = logging.getLogger(__name__)

MIN_TOP_UP_CENTS = 10_00
MAX_TOP_UP_CENTS = 50_000_00
MIN_REFUND_CENTS = 1_00
# A requested refund with no Stripe id after this long lost its task; the sweep sends it.
REFUND_RESEND_AFTER = datetime.timedelta(minutes=10)

CLEARING = ledger.platform(LedgerAccount.Kind.PLATFORM_STRIPE_CLEARING)

# What webhook handlers return to say what became of an event.
PROCESSED = "processed"
IGNORED = "ignored"


class EventMismatch(LoopworkError):
    """A verified event that contradicts our records (another amount, an impossible state):
    recorded as failed for people to look at, never retried and never applied."""

    def __init__(self, message: str):
        super().__init__(message, code="stripe_event_mismatch", status=409)


def company_balance_cents(company_id: int) -> int:
    return ledger.balance_of(ledger.company_balance(company_id))


def escrow_cents(project_id: int) -> int:
    return ledger.balance_of(ledger.project_escrow(project_id))


def escrows_and_balances_cents(
    *, project_ids: Iterable[int], company_ids: Iterable[int]
) -> tuple[dict[int, int], dict[int, int]]:
    """`escrow_cents` of each project and `company_balance_cents` of each company, in one
    query for all (periodic checks read hundreds at once)."""
    projects = {pk: ledger.project_escrow(pk) for pk in project_ids}
    companies = {pk: ledger.company_balance(pk) for pk in company_ids}
    balances = ledger.balances_of([*projects.values(), *companies.values()])
    return (
        {pk: balances[ref] for pk, ref in projects.items()},
        {pk: balances[ref] for pk, ref in companies.items()},
    )


def _lock_accounts(*refs: ledger.AccountRef) -> dict[ledger.AccountRef, LedgerAccount]:
    """The accounts `refs` name, locked in id order (the ledger's order, so no deadlock)."""
    accounts = {ref: ledger.account_for(ref) for ref in refs}
    locked = {
        account.pk: account
        for account in LedgerAccount.objects.select_for_update()
        .filter(pk__in=[account.pk for account in accounts.values()])
        .order_by("pk")
    }
    return {ref: locked[account.pk] for ref, account in accounts.items()}


def _moved_from(posted: LedgerTransaction, account: ledger.AccountRef) -> int:
    """How much an earlier transaction moved out of `account` (for idempotent returns)."""
    total = (
        LedgerEntry.objects.filter(
            transaction=posted,
            account__kind=account.kind,
            account__owner_id=account.owner_id,
        ).aggregate(total=Sum("amount_cents"))["total"]
        or 0
    )
    return -total


# --- Escrow ---------------------------------------------------------------------------------


def escrow_shortfall_error(
    *, project_title: str, amount_cents: int, balance_cents: int, currency: str, breakdown: str = ""
) -> LoopworkError:
    """The refusal of a reservation the balance cannot fund (409 insufficient_balance), with
    the amounts. One wording, so a page that predicts the refusal says what the launch says."""
    detail = f" ({breakdown})" if breakdown else ""
    return LoopworkError(
        f"Reserving the budget of “{project_title}” needs "
        f"{format_money(amount_cents, currency)}{detail}, but your company balance is "
        f"{format_money(balance_cents, currency)}. Add at least "
        f"{format_money(amount_cents - balance_cents, currency)} on the Billing page.",
        code="insufficient_balance",
        status=409,
    )


def escrow_reserve(
    *,
    project_id: int,
    company_id: int,
    amount_cents: int,
    currency: str,
    key: str,
    project_title: str,
    breakdown: str = "",
) -> LedgerTransaction | None:
    """Move `amount_cents` from the company balance into the project's escrow.

    Idempotent on `key` (the same key returns the first reservation); nothing to reserve
    (0) posts nothing. Refuses with 409 insufficient_balance, naming the amounts, when the
    balance is short; runs in the caller's transaction, so the refusal undoes its change too.
    """
    if amount_cents <= 0:
        return None
    currency = currency or platform_currency()
    balance = ledger.company_balance(company_id, currency)
    escrow = ledger.project_escrow(project_id, currency)
    with transaction.atomic():
        existing = LedgerTransaction.objects.filter(idempotency_key=key).first()
        if existing is not None:
            return existing
        accounts = _lock_accounts(balance, escrow)
        have = accounts[balance].balance_cents
        if have < amount_cents:
            raise escrow_shortfall_error(
                project_title=project_title,
                amount_cents=amount_cents,
                balance_cents=have,
                currency=currency,
                breakdown=breakdown,
            )
        return ledger.transaction_post(
            idempotency_key=key,
            kind=LedgerTransaction.Kind.ESCROW_RESERVE,
            legs=[Leg(balance, -amount_cents), Leg(escrow, amount_cents)],
            currency=currency,
            reference=f"project:{project_id}",
            description=f"Budget reserved for {project_title}",
            source_key=f"project:{project_id}",
            source_label=project_title,
        )


def escrow_release(
    *, project_id: int, company_id: int, keep_cents: int, key: str, project_title: str
) -> int:
    """Give the project's escrow above `keep_cents` back to the company balance; returns how
    much moved. Idempotent on `key` (the same key returns the first release's amount)."""
    currency = platform_currency()
    balance = ledger.company_balance(company_id, currency)
    escrow = ledger.project_escrow(project_id, currency)
    with transaction.atomic():
        existing = LedgerTransaction.objects.filter(idempotency_key=key).first()
        if existing is not None:
            return _moved_from(existing, escrow)
        accounts = _lock_accounts(balance, escrow)
        amount = accounts[escrow].balance_cents - max(keep_cents, 0)
        if amount <= 0:
            return 0
        ledger.transaction_post(
            idempotency_key=key,
            kind=LedgerTransaction.Kind.ESCROW_RELEASE,
            legs=[Leg(escrow, -amount), Leg(balance, amount)],
            currency=currency,
            reference=f"project:{project_id}",
            description=f"Unused budget of {project_title} returned to the balance",
            source_key=f"project:{project_id}",
            source_label=project_title,
        )
    logger.info("escrow released", extra={"project_id": project_id, "amount_cents": amount})
    return amount


# --- Top-ups ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TopUpStart:
    """A new top-up and the PaymentIntent's client secret the Payment Element confirms."""

    top_up: TopUp
    client_secret: str


def topup_idempotency_key(top_up_id: int) -> str:
    return f"loopwork-top-up-{top_up_id}"


def _topup_metadata(top_up: TopUp) -> dict:
    return {"loopwork_top_up": str(top_up.pk), "loopwork_company": str(top_up.company_id)}


def _require_role(user: User, company: Company, roles: tuple[str, ...], action: str) -> None:
    membership = user.company_membership
    if membership is None or membership.company_id != company.pk or membership.role not in roles:
        raise LoopworkError(
            f"Your company role does not allow {action}.", code="forbidden", status=403
        )


def clean_amount(amount_cents: int, *, low: int, high: int, field: str = "amount") -> int:
    if not isinstance(amount_cents, int) or isinstance(amount_cents, bool):
        raise LoopworkError("Enter an amount.", code="invalid_amount", field=field)
    if not low <= amount_cents <= high:
        raise LoopworkError(
            f"Enter an amount from {format_money(low)} to {format_money(high)}.",
            code="invalid_amount",
            field=field,
        )
    return amount_cents


def topup_create(*, company: Company, user: User, amount_cents: int) -> TopUpStart:
    """Start a card top-up: a TopUp row, then a PaymentIntent keyed "loopwork-top-up-<id>".

    Nothing is credited here: the balance moves only when the payment succeeds (the verified
    webhook, or in offline test mode `topup_test_event` through the same handler). Owners and
    managers only. A Stripe refusal marks the top-up failed and is raised (GatewayError).
    """
    _require_role(user, company, (Membership.Role.OWNER, Membership.Role.MANAGER), "top-ups")
    clean_amount(amount_cents, low=MIN_TOP_UP_CENTS, high=MAX_TOP_UP_CENTS)
    gateway = stripe_gateway.get_gateway()
    # The row commits before Stripe is called, so its id (and the idempotency key) is stable
    # whatever happens to the call; a retry with the same key returns the same intent.
    top_up = TopUp.objects.create(
        company=company,
        created_by=user,
        amount_cents=amount_cents,
        currency=platform_currency(),
        test_mode=gateway.test_mode,
    )
    try:
        intent = gateway.payment_intent_create(
            amount_cents=amount_cents,
            currency=top_up.currency,
            idempotency_key=topup_idempotency_key(top_up.pk),
            metadata=_topup_metadata(top_up),
        )
    except GatewayError as error:
        TopUp.objects.filter(pk=top_up.pk, status=TopUp.Status.CREATED).update(
            status=TopUp.Status.FAILED, failure_message=error.message[:300]
        )
        raise
    TopUp.objects.filter(pk=top_up.pk).update(payment_intent_id=intent.id)
    top_up.payment_intent_id = intent.id
    logger.info("top-up started", extra={"top_up_id": top_up.pk, "company_id": company.pk})
    return TopUpStart(top_up=top_up, client_secret=intent.client_secret)


def topup_client_secret(*, top_up: TopUp) -> str:
    """The client secret of a waiting top-up's PaymentIntent (to show the payment form again)."""
    if top_up.status != TopUp.Status.CREATED or not top_up.payment_intent_id:
        raise LoopworkError(
            "This top-up is not waiting for payment.", code="not_payable", status=409
        )
    intent = stripe_gateway.get_gateway().payment_intent_retrieve(
        payment_intent_id=top_up.payment_intent_id
    )
    return intent.client_secret


def topup_test_event(*, top_up: TopUp, succeed: bool) -> dict:
    """The synthetic Stripe event that completes a top-up in offline test mode.

    The caller hands it to webhooks.stripe_event_accept, the path of a verified webhook.
    Refused (409) outside offline test mode and for a top-up that is not waiting.
    """
    gateway = stripe_gateway.get_gateway()
    if not gateway.offline:
        raise LoopworkError(
            "Test payments exist only in offline test mode.", code="not_test_mode", status=409
        )
    if top_up.status != TopUp.Status.CREATED or not top_up.payment_intent_id:
        raise LoopworkError(
            "This top-up is not waiting for payment.", code="not_payable", status=409
        )
    return gateway.payment_event(
        payment_intent_id=top_up.payment_intent_id,
        amount_cents=top_up.amount_cents,
        currency=top_up.currency,
        metadata=_topup_metadata(top_up),
        succeed=succeed,
    )


def receipt_link(top_up_id: int) -> str:
    return reverse("payouts_company:top_up_receipt", args=[top_up_id])


def _top_up_for(intent: stripe_gateway.PaymentIntent) -> TopUp | None:
    """Our top-up for a PaymentIntent, locked; by its id, or by our metadata when the process
    died between Stripe's answer and saving the id. None for a payment that is not ours."""
    rows = TopUp.objects.select_for_update()
    top_up = rows.filter(payment_intent_id=intent.id).first()
    if top_up is not None:
        return top_up
    claimed = str(intent.metadata.get("loopwork_top_up", ""))
    if not claimed.isdigit():
        return None
    top_up = rows.filter(pk=int(claimed), payment_intent_id__isnull=True).first()
    if top_up is None or str(top_up.company_id) != str(intent.metadata.get("loopwork_company")):
        return None
    top_up.payment_intent_id = intent.id
    top_up.save(update_fields=["payment_intent_id", "updated_at"])
    return top_up


@transaction.atomic
def handle_payment_intent_succeeded(event: dict) -> str:
    """Credit the company balance for a verified succeeded payment, once.

    Checks the amount received and currency against the top-up (a mismatch is recorded,
    never credited). Credits under the ledger key "top_up:<id>", so a replayed or duplicated
    event moves nothing more. A succeeded top-up stays succeeded.
    """
    intent = stripe_gateway.PaymentIntent.from_stripe(event["data"]["object"])
    top_up = _top_up_for(intent)
    if top_up is None:
        return IGNORED
    if top_up.status == TopUp.Status.SUCCEEDED:
        return PROCESSED
    if top_up.status == TopUp.Status.CANCELED:
        raise EventMismatch(f"Top-up {top_up.pk} was canceled, yet its payment succeeded.")
    if intent.currency != top_up.currency or intent.amount_received_cents != top_up.amount_cents:
        raise EventMismatch(
            f"Top-up {top_up.pk} is {top_up.amount_cents} {top_up.currency}; Stripe received "
            f"{intent.amount_received_cents} {intent.currency}."
        )
    ledger.transaction_post(
        idempotency_key=f"top_up:{top_up.pk}",
        kind=LedgerTransaction.Kind.TOP_UP,
        legs=[
            Leg(CLEARING, -top_up.amount_cents),
            Leg(ledger.company_balance(top_up.company_id), top_up.amount_cents),
        ],
        currency=top_up.currency,
        reference=f"top_up:{top_up.pk}",
        description="Card top-up (test mode)" if top_up.test_mode else "Card top-up",
        link=receipt_link(top_up.pk),
        source_key=f"top_up:{top_up.pk}",
        source_label="Top-up",
        created_by=top_up.created_by,
    )
    top_up.status = TopUp.Status.SUCCEEDED
    top_up.succeeded_at = timezone.now()
    top_up.failure_message = ""
    top_up.save(update_fields=["status", "succeeded_at", "failure_message", "updated_at"])
    logger.info("top-up credited", extra={"top_up_id": top_up.pk, "company_id": top_up.company_id})
    return PROCESSED


@transaction.atomic
def handle_payment_intent_failed(event: dict) -> str:
    """Record a declined payment. A PaymentIntent may fail and later succeed with another
    card, so only a waiting or failed top-up takes it; a succeeded one never goes back."""
    intent = stripe_gateway.PaymentIntent.from_stripe(event["data"]["object"])
    top_up = _top_up_for(intent)
    if top_up is None:
        return IGNORED
    if top_up.status not in (TopUp.Status.CREATED, TopUp.Status.FAILED):
        return IGNORED
    top_up.status = TopUp.Status.FAILED
    top_up.failure_message = (intent.last_error or "The payment failed.")[:300]
    top_up.save(update_fields=["status", "failure_message", "updated_at"])
    return PROCESSED


@transaction.atomic
def handle_payment_intent_canceled(event: dict) -> str:
    """Record a canceled payment (final); a succeeded top-up never goes back."""
    intent = stripe_gateway.PaymentIntent.from_stripe(event["data"]["object"])
    top_up = _top_up_for(intent)
    if top_up is None:
        return IGNORED
    if top_up.status not in (TopUp.Status.CREATED, TopUp.Status.FAILED):
        return IGNORED
    top_up.status = TopUp.Status.CANCELED
    top_up.save(update_fields=["status", "updated_at"])
    return PROCESSED


# --- Refunds ----------------------------------------------------------------------------------


def refundable_cents(*, company: Company) -> int:
    """How much of the balance can go back to cards: the balance, up to what earlier
    succeeded top-ups can still refund."""
    paid = (
        TopUp.objects.filter(company=company, status=TopUp.Status.SUCCEEDED).aggregate(
            total=Sum("amount_cents")
        )["total"]
        or 0
    )
    refunded = (
        Refund.objects.filter(company=company)
        .exclude(status=Refund.Status.FAILED)
        .aggregate(total=Sum("amount_cents"))["total"]
        or 0
    )
    return max(0, min(company_balance_cents(company.pk), paid - refunded))


def refund_request(*, company: Company, user: User, amount_cents: int) -> list[Refund]:
    """Take `amount_cents` of unused balance back to the cards it came from (owners only).

    Split over succeeded top-ups, newest first, each up to what it has not refunded yet.
    The balance is debited now, in this transaction ("refund:<id>"), so the money cannot be
    spent twice; Stripe is asked after commit (refund_send), and a failed refund gives the
    money back. Refuses (nothing written): insufficient_balance, nothing_to_refund, forbidden.
    """
    _require_role(user, company, (Membership.Role.OWNER,), "refunds")
    clean_amount(amount_cents, low=MIN_REFUND_CENTS, high=MAX_TOP_UP_CENTS * 100)
    with transaction.atomic():
        top_ups = list(
            TopUp.objects.select_for_update()
            .filter(company=company, status=TopUp.Status.SUCCEEDED)
            .order_by("-succeeded_at", "-pk")
        )
        used = dict(
            Refund.objects.filter(top_up__in=top_ups)
            .exclude(status=Refund.Status.FAILED)
            .values("top_up_id")
            .annotate(total=Sum("amount_cents"))
            .values_list("top_up_id", "total")
        )
        balance = company_balance_cents(company.pk)
        if amount_cents > balance:
            raise LoopworkError(
                f"Your unused balance is {format_money(balance)}; you cannot take back "
                f"{format_money(amount_cents)}.",
                code="insufficient_balance",
                field="amount",
                status=409,
            )
        left = amount_cents
        pieces = []
        for top_up in top_ups:
            room = top_up.amount_cents - used.get(top_up.pk, 0)
            if room > 0 and left > 0:
                pieces.append((top_up, min(room, left)))
                left -= min(room, left)
        if left:
            raise LoopworkError(
                f"Only {format_money(amount_cents - left)} of your balance came from card "
                "payments that can still be refunded.",
                code="nothing_to_refund",
                field="amount",
                status=409,
            )
        refunds = []
        for top_up, cents in pieces:
            refund = Refund.objects.create(
                company=company,
                top_up=top_up,
                requested_by=user,
                amount_cents=cents,
                currency=top_up.currency,
            )
            ledger.transaction_post(
                idempotency_key=f"refund:{refund.pk}",
                kind=LedgerTransaction.Kind.REFUND,
                legs=[Leg(ledger.company_balance(company.pk), -cents), Leg(CLEARING, cents)],
                currency=top_up.currency,
                reference=f"refund:{refund.pk}",
                description=f"Refund to the card of top-up #{top_up.pk}",
                link=receipt_link(top_up.pk),
                source_key=f"refund:{refund.pk}",
                source_label="Refund",
                created_by=user,
            )
            refunds.append(refund)
        # Imported here: the tasks module imports this one to call refund_send.
        from .tasks import send_refund

        for refund in refunds:
            transaction.on_commit(lambda pk=refund.pk: send_refund.delay(pk), robust=True)
    logger.info("refund requested", extra={"company_id": company.pk, "refunds": len(refunds)})
    return refunds


def refund_send(*, refund_id: int) -> Refund:
    """Ask Stripe for a requested refund, with the key "loopwork-refund-<id>" (a retry after a
    crash gets the same Stripe refund). Idempotent: a refund Stripe already has is left to
    its webhook. A retryable GatewayError is raised for the task to retry; any other refusal
    fails the refund and gives the money back."""
    refund = Refund.objects.select_related("top_up").get(pk=refund_id)
    if refund.status != Refund.Status.REQUESTED or refund.stripe_refund_id:
        return refund
    try:
        result = stripe_gateway.get_gateway().refund_create(
            payment_intent_id=refund.top_up.payment_intent_id,
            amount_cents=refund.amount_cents,
            idempotency_key=f"loopwork-refund-{refund.pk}",
            metadata={"loopwork_refund": str(refund.pk)},
        )
    except GatewayError as error:
        if error.retryable:
            raise
        return _refund_apply(
            refund_id=refund.pk, stripe_id="", status="failed", reason=error.message
        )
    return _refund_apply(
        refund_id=refund.pk, stripe_id=result.id, status=result.status, reason=result.failure_reason
    )


def refunds_resend_due(*, now=None, limit: int = 200) -> int:
    """Send again the refunds whose task was lost: requested a while ago with no Stripe id.
    Safe beside a running task: Stripe answers the same key with the same refund."""
    now = now or timezone.now()
    due = Refund.objects.filter(
        status=Refund.Status.REQUESTED,
        stripe_refund_id__isnull=True,
        created_at__lte=now - REFUND_RESEND_AFTER,
    ).order_by("pk")
    sent = 0
    for refund_id in due.values_list("pk", flat=True)[:limit]:
        try:
            refund_send(refund_id=refund_id)
        except GatewayError as error:
            logger.warning(
                "refund resend failed", extra={"refund_id": refund_id, "code": error.code}
            )
            continue
        sent += 1
    return sent


@transaction.atomic
def _refund_apply(*, refund_id: int, stripe_id: str, status: str, reason: str) -> Refund:
    """Move a refund forward to what Stripe says: succeeded, or failed with the money back.
    Failed is final; pending keeps it requested; nothing moves it backwards."""
    refund = Refund.objects.select_for_update().get(pk=refund_id)
    if stripe_id and not refund.stripe_refund_id:
        refund.stripe_refund_id = stripe_id
    if refund.status == Refund.Status.FAILED:
        refund.save(update_fields=["stripe_refund_id", "updated_at"])
        return refund
    if status == "succeeded" and refund.status == Refund.Status.REQUESTED:
        refund.status = Refund.Status.SUCCEEDED
    elif status in ("failed", "canceled"):
        original = LedgerTransaction.objects.get(idempotency_key=f"refund:{refund.pk}")
        ledger.transaction_reverse(
            original=original,
            idempotency_key=f"refund:{refund.pk}:returned",
            description="Refund failed: the amount is back on your balance",
        )
        refund.status = Refund.Status.FAILED
        refund.failure_message = (reason or "The card could not take the refund.")[:300]
    refund.save(update_fields=["stripe_refund_id", "status", "failure_message", "updated_at"])
    return refund


def handle_refund_event(event: dict) -> str:
    """refund.created / refund.updated / refund.failed: settle our refund by Stripe's status."""
    data = stripe_gateway.Refund.from_stripe(event["data"]["object"])
    return _settle_refund(data)


def handle_charge_refunded(event: dict) -> str:
    """charge.refunded: settle each of our refunds the charge lists (when Stripe includes them)."""
    refunds = ((event["data"]["object"].get("refunds") or {}).get("data")) or []
    outcomes = [_settle_refund(stripe_gateway.Refund.from_stripe(item)) for item in refunds]
    return PROCESSED if PROCESSED in outcomes else IGNORED


def _settle_refund(data: stripe_gateway.Refund) -> str:
    claimed = str(data.metadata.get("loopwork_refund", ""))
    match = Q(stripe_refund_id=data.id)
    if claimed.isdigit():
        match |= Q(pk=int(claimed), stripe_refund_id__isnull=True)
    refund = Refund.objects.filter(match).first()
    if refund is None:
        return IGNORED
    _refund_apply(
        refund_id=refund.pk, stripe_id=data.id, status=data.status, reason=data.failure_reason
    )
    return PROCESSED
