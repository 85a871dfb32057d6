"""Projects, items and assignments for tests; rows are written directly, like an upload would."""

import datetime

from django.db.models import F
from django.utils import timezone

from accounts.models import User
from marketplace.models import Assignment, Item, Project
from tests.factories import CompanyFactory, MembershipFactory, fund_company, fund_escrow

CLASSIFICATION_SCHEMA = {"labels": ["positive", "negative", "neutral"], "multiple": False}


class NoGold:
    """A draw that never picks a gold item (the engine mixes gold in when random() < rate)."""

    def random(self) -> float:
        return 0.999


def make_project(
    *,
    company=None,
    interface: str = "classification",
    label_schema: dict | None = None,
    status: str = Project.Status.ACTIVE,
    escrow_cents: int | None = None,
    balance_cents: int = 0,
    **fields,
) -> Project:
    """A project written directly; a launched one has `escrow_cents` reserved (default
    100.00, as a launch reserves its budget) so approvals can be paid. Pass 0 for none.
    `balance_cents` funds the company's balance too (for budget a project reserves later,
    such as the extra answers of dynamic overlap)."""
    fields.setdefault("title", "Sentiment of product reviews")
    fields.setdefault("category", "text-annotation")
    fields.setdefault("reward_cents", 5)
    # 5 cents for about 20 seconds is $9.00 an hour, above the $8.00 pay floor.
    fields.setdefault("estimated_task_seconds", 20)
    fields.setdefault("overlap", 1)
    fields.setdefault("lease_seconds", 600)
    if status != Project.Status.DRAFT:
        fields.setdefault("launched_at", timezone.now())
    project = Project.objects.create(
        company=company or CompanyFactory(),
        interface=interface,
        label_schema=CLASSIFICATION_SCHEMA if label_schema is None else label_schema,
        status=status,
        **fields,
    )
    if escrow_cents is None:
        escrow_cents = 0 if status == Project.Status.DRAFT else 100_00
    if escrow_cents:
        fund_escrow(project_id=project.pk, company_id=project.company_id, cents=escrow_cents)
    if balance_cents:
        fund_company(project.company_id, balance_cents)
    return project


def make_items(project: Project, count: int, *, gold_label: str | None = None) -> list[Item]:
    """`count` text items; with gold_label they are gold items expecting that label."""
    gold = gold_label is not None
    return Item.objects.bulk_create(
        Item(
            project=project,
            data={"text": f"Review number {n}: the battery lasts all day."},
            is_gold=gold,
            gold_answer={"label": gold_label} if gold else None,
        )
        for n in range(count)
    )


def make_assignment(item: Item, worker, *, status=Assignment.Status.LEASED, **fields) -> Assignment:
    """An assignment written directly (the engine's counters are updated to match)."""
    now = timezone.now()
    fields.setdefault("expires_at", now + datetime.timedelta(seconds=item.project.lease_seconds))
    if status in Assignment.ANSWERED:
        fields.setdefault("answer", {"label": "positive"})
        fields.setdefault("submitted_at", now)
    if status == Assignment.Status.REJECTED:
        fields.setdefault("reject_reason", Assignment.RejectReason.OTHER)
    assignment = Assignment.objects.create(
        project=item.project,
        item=item,
        worker=worker,
        is_gold=item.is_gold,
        status=status,
        reward_cents=item.project.reward_cents,
        **fields,
    )
    if status in Assignment.HOLDS_PLACE:
        item.assigned_count += 1
        item.submitted_count += status in Assignment.COUNTED
        item.is_open = item.assigned_count < item.project.overlap
        item.save(update_fields=["assigned_count", "submitted_count", "is_open"])
    return assignment


def make_reviewer(company, *, role: str = "reviewer"):
    """A company user with a membership of `company` in `role` (owner, manager, reviewer)."""
    return MembershipFactory(company=company, role=role).user


def make_submission(project: Project, worker, *, item: Item | None = None, **fields) -> Assignment:
    """A submitted answer awaiting review, due for automatic approval in the project's delay."""
    item = item or make_items(project, 1)[0]
    # 5 cents for 20 seconds meets the $8.00 hourly floor: no top-up unless a test asks.
    fields.setdefault("work_seconds", 20)
    fields.setdefault(
        "review_due_at", timezone.now() + datetime.timedelta(hours=project.auto_approve_hours)
    )
    return make_assignment(item, worker, status=Assignment.Status.SUBMITTED, **fields)


def make_workers_fast(count: int, prefix: str = "answerer") -> list:
    """`count` worker accounts written in one query (no profile, no password): for data sets."""
    return User.objects.bulk_create(
        User(email=f"{prefix}{n}@example.org", role=User.Role.WORKER) for n in range(count)
    )


def bulk_answers(rows, *, status=Assignment.Status.SUBMITTED) -> list[Assignment]:
    """Answered assignments from (item, worker, answer) rows in bulk; the items' counters
    are raised to match (rows of one item may come in any order)."""
    now = timezone.now()
    assignments = []
    counts: dict[int, int] = {}
    for item, worker, answer in rows:
        assignments.append(
            Assignment(
                project_id=item.project_id, item_id=item.pk, worker_id=worker.pk,
                is_gold=item.is_gold, status=status, reward_cents=5, answer=answer,
                submitted_at=now, expires_at=now, work_seconds=20,
                reject_reason=Assignment.RejectReason.OTHER
                if status == Assignment.Status.REJECTED else "",
            )
        )  # fmt: skip
        counts[item.pk] = counts.get(item.pk, 0) + 1
    created = Assignment.objects.bulk_create(assignments, batch_size=2000)
    by_count: dict[int, list[int]] = {}
    for pk, count in counts.items():
        by_count.setdefault(count, []).append(pk)
    for count, ids in by_count.items():
        for start in range(0, len(ids), 2000):
            Item.objects.filter(pk__in=ids[start : start + 2000]).update(
                assigned_count=F("assigned_count") + count,
                submitted_count=F("submitted_count") + count,
                is_open=False,
            )
    return created
