"""Quality control from gold items: a worker's accuracy and the rule that stops them.

Accuracy is the mean gold score (0..1) of the worker's answered gold items in a project, as
a percent. Once the worker has given `project.min_gold_answers` gold answers, accuracy
below `project.accuracy_threshold` stops them in that project (a WorkerStop with the
evidence). A threshold of 0 turns the rule off. After a stop is lifted only gold answers
given since then count, so a lifted stop is not re-imposed by the same old answers.
"""

import datetime
import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Avg, Count

from accounts.models import User

from .models import Assignment, Project, WorkerStop

logger = logging.getLogger(__name__)

# A gold answer scoring below this counts as failed in the evidence shown to the worker.
FULL_SCORE = 1.0
EVIDENCE_FAILED_ITEMS = 10


@dataclass(frozen=True)
class GoldStanding:
    answered: int
    accuracy: float | None  # percent, None before any gold answer


def worker_gold_standing(
    *, worker: User, project: Project, since: datetime.datetime | None = None
) -> GoldStanding:
    """The worker's gold answers and accuracy in the project (optionally since a time)."""
    answers = _gold_answers(worker=worker, project=project, since=since)
    figures = answers.aggregate(answered=Count("pk"), mean=Avg("gold_score"))
    mean = figures["mean"]
    return GoldStanding(
        answered=figures["answered"], accuracy=None if mean is None else round(mean * 100, 2)
    )


def quality_apply_stop_rule(
    *, worker: User, project: Project, now: datetime.datetime
) -> WorkerStop | None:
    """Stop the worker in the project if their gold accuracy is below the threshold.

    Returns the new stop, or None (rule off, too few gold answers, accuracy good enough, or
    already stopped). Safe to call twice: the partial unique constraint keeps one active
    stop per worker and project.
    """
    if project.accuracy_threshold == 0:
        return None
    last_lift = (
        WorkerStop.objects.filter(project=project, worker=worker, lifted_at__isnull=False)
        .order_by("-lifted_at")
        .values_list("lifted_at", flat=True)
        .first()
    )
    standing = worker_gold_standing(worker=worker, project=project, since=last_lift)
    if standing.answered < project.min_gold_answers or standing.accuracy is None:
        return None
    if standing.accuracy >= project.accuracy_threshold:
        return None
    failed = list(
        _gold_answers(worker=worker, project=project, since=last_lift)
        .filter(gold_score__lt=FULL_SCORE)
        .order_by("-submitted_at", "-pk")
        .values_list("item_id", flat=True)[:EVIDENCE_FAILED_ITEMS]
    )
    evidence = {
        "gold_answered": standing.answered,
        "accuracy": standing.accuracy,
        "threshold": project.accuracy_threshold,
        "recent_failed_gold_item_ids": failed,
    }
    reason = (
        f"Your accuracy on control tasks is {standing.accuracy:g}% over "
        f"{standing.answered} control tasks; this project requires at least "
        f"{project.accuracy_threshold}%."
    )
    try:
        with transaction.atomic():
            stop = WorkerStop.objects.create(
                project=project, worker=worker, reason=reason, evidence=evidence
            )
    except IntegrityError:
        return None  # an active stop exists already
    logger.info(
        "worker stopped project=%s worker=%s accuracy=%s", project.pk, worker.pk, standing.accuracy
    )
    return stop


def _gold_answers(*, worker: User, project: Project, since: datetime.datetime | None):
    answers = Assignment.objects.filter(
        project=project,
        worker=worker,
        is_gold=True,
        status__in=Assignment.ANSWERED,
        gold_score__isnull=False,
    )
    if since is not None:
        answers = answers.filter(submitted_at__gt=since)
    return answers
