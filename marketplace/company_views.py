"""The company workspace home and the project pages, scoped to request.membership.company.

Pages that only read are open to every role; each change has its own POST view for owners
and managers, so a reviewer's POST is refused before any view code runs.
"""

import json

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core.access import company_role_required, signed_in
from core.errors import LoopworkError
from core.money import format_money
from payouts.earnings import effective_pay_floor

from .company_home import company_home
from .forms import FileForm, ItemFilterForm, ProjectForm
from .items import (
    MAX_AUDIO_BYTES,
    MAX_UPLOAD_BYTES,
    item_upload_create,
    item_upload_discard,
    item_upload_keep,
    project_media_upload,
)
from .models import Item, ItemUpload, Project
from .pay import minimum_reward_cents, project_pay
from .projects import (
    LOCKED_AFTER_LAUNCH,
    TRANSITIONS,
    allowed_transitions,
    project_create,
    project_transition,
    project_update,
    settings_locked,
)
from .selectors import (
    company_projects,
    item_answers,
    item_preview,
    item_status,
    project_items,
    project_media,
    project_progress,
    project_uploads,
)

ALL_ROLES = ("owner", "manager", "reviewer")
MANAGERS = ("owner", "manager")
ITEMS_PER_PAGE = 50
ERRORS_PER_PAGE = 100


def _project(request, project_id: int) -> Project:
    return get_object_or_404(
        Project.objects.select_related("required_qualification"),
        pk=project_id,
        company=request.membership.company,
    )


def _project_context(request, project: Project, tab: str) -> dict:
    return {
        "project": project,
        "tab": tab,
        "can_manage": request.membership.can_manage,
        "is_final": project.status in (Project.Status.COMPLETED, Project.Status.CANCELLED),
    }


def _seconds_display(seconds: int) -> str:
    if seconds % 60:
        return f"{seconds} seconds"
    minutes = seconds // 60
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def _hours_display(hours: int) -> str:
    if hours % 24 == 0:
        days = hours // 24
        return f"{days} day{'s' if days != 1 else ''}"
    return f"{hours} hour{'s' if hours != 1 else ''}"


@signed_in
def dashboard(request):
    """The company home: money, what waits on the company, each listing's funnel, projects.

    Signed-in rather than company-only so that a company user without a workspace yet is
    offered to create one. Money figures are for owners and managers, as on the billing page.
    """
    membership = request.user.company_membership
    if membership is None:
        return render(request, "jobs/company/no_company.html", {})
    company = membership.company
    return render(
        request,
        "marketplace/company/dashboard.html",
        {
            "membership": membership,
            "company": company,
            "home": company_home(company=company, with_money=membership.can_manage),
        },
    )


@company_role_required(*ALL_ROLES)
def project_list(request):
    page = Paginator(company_projects(company=request.membership.company), 25).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "marketplace/company/project_list.html",
        {"page_obj": page, "can_manage": request.membership.can_manage},
    )


def _form_page(request, form, project):
    return render(
        request,
        "marketplace/company/project_form.html",
        {
            "form": form,
            "project": project,
            "examples": form.interface_examples(),
            "locked": LOCKED_AFTER_LAUNCH if project and form.locked else (),
            "pay_floor": format_money(effective_pay_floor(None)),
            "floor_example": format_money(
                minimum_reward_cents(seconds=30, floor_cents=effective_pay_floor(None))
            )
            if effective_pay_floor(None)
            else "",
        },
    )


@company_role_required(*MANAGERS)
def project_new(request):
    company = request.membership.company
    form = ProjectForm(request.POST or None, company=company, initial=ProjectForm.initial_for(None))
    if request.method == "POST" and form.is_valid():
        try:
            project = project_create(
                membership=request.membership, user=request.user, data=form.to_data()
            )
        except LoopworkError as error:
            form.add_service_error(error)
        else:
            messages.success(request, "Project saved as a draft. Upload items, then launch it.")
            return redirect("company_projects:uploads", project_id=project.pk)
    return _form_page(request, form, None)


@company_role_required(*MANAGERS)
def project_edit(request, project_id: int):
    project = _project(request, project_id)
    if project.status in (Project.Status.COMPLETED, Project.Status.CANCELLED):
        messages.info(request, "This project is finished; its settings can no longer change.")
        return redirect("company_projects:detail", project_id=project.pk)
    company = request.membership.company
    form = ProjectForm(
        request.POST or None,
        company=company,
        project=project,
        initial=ProjectForm.initial_for(project),
    )
    if request.method == "POST" and form.is_valid():
        try:
            project_update(project=project, membership=request.membership, data=form.to_data())
        except LoopworkError as error:
            form.add_service_error(error)
        else:
            messages.success(request, "Settings saved.")
            return redirect("company_projects:detail", project_id=project.pk)
    return _form_page(request, form, project)


@company_role_required(*ALL_ROLES)
def project_detail(request, project_id: int):
    project = _project(request, project_id)
    context = _project_context(request, project, "overview")
    context.update(
        {
            "progress": project_progress(project=project),
            "transitions": allowed_transitions(project),
            "locked": settings_locked(project),
            "listings": list(project.listings.all()[:20]),
            "reward_display": format_money(project.reward_cents, project.currency),
            "pay": project_pay(project),
            "lease_display": _seconds_display(project.lease_seconds),
            "auto_approve_display": _hours_display(project.auto_approve_hours),
            "schema_json": json.dumps(project.label_schema, indent=2, ensure_ascii=False),
        }
    )
    return render(request, "marketplace/company/project_detail.html", context)


@company_role_required(*ALL_ROLES)
def project_progress_fragment(request, project_id: int):
    """The progress panel alone, fetched every few seconds by projects.js."""
    project = _project(request, project_id)
    return render(
        request,
        "marketplace/company/_progress.html",
        {"project": project, "progress": project_progress(project=project)},
    )


@company_role_required(*MANAGERS)
@require_POST
def project_transition_view(request, project_id: int, action: str):
    project = _project(request, project_id)
    if action not in TRANSITIONS:
        raise Http404("No such action.")
    if action == "launch":
        # A launch reserves money: it is confirmed on its own page, which shows the budget.
        return redirect("company_projects:launch", project_id=project.pk)
    try:
        project = project_transition(project=project, membership=request.membership, action=action)
    except LoopworkError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"The project is now {project.get_status_display().lower()}.")
    return redirect("company_projects:detail", project_id=project.pk)


@company_role_required(*ALL_ROLES)
def items(request, project_id: int):
    project = _project(request, project_id)
    filters = ItemFilterForm(request.GET or None)
    status = gold = None
    if filters.is_valid():
        status = filters.cleaned_data["status"] or None
        kind = filters.cleaned_data["kind"]
        gold = {"gold": True, "work": False}.get(kind)
    page = Paginator(
        project_items(project=project, status=status, gold=gold), ITEMS_PER_PAGE
    ).get_page(request.GET.get("page"))
    for item in page.object_list:
        item.status = item_status(item, project.overlap)
        item.preview = item_preview(item.data)
    query = request.GET.copy()
    query.pop("page", None)
    context = _project_context(request, project, "items")
    context.update(
        {
            "filters": filters,
            "page_obj": page,
            "query": query.urlencode(),
            "filtered": bool(status or gold is not None),
        }
    )
    return render(request, "marketplace/company/items.html", context)


@company_role_required(*ALL_ROLES)
def item_detail(request, project_id: int, item_id: int):
    project = _project(request, project_id)
    item = get_object_or_404(Item, pk=item_id, project=project)
    item.status = item_status(item, project.overlap)
    context = _project_context(request, project, "items")
    context.update(
        {
            "item": item,
            "answers": item_answers(item=item),
            "gold_json": json.dumps(item.gold_answer, indent=2, ensure_ascii=False),
        }
    )
    return render(request, "marketplace/company/item_detail.html", context)


def _uploads_page(request, project, form, status=200):
    context = _project_context(request, project, "uploads")
    context.update(
        {
            "form": form,
            "uploads": project_uploads(project=project)[:50],
            "max_mb": MAX_UPLOAD_BYTES // (1024 * 1024),
        }
    )
    return render(request, "marketplace/company/uploads.html", context, status=status)


@company_role_required(*ALL_ROLES)
def uploads(request, project_id: int):
    project = _project(request, project_id)
    return _uploads_page(request, project, FileForm(max_bytes=MAX_UPLOAD_BYTES))


@company_role_required(*MANAGERS)
@require_POST
def upload_new(request, project_id: int):
    project = _project(request, project_id)
    form = FileForm(request.POST, request.FILES, max_bytes=MAX_UPLOAD_BYTES)
    if form.is_valid():
        upload_file = form.cleaned_data["file"]
        try:
            upload = item_upload_create(
                project=project,
                membership=request.membership,
                user=request.user,
                file_name=upload_file.name,
                content=upload_file.read(),
            )
        except LoopworkError as error:
            form.add_error("file", error.message)
        else:
            return redirect("company_projects:upload", project_id=project.pk, upload_id=upload.pk)
    return _uploads_page(request, project, form, status=400)


def _upload(project, upload_id: int) -> ItemUpload:
    return get_object_or_404(ItemUpload, pk=upload_id, project=project)


@company_role_required(*ALL_ROLES)
def upload_report(request, project_id: int, upload_id: int):
    project = _project(request, project_id)
    upload = _upload(project, upload_id)
    errors = Paginator(upload.errors, ERRORS_PER_PAGE).get_page(request.GET.get("page"))
    context = _project_context(request, project, "uploads")
    context.update(
        {
            "upload": upload,
            "good_rows": len(upload.rows),
            "bad_rows": len(upload.errors),
            "errors_page": errors,
        }
    )
    return render(request, "marketplace/company/upload_report.html", context)


@company_role_required(*MANAGERS)
@require_POST
def upload_keep(request, project_id: int, upload_id: int):
    project = _project(request, project_id)
    upload = _upload(project, upload_id)
    try:
        upload = item_upload_keep(upload=upload, membership=request.membership)
    except LoopworkError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{upload.created_items} items added to the project.")
    return redirect("company_projects:upload", project_id=project.pk, upload_id=upload.pk)


@company_role_required(*MANAGERS)
@require_POST
def upload_discard(request, project_id: int, upload_id: int):
    project = _project(request, project_id)
    upload = _upload(project, upload_id)
    try:
        item_upload_discard(upload=upload, membership=request.membership)
    except LoopworkError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Upload discarded; no items were added.")
    return redirect("company_projects:upload", project_id=project.pk, upload_id=upload.pk)


def _media_page(request, project, form, status=200):
    context = _project_context(request, project, "media")
    context.update(
        {
            "form": form,
            "media": project_media(project=project)[:200],
            "max_mb": MAX_AUDIO_BYTES // (1024 * 1024),
        }
    )
    return render(request, "marketplace/company/media.html", context, status=status)


@company_role_required(*ALL_ROLES)
def media(request, project_id: int):
    project = _project(request, project_id)
    return _media_page(request, project, FileForm(max_bytes=MAX_AUDIO_BYTES))


@company_role_required(*MANAGERS)
@require_POST
def media_upload(request, project_id: int):
    project = _project(request, project_id)
    form = FileForm(request.POST, request.FILES, max_bytes=MAX_AUDIO_BYTES)
    if form.is_valid():
        media_file = form.cleaned_data["file"]
        try:
            stored = project_media_upload(
                project=project,
                membership=request.membership,
                file_name=media_file.name,
                content=media_file.read(),
            )
        except LoopworkError as error:
            form.add_error("file", error.message)
        else:
            messages.success(request, f"Uploaded. Use {stored.file.url} in your items.")
            return redirect("company_projects:media", project_id=project.pk)
    return _media_page(request, project, form, status=400)
