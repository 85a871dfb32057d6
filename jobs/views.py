"""Applying to a listing, the board's autocomplete and unsubscribing from a saved search."""

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from core.access import public, worker_required
from core.errors import LoopworkError

from .applications import application_submit
from .forms import ApplyForm
from .models import Application, JobPage
from .search.saved import saved_search_from_token, saved_search_unsubscribe
from .search.service import listing_suggest


@worker_required
def apply(request, job_id: int):
    """GET: the listing summary and the motivation form. POST: submit the application."""
    job = get_object_or_404(JobPage.objects.live().select_related("company"), pk=job_id)
    existing = Application.objects.filter(worker=request.user, job=job).first()
    form = ApplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            application = application_submit(
                worker=request.user, job=job, motivation=form.cleaned_data["motivation"]
            )
        except LoopworkError as error:
            if error.field in form.fields:
                form.add_error(error.field, error.message)
            else:
                messages.error(request, error.message)
                form.add_error(None, error.message)
        else:
            if application.status == Application.Status.TEST_REQUIRED:
                messages.success(
                    request,
                    "Application sent. Next step: take the qualification test for this listing.",
                )
            else:
                messages.success(request, f"Application sent to {job.company.name}.")
            return redirect("jobs_work:application", application_id=application.pk)
    return render(
        request,
        "jobs/apply.html",
        {
            "job": job,
            "form": form,
            "existing": existing
            if existing and existing.status != Application.Status.WITHDRAWN
            else None,
        },
    )


@public
@require_GET
def suggest(request):
    """Autocomplete for the board's search box: JSON {"suggestions": [...]}."""
    return JsonResponse({"suggestions": listing_suggest(prefix=request.GET.get("q", "")[:200])})


@public
def saved_search_unsubscribe_view(request, token: str):
    """GET: confirm stopping a saved search's emails; POST: stop them. No sign-in needed."""
    try:
        saved = saved_search_from_token(token)
    except LoopworkError as error:
        return render(
            request, "jobs/saved_search_unsubscribe.html", {"error": error.message}, status=404
        )
    if request.method == "POST":
        saved = saved_search_unsubscribe(token=token)
        return render(request, "jobs/saved_search_unsubscribe.html", {"saved": saved, "done": True})
    return render(request, "jobs/saved_search_unsubscribe.html", {"saved": saved})
