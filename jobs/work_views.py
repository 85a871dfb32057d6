"""The worker's own applications and saved searches under /work/."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core.access import worker_required
from core.errors import LoopworkError

from .applications import (
    CLOSED_FOR_WITHDRAWAL,
    application_next_step,
    application_withdraw,
    applications_for_worker,
)
from .models import Application, SavedSearch
from .search.saved import saved_search_create, saved_search_delete


@worker_required
def applications(request):
    page = Paginator(applications_for_worker(worker=request.user), 20).get_page(
        request.GET.get("page")
    )
    return render(request, "jobs/work/applications.html", {"page_obj": page})


@worker_required
def application_detail(request, application_id: int):
    application = get_object_or_404(applications_for_worker(worker=request.user), pk=application_id)
    events = application.events.select_related("actor")
    return render(
        request,
        "jobs/work/application_detail.html",
        {
            "application": application,
            "events": events,
            "can_withdraw": application.status not in CLOSED_FOR_WITHDRAWAL,
            "next_step": application_next_step(application),
            "test": application.job.qualification_test
            if application.status == Application.Status.TEST_REQUIRED
            else None,
        },
    )


@worker_required
@require_POST
def application_withdraw_view(request, application_id: int):
    application = get_object_or_404(Application, pk=application_id, worker=request.user)
    try:
        application_withdraw(application=application, worker=request.user)
    except LoopworkError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Your application was withdrawn. You can apply again later.")
    return redirect("jobs_work:application", application_id=application.pk)


@worker_required
def saved_searches(request):
    """GET: the worker's saved searches. POST: save the board query sent in the form."""
    if request.method == "POST":
        try:
            saved = saved_search_create(
                worker=request.user,
                params=request.POST,
                frequency=request.POST.get("frequency", SavedSearch.Frequency.DAILY),
            )
        except LoopworkError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, f"Search saved: {saved.name}. New matches will be emailed to you."
            )
        return redirect("jobs_work:saved_searches")
    searches = SavedSearch.objects.filter(worker=request.user)
    return render(request, "jobs/work/saved_searches.html", {"searches": searches})


@worker_required
@require_POST
def saved_search_delete_view(request, saved_search_id: int):
    try:
        saved_search_delete(worker=request.user, saved_search_id=saved_search_id)
    except LoopworkError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Saved search deleted.")
    return redirect("jobs_work:saved_searches")
