"""Applying to a listing."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render

from core.access import worker_required
from core.errors import LoopworkError

from .applications import application_submit
from .forms import ApplyForm
from .models import Application, JobPage


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
