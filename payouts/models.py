"""The money side: a double-entry ledger, company top-ups and refunds, payout accounts,
payout batches and lines, stored Stripe events and reconciliation reports.

Ledger rows are append-only (the database refuses UPDATE and DELETE on transactions and
entries, see migration 0002); `payouts/ledger.py` is their only writer.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from core.models import TimeStampedModel

PLATFORM = 0  # owner_id of the platform's own accounts


class LedgerAccount(models.Model):
    """One account of the ledger, owned by a company, a project, a worker or the platform.

    The kind says what the owner id means. The balance is the sum of the account's entries;
    `balance_cents` caches it and is updated in the same database transaction as each entry.
    Sign convention: a positive balance is money the platform holds in that account for its
    owner. Accounts of what others owe the platform are signed the other way, as claims:
    Stripe clearing (money that entered, negative) and a worker's receivable (minus what the
    worker owes after a fraud reversal exceeded their balance; never above zero). Every other
    account must never go negative; a check constraint stands behind the locked check in the
    ledger.
    """

    class Kind(models.TextChoices):
        COMPANY_BALANCE = "company_balance", "Company balance"
        PROJECT_ESCROW = "project_escrow", "Project escrow"
        WORKER_PENDING = "worker_pending", "Pending earnings"
        WORKER_AVAILABLE = "worker_available", "Available earnings"
        WORKER_IN_TRANSIT = "worker_in_transit", "Payouts in transit"
        PLATFORM_REVENUE = "platform_revenue", "Platform revenue"
        PLATFORM_STRIPE_CLEARING = "platform_stripe_clearing", "Stripe clearing"
        PLATFORM_PAYOUTS = "platform_payouts", "Paid out"
        # Minus what a worker owes after a reversal exceeded their balance; owner: the worker.
        PLATFORM_RECEIVABLE = "platform_receivable", "Receivable from worker"
        # Completion payments reserved for attempts in progress of a paid qualification test;
        # the owner is the test.
        TEST_ESCROW = "test_escrow", "Paid test reserve"

    MAY_GO_NEGATIVE = (Kind.PLATFORM_STRIPE_CLEARING, Kind.PLATFORM_RECEIVABLE)
    # Claims: a receivable is at most zero (a worker never owes less than nothing).
    NEVER_POSITIVE = (Kind.PLATFORM_RECEIVABLE,)
    COMPANY_KINDS = (Kind.COMPANY_BALANCE,)
    PROJECT_KINDS = (Kind.PROJECT_ESCROW,)
    TEST_KINDS = (Kind.TEST_ESCROW,)
    WORKER_KINDS = (
        Kind.WORKER_PENDING,
        Kind.WORKER_AVAILABLE,
        Kind.WORKER_IN_TRANSIT,
        Kind.PLATFORM_RECEIVABLE,
    )

    kind = models.CharField(max_length=32, choices=Kind.choices)
    owner_id = models.PositiveBigIntegerField(default=PLATFORM)
    currency = models.CharField(max_length=3)
    balance_cents = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "owner_id", "currency"], name="ledger_account_unique"
            ),
            models.CheckConstraint(
                condition=Q(kind="platform_stripe_clearing")
                | Q(kind="platform_receivable", balance_cents__lte=0)
                | (Q(balance_cents__gte=0) & ~Q(kind="platform_receivable")),
                name="ledger_account_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.kind}:{self.owner_id} {self.currency}"


class LedgerTransaction(models.Model):
    """One movement of money: balanced entries, a unique idempotency key and what it was for.

    `reference` names the thing that caused it ("assignment:42", "payout_line:7") and `link`
    is the page that shows it, so statements need no import of the apps that post.
    `source_key`/`source_label` group lines for people ("project:12", its title), and
    `work_seconds` is the measured work time behind an earning, for effective hourly rates.
    `available_at` is set on transactions that credit a worker's pending earnings.
    """

    class Kind(models.TextChoices):
        TOP_UP = "top_up", "Top-up"
        REFUND = "refund", "Refund"
        ESCROW_RESERVE = "escrow_reserve", "Budget reserved"
        ESCROW_RELEASE = "escrow_release", "Budget released"
        APPROVAL = "approval", "Approved task"
        BONUS = "bonus", "Bonus"
        TEST_PAYMENT = "test_payment", "Paid qualification test"
        PAY_FLOOR = "pay_floor", "Pay floor top-up"
        HOLD_RELEASE = "hold_release", "Became available"
        REVERSAL = "reversal", "Reversal"
        PAYOUT = "payout", "Payout"
        PAYOUT_PAID = "payout_paid", "Payout paid"
        PAYOUT_RETURNED = "payout_returned", "Payout returned"

    idempotency_key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=24, choices=Kind.choices)
    currency = models.CharField(max_length=3)
    reference = models.CharField(max_length=100, db_index=True)
    description = models.CharField(max_length=300)
    link = models.CharField(max_length=300, blank=True)
    source_key = models.CharField(max_length=100, blank=True, db_index=True)
    source_label = models.CharField(max_length=200, blank=True)
    work_seconds = models.PositiveIntegerField(null=True, blank=True)
    available_at = models.DateTimeField(null=True, blank=True)
    reverses = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversals"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        permissions = [("reverse_ledgertransaction", "Can reverse approved work for fraud")]

    def __str__(self):
        return f"{self.kind} {self.idempotency_key}"


class LedgerEntry(models.Model):
    """One side of a transaction: a non-zero amount on one account. Never updated or deleted."""

    transaction = models.ForeignKey(
        LedgerTransaction, on_delete=models.PROTECT, related_name="entries"
    )
    account = models.ForeignKey(LedgerAccount, on_delete=models.PROTECT, related_name="entries")
    amount_cents = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["account", "id"], name="ledger_entry_account")]
        constraints = [
            models.CheckConstraint(condition=~Q(amount_cents=0), name="ledger_entry_not_zero")
        ]

    def __str__(self):
        return f"{self.account_id} {self.amount_cents}"


class EarningHold(models.Model):
    """Earnings waiting in a worker's pending account until `release_at`.

    One per transaction that credits pending earnings. The hold-release job moves
    `amount_cents - reversed_cents` to available once and records the transaction that did.
    """

    transaction = models.OneToOneField(
        LedgerTransaction, on_delete=models.PROTECT, related_name="hold"
    )
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="earning_holds"
    )
    amount_cents = models.PositiveBigIntegerField()
    reversed_cents = models.PositiveBigIntegerField(default=0)
    currency = models.CharField(max_length=3)
    release_at = models.DateTimeField()
    released_by = models.OneToOneField(
        LedgerTransaction, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(
                fields=["release_at"],
                condition=Q(released_by__isnull=True),
                name="earning_hold_due",
            ),
            models.Index(fields=["worker", "release_at"], name="earning_hold_worker"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(reversed_cents__lte=F("amount_cents")),
                name="earning_hold_reversed_within_amount",
            )
        ]

    def __str__(self):
        return f"hold {self.transaction_id} until {self.release_at:%Y-%m-%d}"


class TopUp(TimeStampedModel):
    """A company paying money into its balance by card, through a Stripe PaymentIntent.

    Credited to the balance only when the verified `payment_intent.succeeded` webhook
    arrives (or at once in offline test mode), once per payment.
    """

    class Status(models.TextChoices):
        CREATED = "created", "Waiting for payment"
        SUCCEEDED = "succeeded", "Paid"
        FAILED = "failed", "Failed"
        CANCELED = "canceled", "Canceled"

    company = models.ForeignKey(
        "accounts.Company", on_delete=models.PROTECT, related_name="top_ups"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    amount_cents = models.PositiveBigIntegerField()
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.CREATED)
    payment_intent_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    test_mode = models.BooleanField(default=False)
    succeeded_at = models.DateTimeField(null=True, blank=True)
    failure_message = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_cents__gte=1), name="top_up_positive")
        ]


class Refund(TimeStampedModel):
    """A company taking unused balance back, refunded to the card of an earlier top-up."""

    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        SUCCEEDED = "succeeded", "Refunded"
        FAILED = "failed", "Failed"

    company = models.ForeignKey(
        "accounts.Company", on_delete=models.PROTECT, related_name="refunds"
    )
    top_up = models.ForeignKey(TopUp, on_delete=models.PROTECT, related_name="refunds")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    amount_cents = models.PositiveBigIntegerField()
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.REQUESTED)
    stripe_refund_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    failure_message = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_cents__gte=1), name="refund_positive")
        ]


class PayoutAccount(TimeStampedModel):
    """A worker's Stripe Connect Express account, and whether Stripe lets it receive payouts.

    `stripe_updated_at` is the creation time of the last `account.updated` event applied, so
    an older event that arrives late never moves the state backwards.
    """

    worker = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payout_account"
    )
    stripe_account_id = models.CharField(max_length=255, unique=True)
    details_submitted = models.BooleanField(default=False)
    payouts_enabled = models.BooleanField(default=False)
    test_mode = models.BooleanField(default=False)
    stripe_updated_at = models.DateTimeField(null=True, blank=True)


class PayoutBatch(TimeStampedModel):
    """A set of payout lines reviewed and approved together by staff.

    The approver must be someone other than the creator (the scheduler creates with no user).
    """

    class Kind(models.TextChoices):
        SCHEDULED = "scheduled", "Weekly schedule"
        REQUESTED = "requested", "Worker requests"

    class Status(models.TextChoices):
        OPEN = "open", "Awaiting review"
        APPROVED = "approved", "Approved"
        SENDING = "sending", "Sending"
        DONE = "done", "Done"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    currency = models.CharField(max_length=3)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    # "weekly:<ISO year>-W<week>:<currency>" on the scheduler's batches, empty on staff-made
    # ones; unique, so two scheduler runs at once cannot both make the week's batch.
    schedule_key = models.CharField(max_length=40, blank=True, default="")

    class Meta:
        ordering = ["-created_at"]
        permissions = [("approve_payoutbatch", "Can review and approve payout batches")]
        constraints = [
            models.UniqueConstraint(
                fields=["schedule_key"],
                condition=~Q(schedule_key=""),
                name="payout_batch_one_per_schedule_key",
            ),
            # Worker requests gather in one open batch per currency, even when the first two
            # requests race to open it.
            models.UniqueConstraint(
                fields=["kind", "currency"],
                condition=Q(kind="requested", status="open"),
                name="payout_batch_one_open_request_batch",
            ),
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True)
                | Q(created_by__isnull=True)
                | ~Q(approved_by=F("created_by")),
                name="payout_batch_four_eyes",
            ),
        ]


class PayoutLine(TimeStampedModel):
    """One transfer to one worker. Its Stripe idempotency key derives from its id, so a retried
    send can never pay twice; `stripe_transfer_id` is unique behind that.
    """

    class Status(models.TextChoices):
        PENDING_REVIEW = "pending_review", "Awaiting review"
        HELD = "held", "Held"
        APPROVED = "approved", "Approved"
        SENDING = "sending", "Sending"
        PAID = "paid", "Paid"
        FAILED = "failed", "Failed"
        REVERSED = "reversed", "Reversed"

    batch = models.ForeignKey(
        PayoutBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="lines"
    )
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payout_lines"
    )
    payout_account = models.ForeignKey(PayoutAccount, on_delete=models.PROTECT, related_name="+")
    amount_cents = models.PositiveBigIntegerField()
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING_REVIEW)
    requested_by_worker = models.BooleanField(default=False)
    fraud_flags = models.JSONField(default=list, blank=True)
    hold_reason = models.CharField(max_length=300, blank=True)
    stripe_transfer_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    sending_started_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    expected_at = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["worker", "-created_at"], name="payout_line_worker"),
            models.Index(fields=["status", "sending_started_at"], name="payout_line_status"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount_cents__gte=1), name="payout_line_positive")
        ]

    @property
    def idempotency_key(self) -> str:
        return f"loopwork-payout-line-{self.pk}"


class StripeEvent(models.Model):
    """A verified Stripe webhook event, stored once by its id and processed at most once."""

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        PROCESSED = "processed", "Processed"
        IGNORED = "ignored", "Ignored"
        FAILED = "failed", "Failed"

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100, db_index=True)
    account = models.CharField(max_length=255, blank=True)  # connected account, if any
    livemode = models.BooleanField(default=False)
    stripe_created_at = models.DateTimeField()
    payload = models.JSONField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RECEIVED)
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self):
        return f"{self.type} {self.event_id}"


class ReconciliationReport(models.Model):
    """The outcome of one `manage.py reconcile` run: each difference found, nothing fixed."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    accounts_checked = models.PositiveIntegerField(default=0)
    transfers_checked = models.PositiveIntegerField(default=0)
    differences = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-started_at"]
        permissions = [("view_reconciliation", "Can see reconciliation reports")]

    def __str__(self):
        return f"reconciliation {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def clean(self) -> bool:
        return self.finished_at is not None and not self.differences
