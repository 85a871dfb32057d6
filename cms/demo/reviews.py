"""Demo review history: submissions of demo workers on the demo company's sentiment project,
some waiting for review, some approved, rejected with a reason or returned for revision, so
the review page, the worker's history and the company's record are not empty in a demo.

Rows are written directly, as the engine and the review service would have left them
(counters, audit rows, review deadlines). Identity is the sample worker: once they hold an
assignment in the project, nothing is written again.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction

from accounts.models import Company, User
from annotation.registry import get_interface
from marketplace.aggregation import aggregate_item
from marketplace.company_record import company_record_refresh
from marketplace.models import Assignment, CompanyRating, Item, Project, ReviewDecision

from .seed import DemoPassword, demo_profile_ensure, demo_user_ensure
from .users import WORKER_PROFILE, DemoProfile

REVIEW_PROJECT = "Product review sentiment (Spanish)"
SAMPLE_WORKERS = {
    "sam@example.com": DemoProfile(
        "Sam Demo", "PH", ("en", "es"), WORKER_PROFILE.categories, 25, "Asia/Manila"
    ),
    "lee@example.com": DemoProfile(
        "Lee Demo", "ES", ("es", "en"), WORKER_PROFILE.categories, 15, "Europe/Madrid"
    ),
}
GOLD = "gold"
WRONG = "wrong"
S = Assignment.Status
R = Assignment.RejectReason


@dataclass(frozen=True)
class DemoSubmission:
    item: int | str  # index of the project's ordinary items, or GOLD
    label: str  # the answer, or WRONG for a wrong answer to the gold item
    status: str
    hours_ago: int
    work_seconds: int
    agreement: float | None = None
    reason: str = ""
    comment: str = ""


PLAN = {
    "worker": [
        DemoSubmission(0, "positive", S.APPROVED, 70, 41, 1.0),
        DemoSubmission(1, "negative", S.APPROVED, 60, 35, 1.0),
        DemoSubmission(GOLD, GOLD, S.APPROVED, 50, 38),
        DemoSubmission(
            2,
            "neutral",
            S.REJECTED,
            30,
            12,
            0.0,
            R.DISAGREES,
            "The reviewer says the battery died after a week: that is a complaint, so the "
            "label is negative, as the other workers answered.",
        ),
        DemoSubmission(
            3,
            "positive",
            S.REVISION,
            20,
            25,
            None,
            "",
            "Read the last sentence again: the reviewer also complains about the delivery. "
            "The instructions call that mixed.",
        ),
        DemoSubmission(4, "positive", S.SUBMITTED, 3, 30, 1.0),
        DemoSubmission(5, "mixed", S.SUBMITTED, 1, 44),
    ],
    "sam@example.com": [
        DemoSubmission(0, "positive", S.APPROVED, 68, 52, 1.0),
        DemoSubmission(1, "negative", S.APPROVED, 58, 47, 1.0),
        DemoSubmission(2, "negative", S.APPROVED, 29, 40, 1.0),
        DemoSubmission(
            GOLD,
            WRONG,
            S.REJECTED,
            27,
            31,
            None,
            R.FAILED_GOLD,
            "This was a control item with a known answer; please re-read the instructions.",
        ),
        DemoSubmission(3, "mixed", S.SUBMITTED, 5, 39, 0.5),
        DemoSubmission(4, "positive", S.SUBMITTED, 4, 28, 1.0),
    ],
    "lee@example.com": [
        DemoSubmission(0, "positive", S.APPROVED, 66, 33, 1.0),
        DemoSubmission(
            1,
            "neutral",
            S.REJECTED,
            40,
            2,
            0.0,
            R.TOO_FAST,
            "Two seconds is not enough to read the review.",
        ),
        DemoSubmission(2, "negative", S.SUBMITTED, 6, 36, 1.0),
        DemoSubmission(3, "mixed", S.SUBMITTED, 5, 45, 0.5),
        DemoSubmission(4, "negative", S.SUBMITTED, 2, 29, 0.0),
        DemoSubmission(5, "mixed", S.SUBMITTED, 1, 2),
    ],
}
DECISION_DELAY = datetime.timedelta(hours=5)


def _answer(spec: DemoSubmission, gold_item: Item, labels: list[str]) -> dict:
    if spec.label == GOLD:
        return dict(gold_item.gold_answer)
    if spec.label == WRONG:
        expected = gold_item.gold_answer["label"]
        return {"label": next(label for label in labels if label != expected)}
    return {"label": spec.label}


def _assignment(project, item, worker, spec, answer, reviewer, now) -> Assignment:
    submitted_at = now - datetime.timedelta(hours=spec.hours_ago)
    leased_at = submitted_at - datetime.timedelta(seconds=spec.work_seconds)
    # A revision request is a review too: it records who and when, like a decision.
    reviewed = spec.status in (*Assignment.DECIDED, S.REVISION)
    gold_score = None
    if item.is_gold:
        gold_score = 1.0 if answer == item.gold_answer else 0.0
    return Assignment(
        project=project,
        item=item,
        worker=worker,
        is_gold=item.is_gold,
        status=spec.status,
        reward_cents=project.reward_cents,
        leased_at=leased_at,
        expires_at=leased_at + project.lease_duration,
        submitted_at=submitted_at,
        answer=answer,
        work_seconds=spec.work_seconds,
        gold_score=gold_score,
        is_too_fast=spec.work_seconds < project.min_work_seconds,
        agreement=spec.agreement,
        review_due_at=submitted_at + datetime.timedelta(hours=project.auto_approve_hours),
        reviewed_at=submitted_at + DECISION_DELAY if reviewed else None,
        reviewed_by=reviewer if reviewed else None,
        reject_reason=spec.reason if spec.status == S.REJECTED else "",
        review_comment=spec.comment,
        revision_count=1 if spec.status == S.REVISION else 0,
    )


def _decision(assignment: Assignment, reviewer: User) -> ReviewDecision | None:
    action = {
        S.APPROVED: ReviewDecision.Action.APPROVED,
        S.REJECTED: ReviewDecision.Action.REJECTED,
        S.REVISION: ReviewDecision.Action.REVISION_REQUESTED,
    }.get(assignment.status)
    if action is None:
        return None
    return ReviewDecision(
        assignment=assignment,
        action=action,
        actor=reviewer,
        reason=assignment.reject_reason,
        comment=assignment.review_comment,
        created_at=assignment.reviewed_at,
    )


@transaction.atomic
def demo_reviews_ensure(
    *,
    company: Company,
    reviewer: User,
    worker: User,
    password: DemoPassword,
    now: datetime.datetime,
) -> int:
    """Write the demo submissions once; returns how many were created (0 on later runs)."""
    workers = {"worker": worker}
    for email, profile in SAMPLE_WORKERS.items():
        sample, _ = demo_user_ensure(email=email, role=User.Role.WORKER, password=password)
        demo_profile_ensure(user=sample, profile=profile)
        workers[email] = sample
    project = Project.objects.filter(company=company, title=REVIEW_PROJECT).first()
    if (
        project is None
        or Assignment.objects.filter(
            project=project, worker__in=list(workers.values())[1:]
        ).exists()
    ):
        return 0
    taken = Assignment.objects.filter(project=project).values_list("item_id", flat=True)
    fresh = Item.objects.filter(project=project).exclude(pk__in=taken).order_by("pk")
    items = list(fresh.filter(is_gold=False)[:6])
    gold_item = fresh.filter(is_gold=True).first()
    if len(items) < 6 or gold_item is None:
        return 0
    labels = project.label_schema["labels"]
    interface = get_interface(project.interface)
    assignments = []
    for key, plan in PLAN.items():
        for spec in plan:
            item = gold_item if spec.item == GOLD else items[spec.item]
            answer = interface.clean_answer(
                _answer(spec, gold_item, labels), project.label_schema, item.data
            )
            assignments.append(
                _assignment(project, item, workers[key], spec, answer, reviewer, now)
            )
    Assignment.objects.bulk_create(assignments)
    ReviewDecision.objects.bulk_create(
        decision
        for decision in (_decision(assignment, reviewer) for assignment in assignments)
        if decision is not None
    )
    for item in [*items, gold_item]:
        answered = sum(1 for assignment in assignments if assignment.item_id == item.pk)
        item.assigned_count += answered
        item.submitted_count += answered
        if not item.is_gold and item.submitted_count >= project.overlap + item.extra_answers:
            item.is_open = False
            item.completed_at = now
    Item.objects.bulk_update(
        [*items, gold_item], ["assigned_count", "submitted_count", "is_open", "completed_at"]
    )
    # As the item_completed task would have: the results page shows aggregated answers.
    for item in items:
        if not item.is_open:
            aggregate_item(item.pk)
    CompanyRating.objects.get_or_create(
        company=company,
        worker=workers["sam@example.com"],
        defaults={"clarity": 4, "fairness": 4, "review_speed": 5, "comment": "Clear guidelines."},
    )
    company_record_refresh(company.pk, now=now)
    return len(assignments)
