"""Pages of qualification tests: taking them (workers, under /work/) and authoring them
(company members, under /company/tests/). Thin: services decide, selectors read."""

import json

from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from annotation.base import MAX_ANSWER_BYTES
from annotation.registry import INTERFACES
from core.access import company_role_required, worker_required
from core.errors import LoopworkError

from . import qualification as services
from . import qualification_io as io
from . import qualification_selectors as selectors
from .applications import application_next_step
from .models import Application, QualificationTest
from .qualification_authoring import TestForm, qualification_test_save, question_formset
from .qualification_models import QualificationAttempt

SITE_BASE = "base.html"
# Room for the largest answer an annotation interface accepts, plus the envelope.
MAX_AUTOSAVE_BYTES = MAX_ANSWER_BYTES + 1024
# Applications a test result lists with their next step.
APPLICATIONS_SHOWN = 10


# --- Workers: taking a test ---------------------------------------------------------------


def _worker_attempt(request, attempt_id: int) -> QualificationAttempt:
    attempt = get_object_or_404(
        selectors.attempt_for_worker(worker=request.user, attempt_id=attempt_id)
    )
    return services.attempt_finalise_if_overdue(attempt=attempt)


@worker_required
@require_GET
def test_detail(request, test_id: int):
    test = get_object_or_404(
        QualificationTest.objects.select_related("qualification", "company"), pk=test_id
    )
    open_attempt = QualificationAttempt.objects.filter(
        worker=request.user, test=test, status=QualificationAttempt.Status.IN_PROGRESS
    ).first()
    if open_attempt is not None:
        services.attempt_finalise_if_overdue(attempt=open_attempt)
    standing = selectors.worker_test_standing(worker=request.user, test=test)
    return render(
        request,
        "jobs/qualification/test_detail.html",
        {
            "test": test,
            "standing": standing,
            "last_attempt_retake": standing.retake_at_text,
        },
    )


@worker_required
@require_POST
def test_start(request, test_id: int):
    test = get_object_or_404(QualificationTest, pk=test_id)
    try:
        attempt = services.attempt_start(worker=request.user, test=test)
    except LoopworkError as error:
        messages.error(request, error.message)
        return redirect("qualifications:test", test_id=test.pk)
    return redirect("qualifications:attempt", attempt_id=attempt.pk)


def _posted_answers(request, attempt: QualificationAttempt, questions: list[dict]) -> dict:
    answers = {}
    for question in questions:
        key = f"q{question['id']}"
        if question["kind"] in ("single_choice", "multiple_choice"):
            answers[question["id"]] = request.POST.getlist(key)
        elif question["kind"] == "sample_task":
            # The widget's hidden input holds the answer as JSON; the service parses it.
            answers[question["id"]] = request.POST.get(question["field_name"], "")
        else:
            answers[question["id"]] = request.POST.get(key, "")
    return answers


def _shown_value(question: dict, posted):
    """What to show again after a refused save: a sample task's widget needs a dict."""
    if question["kind"] != "sample_task":
        return posted
    try:
        value = json.loads(posted) if isinstance(posted, str) and posted else posted
    except json.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


@worker_required
@require_http_methods(["GET", "POST"])
def attempt_page(request, attempt_id: int):
    attempt = _worker_attempt(request, attempt_id)
    if not attempt.is_in_progress:
        if request.method == "POST":
            messages.warning(request, "Time ran out: what you saved in time was graded.")
        return redirect("qualifications:result", attempt_id=attempt.pk)
    questions = selectors.attempt_questions(attempt=attempt)
    error = None
    if request.method == "POST":
        answers = _posted_answers(request, attempt, questions)
        submitting = request.POST.get("action") == "submit"
        try:
            if submitting:
                attempt = services.attempt_submit(
                    attempt=attempt, worker=request.user, answers=answers
                )
                return redirect("qualifications:result", attempt_id=attempt.pk)
            services.attempt_answers_save(attempt=attempt, worker=request.user, answers=answers)
            messages.success(request, "Your answers are saved.")
            return redirect("qualifications:attempt", attempt_id=attempt.pk)
        except LoopworkError as refusal:
            if refusal.code in ("deadline_passed", "attempt_ended"):
                messages.warning(request, refusal.message)
                return redirect("qualifications:result", attempt_id=attempt.pk)
            error = refusal
            # Show what the worker typed, with the error next to its question.
            for question in questions:
                if question["id"] in answers:
                    question["value"] = _shown_value(question, answers[question["id"]])
    for question in questions:
        question["error"] = error.message if error and error.field == f"q{question['id']}" else ""
    return render(
        request,
        "jobs/qualification/attempt.html",
        {
            "attempt": attempt,
            "test": attempt.test,
            "questions": questions,
            "error": error,
            "deadline_text": selectors.format_for_worker(attempt.deadline, request.user),
        },
        status=422 if error else 200,
    )


def _json_error(error: LoopworkError) -> JsonResponse:
    return JsonResponse(error.as_json(), status=error.status)


@worker_required
@require_POST
def attempt_autosave(request, attempt_id: int):
    """Save one answer: body {"question": id, "value": [option ids] | "text" | {sample task}}.

    The reply says only whether it was saved: never a grade or an expected answer.
    """
    attempt = get_object_or_404(
        selectors.attempt_for_worker(worker=request.user, attempt_id=attempt_id)
    )
    if len(request.body) > MAX_AUTOSAVE_BYTES:
        return _json_error(LoopworkError("The answer is too large.", code="too_large", status=413))
    try:
        payload = json.loads(request.body or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError):
        return _json_error(LoopworkError("Send JSON.", code="invalid_json", status=400))
    if not isinstance(payload, dict) or "question" not in payload or "value" not in payload:
        return _json_error(
            LoopworkError(
                'Send {"question": id, "value": answer}.',
                code="invalid_body",
                field="question",
                status=400,
            )
        )
    try:
        services.attempt_answers_save(
            attempt=attempt, worker=request.user, answers={payload["question"]: payload["value"]}
        )
    except LoopworkError as error:
        return _json_error(error)
    return JsonResponse({"saved": True, "saved_at": timezone.now().isoformat()})


@worker_required
@require_GET
def attempt_result(request, attempt_id: int):
    attempt = _worker_attempt(request, attempt_id)
    if attempt.is_in_progress:
        return redirect("qualifications:attempt", attempt_id=attempt.pk)
    test = attempt.test
    standing = selectors.worker_test_standing(worker=request.user, test=test)
    review = selectors.attempt_review(attempt=attempt) if test.show_feedback else []
    # The listings this test opens, each with the way forward from here.
    applications = (
        Application.objects.filter(
            worker=request.user, job__qualification_test__qualification_id=test.qualification_id
        )
        .exclude(status=Application.Status.WITHDRAWN)
        .select_related("job", "job__company", "job__qualification_test")
        .order_by("-created_at")[:APPLICATIONS_SHOWN]
    )
    return render(
        request,
        "jobs/qualification/result.html",
        {
            "attempt": attempt,
            "test": test,
            "standing": standing,
            "review": review,
            "applications": [
                (application, application_next_step(application)) for application in applications
            ],
        },
    )


@worker_required
@require_GET
def my_qualifications(request):
    overview = selectors.qualifications_overview(worker=request.user)
    for grant in overview["grants"]:
        for key in ("granted_at", "expires_at", "revoked_at"):
            grant[f"{key}_dt"] = timezone.datetime.fromisoformat(grant[key]) if grant[key] else None
    for attempt in overview["open_attempts"]:
        attempt["deadline_dt"] = timezone.datetime.fromisoformat(attempt["deadline"])
    return render(request, "jobs/qualification/my_qualifications.html", {"overview": overview})


# --- Company members: authoring their company's tests -------------------------------------


def company_test(request, test_id: int) -> QualificationTest:
    """The requester's company's test, or 404 (another company's test is not found)."""
    return get_object_or_404(
        QualificationTest.objects.select_related("qualification"),
        pk=test_id,
        company=request.membership.company,
    )


@company_role_required("owner", "manager", "reviewer")
@require_GET
def company_test_list(request):
    tests = selectors.tests_for_company(company=request.membership.company)
    return render(
        request,
        "jobs/qualification/company/test_list.html",
        {"tests": tests, "can_manage": request.membership.can_manage},
    )


def editor_response(request, *, test, base_template, urls, company=None, status=200, data=None):
    """The test editor (settings + questions inline); shared by company and staff pages."""
    form = TestForm(data=data, instance=test, company=company)
    formset = question_formset(test=test, data=data)
    if data is not None and form.is_valid() and formset.is_valid():
        try:
            saved = qualification_test_save(form=form, formset=formset, company=company)
        except LoopworkError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, f"“{saved.title}” is saved.")
            return redirect(urls["edit"](saved))
        status = 422
    elif data is not None:
        status = 422
    return render(
        request,
        "jobs/qualification/company/test_edit.html",
        {
            "form": form,
            "formset": formset,
            "test": test,
            "base_template": base_template,
            "urls": urls,
            "interface_examples": _interface_examples(),
        },
        status=status,
    )


def _interface_examples() -> list[dict]:
    """Each interface's example config and tolerance rule, as help for sample-task authors."""
    return [
        {
            "name": interface.name,
            "label": interface.label,
            "config": json.dumps(interface.example_config(), ensure_ascii=False),
            "tolerance_help": interface.tolerance_help,
        }
        for interface in INTERFACES.values()
    ]


def _company_urls(test: QualificationTest | None = None) -> dict:
    urls = {
        "edit": lambda t: reverse("company_tests:edit", args=[t.pk]),
        "list": reverse("company_tests:list"),
    }
    if test is not None and test.pk:
        urls["preview"] = reverse("company_tests:preview", args=[test.pk])
        urls["export"] = reverse("company_tests:export", args=[test.pk])
    return urls


@company_role_required("owner", "manager")
@require_http_methods(["GET", "POST"])
def company_test_create(request):
    return editor_response(
        request,
        test=QualificationTest(),
        base_template=SITE_BASE,
        urls=_company_urls(),
        company=request.membership.company,
        data=request.POST if request.method == "POST" else None,
    )


@company_role_required("owner", "manager")
@require_http_methods(["GET", "POST"])
def company_test_edit(request, test_id: int):
    test = company_test(request, test_id)
    return editor_response(
        request,
        test=test,
        base_template=SITE_BASE,
        urls=_company_urls(test),
        company=request.membership.company,
        data=request.POST if request.method == "POST" else None,
    )


def preview_response(request, *, test, base_template, back_url):
    """The test as a worker sees it (the whole pool in order), with no attempt recorded."""
    return render(
        request,
        "jobs/qualification/preview.html",
        {
            "test": test,
            "questions": selectors.preview_questions(test=test),
            "base_template": base_template,
            "back_url": back_url,
        },
    )


@company_role_required("owner", "manager", "reviewer")
@require_GET
def company_test_preview(request, test_id: int):
    test = company_test(request, test_id)
    return preview_response(
        request, test=test, base_template=SITE_BASE, back_url=reverse("company_tests:list")
    )


def export_response(test: QualificationTest) -> HttpResponse:
    body = json.dumps(io.qualification_test_export(test=test), indent=2, ensure_ascii=False)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{test.qualification.slug}.json"'
    return response


@company_role_required("owner", "manager")
@require_GET
def company_test_export(request, test_id: int):
    return export_response(company_test(request, test_id))


def import_response(request, *, base_template, company, done_url, back_url):
    """Upload a JSON file; every problem is listed with its path and nothing is created."""
    errors = []
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            errors = ["file: choose a .json file to import"]
        elif upload.size > io.MAX_IMPORT_BYTES:
            errors = [f"file: larger than {io.MAX_IMPORT_BYTES // 1024} KB"]
        else:
            try:
                result = io.qualification_test_import(
                    data=io.parse_upload(upload.read()), company=company
                )
            except io.QualificationImportError as error:
                errors = error.errors
            else:
                if result.changed:
                    verb = "imported" if result.created else "updated"
                    messages.success(request, f"“{result.test.title}” was {verb}.")
                else:
                    messages.info(request, f"“{result.test.title}” is already up to date.")
                return redirect(done_url(result.test))
        status = 422
    return render(
        request,
        "jobs/qualification/company/test_import.html",
        {"errors": errors, "base_template": base_template, "back_url": back_url},
        status=status,
    )


@company_role_required("owner", "manager")
@require_http_methods(["GET", "POST"])
def company_test_import(request):
    return import_response(
        request,
        base_template=SITE_BASE,
        company=request.membership.company,
        done_url=lambda t: reverse("company_tests:edit", args=[t.pk]),
        back_url=reverse("company_tests:list"),
    )


@company_role_required("owner", "manager", "reviewer")
@require_GET
def company_test_results(request, test_id: int):
    test = company_test(request, test_id)
    return render(
        request,
        "jobs/qualification/company/test_results.html",
        {"test": test, "attempts": selectors.qualification_test_results(test=test)[:500]},
    )
