"""What launching a draft costs, and the launch that reserves exactly that.

`project_launch_quote` reads the same `project_budget` that `project_escrow_top_up` reserves
and runs the same checks a launch runs (`project_launch_check`, then the balance), so the
launch page and the API answer cannot disagree with what the ledger records. Nothing here
writes, except `project_launch`, which goes through `project_transition` like every state
change.
"""

from dataclasses import dataclass, replace

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q, Sum

from accounts.models import Membership
from core.errors import LoopworkError
from core.money import format_money
from payouts.fees import platform_fee_cents
from payouts.funding import company_balance_cents, escrow_cents, escrow_shortfall_error

from .models import Item, Project
from .projects import project_budget, project_launch_check, project_transition, require_manager

# How a company fixes each refusal: top up the balance, upload items, or edit the settings.
# A refusal code this map does not know (a check added later) is about the project's settings.
FIX_TOP_UP = "top_up"
FIX_UPLOAD = "upload"
FIX_EDIT = "edit"
FIX_NONE = "none"
FIXES = {
    "insufficient_balance": FIX_TOP_UP,
    "no_items": FIX_UPLOAD,
    "invalid_transition": FIX_NONE,
}

RETURNED_WHEN_ENDED = (
    "Whatever the budget does not spend comes back to your balance when the project is "
    "completed or cancelled: answers never given and the unused part of the gold estimate. "
    "Rejected answers are not returned: another worker answers the item instead, and the "
    "rejected answer's budget pays that replacement."
)


@dataclass(frozen=True)
class LaunchRefusal:
    """Why a launch would be refused now: the LoopworkError's code, message and field, and
    how to fix it (one of the FIX_ values)."""

    code: str
    message: str
    field: str | None
    fix: str

    @classmethod
    def from_error(cls, error: LoopworkError) -> "LaunchRefusal":
        return cls(error.code, error.message, error.field, FIXES.get(error.code, FIX_EDIT))


@dataclass(frozen=True)
class LaunchQuote:
    """The budget a launch reserves, line by line, in minor units of `currency`.

    Answers: items x overlap plus the extra answers dynamic overlap asked for, less any
    already approved (`answered`; a rejected answer is replaced, so it is still to pay).
    Each costs the reward plus the platform fee (rounded per answer, as each approval is
    charged); expected gold answers cost the same. `total_cents` equals
    `project_budget(project).total_cents`, the amount the escrow must hold.
    """

    currency: str
    items: int
    gold_items: int
    overlap: int
    extra_answers: int
    answered: int
    answers: int
    reward_cents: int
    fee_percent: int
    fee_each_cents: int
    gold_rate: int
    gold_answers: int
    total_cents: int
    already_reserved_cents: int
    balance_cents: int
    refusal: LaunchRefusal | None = None

    @property
    def cost_each_cents(self) -> int:
        return self.reward_cents + self.fee_each_cents

    @property
    def base_answers(self) -> int:
        return self.items * self.overlap

    @property
    def rewards_cents(self) -> int:
        return self.answers * self.reward_cents

    @property
    def fees_cents(self) -> int:
        return self.answers * self.fee_each_cents

    @property
    def gold_cents(self) -> int:
        return self.gold_answers * self.cost_each_cents

    @property
    def reserve_now_cents(self) -> int:
        return max(self.total_cents - self.already_reserved_cents, 0)

    @property
    def escrow_after_cents(self) -> int:
        return self.already_reserved_cents + self.reserve_now_cents

    @property
    def balance_after_cents(self) -> int:
        return self.balance_cents - self.reserve_now_cents

    @property
    def shortfall_cents(self) -> int:
        return max(self.reserve_now_cents - self.balance_cents, 0)

    @property
    def gold_rate_unused(self) -> bool:
        """A gold rate is set but there are no gold items, so no control answers are drawn."""
        return bool(self.gold_rate) and not self.gold_items

    def as_dict(self) -> dict:
        """The figures for the API, in minor units with the currency."""
        return {
            "currency": self.currency,
            "items": self.items,
            "gold_items": self.gold_items,
            "overlap": self.overlap,
            "extra_answers": self.extra_answers,
            "answers": self.answers,
            "reward_cents": self.reward_cents,
            "rewards_cents": self.rewards_cents,
            "fee_percent": self.fee_percent,
            "fee_each_cents": self.fee_each_cents,
            "fees_cents": self.fees_cents,
            "cost_each_cents": self.cost_each_cents,
            "gold_rate": self.gold_rate,
            "gold_answers": self.gold_answers,
            "gold_cents": self.gold_cents,
            "total_cents": self.total_cents,
            "already_reserved_cents": self.already_reserved_cents,
            "reserved_cents": self.reserve_now_cents,
            "escrow_cents": self.escrow_after_cents,
            "balance_before_cents": self.balance_cents,
            "balance_after_cents": self.balance_after_cents,
            "returned_when_ended": RETURNED_WHEN_ENDED,
        }


def project_launch_quote(project: Project) -> LaunchQuote:
    """What launching `project` now would reserve and leave, and the refusal it would meet.

    Reads only. The refusal is the one the launch raises, checked in the launch's order:
    state and _launch_checks (project_launch_check), then the company balance against
    what the escrow still needs.
    """
    budget = project_budget(project)
    counts = Item.objects.filter(project=project).aggregate(
        items=Count("pk", filter=Q(is_gold=False)),
        gold=Count("pk", filter=Q(is_gold=True)),
        extra=Sum("extra_answers", filter=Q(is_gold=False)),
    )
    extra = counts["extra"] or 0
    fee_each = platform_fee_cents(project.reward_cents)
    quote = LaunchQuote(
        currency=project.currency,
        items=counts["items"],
        gold_items=counts["gold"],
        overlap=project.overlap,
        extra_answers=extra,
        # project_budget leaves out answers already approved (paid); none exist on a draft.
        answered=max(counts["items"] * project.overlap + extra - budget.answers, 0),
        answers=budget.answers,
        reward_cents=project.reward_cents,
        fee_percent=settings.PLATFORM_FEE_PERCENT,
        fee_each_cents=fee_each,
        gold_rate=project.gold_rate,
        gold_answers=budget.gold_answers,
        total_cents=budget.total_cents,
        already_reserved_cents=escrow_cents(project.pk),
        balance_cents=company_balance_cents(project.company_id),
    )
    try:
        project_launch_check(project)
    except LoopworkError as error:
        return replace(quote, refusal=LaunchRefusal.from_error(error))
    if quote.shortfall_cents:
        # The words project_escrow_top_up's reservation refuses with (same breakdown).
        error = escrow_shortfall_error(
            project_title=project.title,
            amount_cents=quote.reserve_now_cents,
            balance_cents=quote.balance_cents,
            currency=project.currency,
            breakdown=f"Launching needs {budget.describe(quote.already_reserved_cents)}",
        )
        return replace(quote, refusal=LaunchRefusal.from_error(error))
    return quote


@transaction.atomic
def project_launch(*, project: Project, membership: Membership) -> LaunchQuote:
    """Launch the draft through project_transition and return the quote it reserved.

    The quote is read under the project's row lock, so the budget it shows is the one the
    launch reserves; the balances come from the ledger after the reservation. Refuses like
    project_transition (role, state, checks, balance) and then changes nothing.
    """
    require_manager(membership=membership, project=project)
    locked = Project.objects.select_for_update().get(pk=project.pk)
    quote = project_launch_quote(locked)
    project_transition(project=locked, membership=membership, action="launch")
    # Another project's launch may have moved the balance since the quote was read; the
    # ledger after this reservation is the truth (its account stays locked until commit).
    return replace(
        quote,
        balance_cents=company_balance_cents(locked.company_id) + quote.reserve_now_cents,
        refusal=None,
    )


def launch_summary(quote: LaunchQuote) -> str:
    """One sentence for the message after a launch: what was reserved and what is left."""
    reserved = format_money(quote.reserve_now_cents, quote.currency)
    left = format_money(quote.balance_after_cents, quote.currency)
    if not quote.reserve_now_cents:
        return f"The budget was already reserved; your balance is {left}."
    return f"{reserved} is reserved for its budget; your balance is now {left}."
