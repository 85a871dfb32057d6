"""Demo money: the demo workers' earnings, so /work/earnings/ looks like a month of real work.

Everything goes through the real services, in offline test mode: the seeded approvals are
paid with `approval_post` at the time they were decided, two companies pay the demo worker
a bonus weeks ago, those become available with `holds_release_due`, and the demo worker
connects a test payout account and is paid $10 through a payout batch the demo admin
approved. The services stamp rows with `timezone.now()`, so the demo replays that past by
setting the clock for each step (`demo_clock`); nothing here writes a ledger row itself.

Identity: the demo worker's first bonus. Once it exists nothing is written again.
"""

import datetime

from django.db import transaction

from accounts.models import Company, User
from marketplace.models import Assignment, Project, ReviewDecision
from marketplace.review import assignment_pay
from payouts.earnings import bonus_post, holds_release_due
from payouts.models import LedgerTransaction
from payouts.payout_accounts import payout_account_ensure
from payouts.payouts import payout_batch_approve, payout_line_send, payout_request
from payouts.stripe_gateway import OfflineGateway, use_gateway

from .companies import COMPANIES
from .reviews import REVIEW_PROJECT, SAMPLE_WORKERS
from .seed import demo_clock

BONUS_KEY = "demo:{worker}:careful-work"
SEARCH_COMPANY = "meridian-query"
DAY = datetime.timedelta(days=1)


def _approvals(workers: list[User]) -> list[tuple[Assignment, ReviewDecision | None]]:
    assignments = (
        Assignment.objects.filter(worker__in=workers, status=Assignment.Status.APPROVED)
        .select_related("project")
        .order_by("reviewed_at", "pk")
    )
    decisions = {
        decision.assignment_id: decision
        for decision in ReviewDecision.objects.filter(
            assignment__in=assignments, action=ReviewDecision.Action.APPROVED
        )
    }
    return [(assignment, decisions.get(assignment.pk)) for assignment in assignments]


def _pay_approvals(workers: list[User]) -> int:
    paid = 0
    for assignment, decision in _approvals(workers):
        decided_at = assignment.reviewed_at or assignment.submitted_at
        with demo_clock(decided_at):
            assignment_pay(assignment, decision_id=decision.pk if decision else 0, now=decided_at)
        paid += 1
    return paid


def _bonus(*, company: Company, worker: User, cents: int, reason: str, key: str, at, project=None):
    with demo_clock(at):
        bonus_post(
            company_id=company.pk,
            worker_id=worker.pk,
            amount_cents=cents,
            reason=reason,
            actor=None,
            idempotency_key=key,
            project_id=project.pk if project else None,
            project_title=project.title if project else "",
        )


def _release(at: datetime.datetime) -> None:
    with demo_clock(at):
        holds_release_due(now=at)


def _payout(*, worker: User, approver: User, cents: int, at: datetime.datetime) -> None:
    """A payout requested, approved by the demo admin and sent, all in offline test mode."""
    with use_gateway(OfflineGateway()), demo_clock(at):
        payout_account_ensure(worker=worker)
        line = payout_request(worker=worker, amount_cents=cents, idempotency_key="demo-payout")
        payout_batch_approve(batch_id=line.batch_id, actor=approver)
    with use_gateway(OfflineGateway()), demo_clock(at + datetime.timedelta(hours=2)):
        payout_line_send(line_id=line.pk)


def demo_money_ensure(
    *, worker: User, companies: dict[str, Company], approver: User, now: datetime.datetime
) -> int:
    """Write the demo money once; returns how many approvals it paid (0 on later runs)."""
    if LedgerTransaction.objects.filter(
        idempotency_key=f"bonus:{BONUS_KEY.format(worker=worker.pk)}"
    ).exists():
        return 0
    first, second = companies[COMPANIES[0].slug], companies[SEARCH_COMPANY]
    review_project = Project.objects.filter(company=first, title=REVIEW_PROJECT).first()
    with transaction.atomic():
        _bonus(
            company=first,
            worker=worker,
            cents=800,
            reason="Careful work on the Spanish product reviews",
            key=BONUS_KEY.format(worker=worker.pk),
            at=now - 24 * DAY,
            project=review_project,
        )
        _release(now - 21 * DAY)
        _bonus(
            company=second,
            worker=worker,
            cents=450,
            reason="Thorough ratings in our search pilot",
            key=f"demo:{worker.pk}:search-pilot",
            at=now - 11 * DAY,
        )
        _release(now - 8 * DAY)
    _payout(worker=worker, approver=approver, cents=1000, at=now - 6 * DAY)
    samples = list(User.objects.filter(email__in=list(SAMPLE_WORKERS)).order_by("pk"))
    with transaction.atomic():
        return _pay_approvals([worker, *samples])
