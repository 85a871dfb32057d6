"""Projects, items and assignments for tests; rows are written directly, like an upload would."""

import datetime

from django.utils import timezone

from marketplace.models import Assignment, Item, Project
from tests.factories import CompanyFactory

CLASSIFICATION_SCHEMA = {"labels": ["positive", "negative", "neutral"], "multiple": False}


def make_project(
    *,
    company=None,
    interface: str = "classification",
    label_schema: dict | None = None,
    status: str = Project.Status.ACTIVE,
    **fields,
) -> Project:
    fields.setdefault("title", "Sentiment of product reviews")
    fields.setdefault("category", "text-annotation")
    fields.setdefault("reward_cents", 5)
    fields.setdefault("overlap", 1)
    fields.setdefault("lease_seconds", 600)
    if status != Project.Status.DRAFT:
        fields.setdefault("launched_at", timezone.now())
    return Project.objects.create(
        company=company or CompanyFactory(),
        interface=interface,
        label_schema=CLASSIFICATION_SCHEMA if label_schema is None else label_schema,
        status=status,
        **fields,
    )


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
        item.submitted_count += status in Assignment.ANSWERED
        item.is_open = item.assigned_count < item.project.overlap
        item.save(update_fields=["assigned_count", "submitted_count", "is_open"])
    return assignment
