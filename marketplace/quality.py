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
from django.urls import reverse

from accounts.models import User
from accounts.notifications import notify
from jobs.qualification_models import QualificationGrant

from .models import Assignment, Project, WorkerStop

logger = logging.getLogger(__name__)

# A gold answer scoring below this counts as failed in the evidence shown to the worker.
FULL_SCORE = 1.0
EVIDENCE_FAILED_ITEMS = 10
# Where a worker sees their stops with the evidence and the state of their appeals
# (marketplace.disputes links its appeal notifications here).
APPEAL_PATH = "/work/quality/"


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
            if project.revoke_qualification_on_stop and project.required_qualification_id:
                revoked = _revoke_required_qualification(worker=worker, project=project, now=now)
                if revoked is not None:
                    stop.evidence["qualification_revoked"] = revoked
                    stop.save(update_fields=["evidence", "updated_at"])
    except IntegrityError:
        return None  # an active stop exists already
    logger.info(
        "worker stopped project=%s worker=%s accuracy=%s", project.pk, worker.pk, standing.accuracy
    )
    _notify_stopped(stop=stop, project=project)
    return stop


def _revoke_required_qualification(
    *, worker: User, project: Project, now: datetime.datetime
) -> dict | None:
    """Revoke the worker's grant of the project's required qualification, if they hold one.

    jobs.qualification.grant_revoke needs a person as the actor; this revocation is made by
    the system (revoked_by stays empty), so the row is updated here under its lock.
    """
    grant = (
        QualificationGrant.objects.select_for_update()
        .filter(worker=worker, qualification_id=project.required_qualification_id)
        .first()
    )
    if grant is None or grant.revoked_at is not None:
        return None
    grant.revoked_at = now
    grant.revoked_by = None
    grant.revoke_reason = (
        f"Stopped by quality control on project {project.pk}: gold accuracy below "
        f"{project.accuracy_threshold}%."
    )
    grant.save(update_fields=["revoked_at", "revoked_by", "revoke_reason", "updated_at"])
    logger.info("grant revoked by quality control grant=%s project=%s", grant.pk, project.pk)
    return {"grant_id": grant.pk, "qualification_id": grant.qualification_id}


def _notify_stopped(*, stop: WorkerStop, project: Project) -> None:
    """Tell the worker why they were stopped, with the evidence, and where to appeal.

    Only item numbers are named: the expected answers of gold items stay secret.
    """
    evidence = stop.evidence
    lines = [stop.reason]
    missed = evidence.get("recent_failed_gold_item_ids") or []
    if missed:
        lines.append(
            "Control tasks you missed (latest first): "
            + ", ".join(f"item {item_id}" for item_id in missed)
            + "."
        )
    if "qualification_revoked" in evidence:
        lines.append("The qualification this project requires was revoked as well.")
    lines.append("If you think this is wrong, you can appeal; staff will look at it.")
    notify(
        stop.worker,
        kind="worker_stopped",
        title=f"You were stopped on “{project.title}”",
        body="\n\n".join(lines),
        link=reverse("work:stop_appeal", kwargs={"project_id": project.pk}),
    )


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
