"""The worker's pages under /work/: home, a project, the task loop and its end states.

Thin: the engine (assignment.py) decides who gets which task and whether an answer counts;
worker_selectors.py reads what the pages show. Every lookup is scoped to the worker.
"""

import datetime
import json

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from annotation.forms import answer_from_post
from annotation.registry import get_interface
from core.access import worker_required
from core.durations import format_duration
from core.errors import LoopworkError
from core.money import format_money
from jobs.applications import applications_for_worker
from jobs.models import JobPage

from . import worker_selectors as selectors
from .assignment import assignment_claim_next, assignment_return, assignment_submit
from .models import Assignment, Project

SESSION_RUNS = "work_runs"


def _missing_profile_parts(user) -> list[str]:
    """What the worker has not told us yet that matching listings and projects needs."""
    profile = getattr(user, "worker_profile", None)
    if profile is None:
        return ["your country", "the languages you work in", "the kinds of work you want"]
    missing = []
    if profile.country_id is None:
        missing.append("your country")
    if not profile.languages.exists():
        missing.append("the languages you work in")
    if not profile.categories:
        missing.append("the kinds of work you want")
    return missing


@worker_required
@require_GET
def home(request):
    """The worker's home: profile prompt, their projects under the listings they came
    through, the locked ones with the way in, latest applications."""
    applications = applications_for_worker(worker=request.user)
    return render(
        request,
        "marketplace/work_home.html",
        {
            "missing_profile": _missing_profile_parts(request.user),
            "home": selectors.worker_home(worker=request.user),
            "recent_applications": applications[:5],
            "application_total": applications.count(),
        },
    )


@worker_required
@require_GET
def listing_tasks(request, listing_id: int):
    """ "Start tasks" from a listing: its one open project's page, or /work/ at the listing
    when it has several. A listing with no project open to the worker says why there."""
    listing = get_object_or_404(JobPage.objects.live(), pk=listing_id)
    cards = selectors.listing_projects_for_worker(worker=request.user, listing=listing)
    startable = [card for card in cards if card.eligibility.ok]
    if len(startable) == 1:
        return redirect("work:project", project_id=startable[0].project.pk)
    if startable:
        return redirect(reverse("work:home") + f"#listing-{listing.pk}")
    if cards:
        return redirect("work:project", project_id=cards[0].project.pk)
    messages.info(request, f"“{listing.title}” has no tasks open right now.")
    return redirect(listing.url or reverse("work:home"))


# --- A run of tasks: its start time and content confirmation live in the session ----------


def _run(request, project: Project) -> dict | None:
    return request.session.get(SESSION_RUNS, {}).get(str(project.pk))


def _run_begin(request, project: Project, *, confirmed: bool) -> None:
    runs = request.session.get(SESSION_RUNS, {})
    runs[str(project.pk)] = {"since": timezone.now().isoformat(), "confirmed": confirmed}
    request.session[SESSION_RUNS] = runs


def _tally(request, project: Project) -> selectors.SessionTally | None:
    run = _run(request, project)
    if run is None:
        return None
    since = datetime.datetime.fromisoformat(run["since"])
    return selectors.session_tally(worker=request.user, project=project, since=since)


def _claim_next(request, project: Project):
    """Lease the worker's next task and go to it; the end states when there is none."""
    try:
        assignment = assignment_claim_next(worker=request.user, project=project)
    except LoopworkError as refusal:
        messages.warning(request, refusal.message)
        return redirect("work:project", project_id=project.pk)
    if assignment is None:
        return redirect("work:project_done", project_id=project.pk)
    return redirect("work:task", assignment_id=assignment.pk)


# --- Projects -----------------------------------------------------------------------------


def _worker_project(project_id: int) -> Project:
    return get_object_or_404(selectors.project_for_worker(project_id=project_id))


@worker_required
@require_GET
def project_detail(request, project_id: int):
    project = _worker_project(project_id)
    card = selectors.project_card(worker=request.user, project=project)
    return render(
        request,
        "marketplace/project_detail.html",
        {
            "project": project,
            "card": card,
            "interface": get_interface(project.interface),
            "tally": _tally(request, project),
            "lease_text": format_duration(project.lease_seconds),
        },
    )


@worker_required
@require_POST
def project_start(request, project_id: int):
    """Start (or carry on with) a run of tasks; graphic content needs the worker's consent."""
    project = _worker_project(project_id)
    run = _run(request, project)
    carry_on = request.POST.get("continue") == "1" and run is not None
    confirmed = request.POST.get("confirm_content") == "yes" or (
        carry_on and run.get("confirmed", False)
    )
    if project.content_risk == Project.ContentRisk.GRAPHIC and not confirmed:
        messages.error(
            request, "Please confirm that you are ready to see graphic content before you start."
        )
        return redirect("work:project", project_id=project.pk)
    if not carry_on:
        _run_begin(request, project, confirmed=confirmed)
    return _claim_next(request, project)


@worker_required
@require_GET
def project_done(request, project_id: int):
    """Nothing is left for this worker in the project right now."""
    project = _worker_project(project_id)
    return render(
        request,
        "marketplace/project_done.html",
        {"project": project, "tally": _tally(request, project)},
    )


# --- Tasks --------------------------------------------------------------------------------


def _worker_assignment(request, assignment_id: int) -> Assignment:
    return get_object_or_404(
        selectors.assignment_for_worker(worker=request.user, assignment_id=assignment_id)
    )


def _task_response(request, assignment: Assignment, *, state="task", kept=None, error=None):
    """The task page; `state` is task, expired, submitted or returned; `kept` is the answer the
    worker sent, shown again when it could not be taken."""
    project = assignment.project
    interface = get_interface(project.interface)
    now = timezone.now()
    if state == "task" and not assignment.lease_is_live(now):
        state = {
            Assignment.Status.RETURNED: "returned",
            Assignment.Status.LEASED: "expired",
            Assignment.Status.EXPIRED: "expired",
        }.get(assignment.status, "submitted")
    seconds_left = max(int((assignment.expires_at - now).total_seconds()), 0)
    status = 200
    if error is not None:
        status = error.status
    elif state == "expired" and kept is not None:
        status = 409
    return render(
        request,
        "marketplace/task.html",
        {
            "assignment": assignment,
            "project": project,
            "interface": interface,
            "state": state,
            "kept_answer": kept,
            # Only an expired lease shows the answer as text: the engine checked it first.
            "kept_text": interface.describe_answer(kept, project.label_schema)
            if state == "expired" and isinstance(kept, dict)
            else "",
            "kept_json": json.dumps(kept, ensure_ascii=False, indent=2) if kept is not None else "",
            "error": error,
            "seconds_left": seconds_left,
            "lease_left_text": f"{seconds_left // 60}:{seconds_left % 60:02d}",
            "lease_text": format_duration(project.lease_seconds),
            "tally": _tally(request, project),
            "reward_text": format_money(project.reward_cents, project.currency),
        },
        status=status,
    )


@worker_required
@require_GET
def task_page(request, assignment_id: int):
    assignment = _worker_assignment(request, assignment_id)
    return _task_response(request, assignment)


def _gold_feedback(request, project: Project, assignment: Assignment) -> None:
    """After a gold task, tell the worker how they did and what was expected."""
    if not (
        assignment.is_gold and project.show_gold_feedback and assignment.gold_score is not None
    ):
        return
    item = assignment.item
    expected = get_interface(project.interface).describe_answer(
        item.gold_answer, project.label_schema
    )
    explanation = f" {item.gold_explanation}" if item.gold_explanation else ""
    if assignment.gold_score >= 1:
        messages.success(request, f"Control task: your answer was right.{explanation}")
    elif assignment.gold_score > 0:
        messages.warning(
            request,
            f"Control task: your answer was partly right ({assignment.gold_score:.0%}). "
            f"Expected: {expected}.{explanation}",
        )
    else:
        messages.error(
            request, f"Control task: your answer was wrong. Expected: {expected}.{explanation}"
        )


@worker_required
@require_POST
def task_submit(request, assignment_id: int):
    assignment = _worker_assignment(request, assignment_id)
    project = assignment.project
    kept = None
    try:
        kept = answer_from_post(
            get_interface(project.interface), project.label_schema, request.POST, "answer"
        )
        submitted = assignment_submit(worker=request.user, assignment_id=assignment.pk, answer=kept)
    except LoopworkError as refusal:
        if refusal.code == "not_found":
            raise Http404 from refusal
        if refusal.code == "lease_expired":
            messages.error(request, refusal.message)
            return _task_response(request, assignment, state="expired", kept=kept)
        if refusal.code == "project_not_active":
            messages.warning(request, refusal.message)
            return redirect("work:project", project_id=assignment.project_id)
        return _task_response(request, assignment, kept=kept, error=refusal)
    _gold_feedback(request, project, submitted)
    return _claim_next(request, project)


@worker_required
@require_POST
def task_return(request, assignment_id: int):
    assignment = _worker_assignment(request, assignment_id)
    try:
        assignment_return(worker=request.user, assignment_id=assignment.pk)
    except LoopworkError as refusal:
        if refusal.code == "not_found":
            raise Http404 from refusal
        messages.warning(request, refusal.message)
        return redirect("work:project", project_id=assignment.project_id)
    messages.info(request, "Task returned: it goes back to the pool for someone else.")
    return _claim_next(request, assignment.project)
