"""Reads of a company's projects that pages and the API share: progress, items, answers.

Every function takes the company or the project it reads, and pages scope the project to
the member's company before calling, so nothing here reaches another company's rows.
Progress counts only ordinary items: gold items are checks, not work the company ordered.
"""

import datetime
import hashlib
import hmac
import json
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone

from core.money import format_money

from .models import Assignment, Item, ItemUpload, Project, ProjectMedia

# Answers that count toward spend: submitted or approved work (a rejection is not paid).
PAID_STATUSES = (Assignment.Status.SUBMITTED, Assignment.Status.APPROVED)
DASHBOARD_PROJECTS = 20


@dataclass(frozen=True)
class Progress:
    """Where a project stands: items by state, answers, spend, pace and estimated finish."""

    items_total: int
    items_done: int
    items_in_progress: int
    items_waiting: int
    gold_items: int
    answers: int
    answers_needed: int
    spend_cents: int
    currency: str
    answers_last_hour: int
    answers_last_day: int
    estimated_finish: datetime.datetime | None

    @property
    def percent_done(self) -> int:
        return round(100 * self.items_done / self.items_total) if self.items_total else 0

    @property
    def percent_in_progress(self) -> int:
        if not self.items_total:
            return 0
        return min(100 - self.percent_done, round(100 * self.items_in_progress / self.items_total))

    @property
    def spend_display(self) -> str:
        return format_money(self.spend_cents, self.currency)

    @property
    def per_hour_last_day(self) -> float:
        return round(self.answers_last_day / 24, 1)

    def as_dict(self) -> dict:
        return {
            "items_total": self.items_total,
            "items_done": self.items_done,
            "items_in_progress": self.items_in_progress,
            "items_waiting": self.items_waiting,
            "gold_items": self.gold_items,
            "answers": self.answers,
            "answers_needed": self.answers_needed,
            "spend_cents": self.spend_cents,
            "currency": self.currency,
            "answers_last_hour": self.answers_last_hour,
            "answers_per_hour_last_day": self.per_hour_last_day,
            "estimated_finish": self.estimated_finish,
            "percent_done": self.percent_done,
        }


# An item is done once it has the project's overlap plus any extra answers asked for it.
_ANSWERS_WANTED = F("project__overlap") + F("extra_answers")
ITEM_STATUSES = {
    "waiting": Q(assigned_count=0),
    "in_progress": Q(assigned_count__gt=0, submitted_count__lt=_ANSWERS_WANTED),
    "done": Q(submitted_count__gte=_ANSWERS_WANTED),
}


def _item_counts(project: Project) -> dict:
    """Items by state in one aggregate query."""
    return Item.objects.filter(project=project).aggregate(
        total=Count("pk", filter=Q(is_gold=False)),
        gold=Count("pk", filter=Q(is_gold=True)),
        done=Count("pk", filter=Q(is_gold=False) & ITEM_STATUSES["done"]),
        started=Count("pk", filter=Q(is_gold=False) & ITEM_STATUSES["in_progress"]),
        submitted=Sum("submitted_count", filter=Q(is_gold=False)),
        extra=Sum("extra_answers", filter=Q(is_gold=False)),
    )


def project_progress(*, project: Project, now: datetime.datetime | None = None) -> Progress:
    """Progress of one project in two aggregate queries, whatever its size.

    The estimated finish divides the answers still needed by the pace of the last 24 hours
    (or of the last hour when that is all there is); none while paused or without a pace.
    """
    now = now or timezone.now()
    items = _item_counts(project)
    answers = Assignment.objects.filter(project=project).aggregate(
        answers=Count("pk", filter=Q(status__in=Assignment.COUNTED, is_gold=False)),
        spend=Sum("reward_cents", filter=Q(status__in=PAID_STATUSES)),
        last_hour=Count(
            "pk",
            filter=Q(
                status__in=Assignment.COUNTED,
                is_gold=False,
                submitted_at__gt=now - datetime.timedelta(hours=1),
            ),
        ),
        last_day=Count(
            "pk",
            filter=Q(
                status__in=Assignment.COUNTED,
                is_gold=False,
                submitted_at__gt=now - datetime.timedelta(hours=24),
            ),
        ),
    )
    total = items["total"]
    needed = max(total * project.overlap + (items["extra"] or 0) - (items["submitted"] or 0), 0)
    pace = answers["last_day"] / 24 or answers["last_hour"]
    estimated = None
    if project.status == Project.Status.ACTIVE and needed and pace:
        estimated = now + datetime.timedelta(hours=needed / pace)
    return Progress(
        items_total=total,
        items_done=items["done"],
        items_in_progress=items["started"],
        items_waiting=total - items["done"] - items["started"],
        gold_items=items["gold"],
        answers=answers["answers"],
        answers_needed=needed,
        spend_cents=answers["spend"] or 0,
        currency=project.currency,
        answers_last_hour=answers["last_hour"],
        answers_last_day=answers["last_day"],
        estimated_finish=estimated,
    )


def company_projects(*, company, limit: int | None = None) -> QuerySet[Project]:
    """The company's projects, newest first, each with its item counts for a progress bar."""
    queryset = (
        Project.objects.filter(company=company)
        .order_by("-created_at", "-pk")
        .annotate(
            items_total=Count("items", filter=Q(items__is_gold=False)),
            items_done=Count(
                "items",
                filter=Q(
                    items__is_gold=False,
                    items__submitted_count__gte=F("overlap") + F("items__extra_answers"),
                ),
            ),
        )
    )
    return queryset[:limit] if limit else queryset


def project_for_company(*, company, project_id: int) -> Project | None:
    return Project.objects.filter(company=company, pk=project_id).first()


def item_status(item: Item, overlap: int) -> str:
    if item.submitted_count >= overlap + item.extra_answers:
        return "done"
    return "in_progress" if item.assigned_count else "waiting"


PREVIEW_KEYS = ("text", "prompt", "title", "query", "image_url", "audio_url")


def item_preview(data: dict) -> str:
    """The item's most telling field, for one line of a table."""
    for key in PREVIEW_KEYS:
        value = data.get(key) if isinstance(data, dict) else None
        if isinstance(value, str) and value:
            return value
    return ""


def project_items(
    *, project: Project, status: str | None = None, gold: bool | None = None
) -> QuerySet[Item]:
    """The project's items in upload order, filtered by status (waiting/in_progress/done)."""
    queryset = Item.objects.filter(project=project).order_by("pk")
    if status in ITEM_STATUSES:
        queryset = queryset.filter(ITEM_STATUSES[status])
    if gold is not None:
        queryset = queryset.filter(is_gold=gold)
    return queryset


def worker_pseudonym(*, company_id: int, worker_id: int) -> str:
    """A stable id for a worker within one company ("W-3f9a1c20"); it reveals no email or
    account id and differs between companies, so companies cannot match workers up."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"{company_id}:{worker_id}".encode(), hashlib.sha256
    ).hexdigest()
    return f"W-{digest[:8]}"


@dataclass(frozen=True)
class AnswerRow:
    worker: str
    status: str
    status_label: str
    answer: dict | None
    submitted_at: datetime.datetime | None
    work_seconds: int | None
    gold_score: float | None

    @property
    def answer_json(self) -> str:
        return json.dumps(self.answer, ensure_ascii=False)


def item_answers(*, item: Item) -> list[AnswerRow]:
    """Every assignment of the item, the answered first, with pseudonymous workers."""
    company_id = item.project.company_id
    rows = Assignment.objects.filter(item=item).order_by(
        F("submitted_at").asc(nulls_last=True), "pk"
    )[: item.project.overlap * 10]
    return [
        AnswerRow(
            worker=worker_pseudonym(company_id=company_id, worker_id=row.worker_id),
            status=row.status,
            status_label=row.get_status_display(),
            answer=row.answer,
            submitted_at=row.submitted_at,
            work_seconds=row.work_seconds,
            gold_score=row.gold_score,
        )
        for row in rows
    ]


def project_uploads(*, project: Project) -> QuerySet[ItemUpload]:
    """The project's uploads, newest first, without their (possibly large) pending rows."""
    return ItemUpload.objects.filter(project=project).defer("rows")


def project_media(*, project: Project) -> QuerySet[ProjectMedia]:
    return ProjectMedia.objects.filter(project=project).order_by("-created_at", "-pk")
