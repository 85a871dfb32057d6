"""Staff authoring of qualification tests in the Wagtail admin.

Importing this module registers everything (snippets and admin URLs are hooks):
`from . import qualification_admin  # noqa: F401` in jobs/wagtail_hooks.py.

- Snippets: Qualification, QualificationTest (its settings) and QualificationGrant (read,
  with a Revoke action).
- Admin pages under /admin/qualification-tests/: the list of every test, the editor with
  the questions inline, preview, JSON export and import, and grant revocation.

QualificationTest is a plain model, so Wagtail's InlinePanel cannot edit its questions in
the snippet form; the editor page here edits the test and its questions on one page.
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import include, path, reverse
from django.views.decorators.http import require_GET, require_http_methods
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from core.access import staff_required
from core.errors import LoopworkError

from . import qualification as services
from . import qualification_views as views
from .models import Qualification, QualificationTest
from .qualification_models import QualificationGrant

ADMIN_BASE = "jobs/qualification/admin/frame.html"
PERMISSION = "jobs.change_qualificationtest"


class QualificationViewSet(SnippetViewSet):
    model = Qualification
    icon = "success"
    menu_label = "Qualifications"
    add_to_admin_menu = False
    list_display = ["name", "slug", "category", "company"]
    list_filter = ["category"]
    search_fields = ["name", "slug"]
    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("category"),
        FieldPanel("description"),
        FieldPanel("company"),
    ]


class QualificationTestViewSet(SnippetViewSet):
    model = QualificationTest
    icon = "tasks"
    add_to_admin_menu = False
    list_display = ["title", "qualification", "category", "pass_score", "company"]
    list_filter = ["category"]
    search_fields = ["title"]
    panels = [
        FieldPanel("qualification"),
        FieldPanel("company"),
        FieldPanel("title"),
        FieldPanel("category"),
        FieldPanel("instructions"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("pass_score"), FieldPanel("time_limit_minutes")]),
                FieldRowPanel([FieldPanel("max_attempts"), FieldPanel("retake_cooldown_hours")]),
                FieldRowPanel(
                    [FieldPanel("questions_per_attempt"), FieldPanel("grant_validity_days")]
                ),
                FieldRowPanel(
                    [
                        FieldPanel("shuffle_questions"),
                        FieldPanel("shuffle_options"),
                        FieldPanel("show_feedback"),
                    ]
                ),
            ],
            heading="Rules",
            help_text="Edit the questions on Qualification tests → the test's editor.",
        ),
    ]


class QualificationGrantViewSet(SnippetViewSet):
    model = QualificationGrant
    icon = "user"
    add_to_admin_menu = False
    list_display = ["worker", "qualification", "score", "granted_at", "expires_at", "revoked_at"]
    list_filter = ["qualification"]
    panels = [FieldPanel("expires_at"), FieldPanel("expiry_warning_sent_at")]


register_snippet(QualificationViewSet)
register_snippet(QualificationTestViewSet)
register_snippet(QualificationGrantViewSet)


def _admin_urls(test: QualificationTest | None = None) -> dict:
    urls = {
        "edit": lambda t: reverse("qualification_admin:edit", args=[t.pk]),
        "list": reverse("qualification_admin:list"),
    }
    if test is not None and test.pk:
        urls["preview"] = reverse("qualification_admin:preview", args=[test.pk])
        urls["export"] = reverse("qualification_admin:export", args=[test.pk])
    return urls


@staff_required(PERMISSION)
@require_GET
def admin_test_list(request):
    tests = QualificationTest.objects.select_related("qualification", "company").order_by("title")
    grants = QualificationGrant.objects.select_related("worker", "qualification", "revoked_by")[
        :200
    ]
    return render(
        request, "jobs/qualification/admin/test_list.html", {"tests": tests, "grants": grants}
    )


@staff_required(PERMISSION)
@require_http_methods(["GET", "POST"])
def admin_test_create(request):
    return views.editor_response(
        request,
        test=QualificationTest(),
        base_template=ADMIN_BASE,
        urls=_admin_urls(),
        data=request.POST if request.method == "POST" else None,
    )


@staff_required(PERMISSION)
@require_http_methods(["GET", "POST"])
def admin_test_edit(request, test_id: int):
    test = get_object_or_404(QualificationTest, pk=test_id)
    return views.editor_response(
        request,
        test=test,
        base_template=ADMIN_BASE,
        urls=_admin_urls(test),
        company=test.company,
        data=request.POST if request.method == "POST" else None,
    )


@staff_required(PERMISSION)
@require_GET
def admin_test_preview(request, test_id: int):
    test = get_object_or_404(QualificationTest, pk=test_id)
    return views.preview_response(
        request, test=test, base_template=ADMIN_BASE, back_url=reverse("qualification_admin:list")
    )


@staff_required(PERMISSION)
@require_GET
def admin_test_export(request, test_id: int):
    return views.export_response(get_object_or_404(QualificationTest, pk=test_id))


@staff_required(PERMISSION)
@require_http_methods(["GET", "POST"])
def admin_test_import(request):
    return views.import_response(
        request,
        base_template=ADMIN_BASE,
        company=None,
        done_url=lambda t: reverse("qualification_admin:edit", args=[t.pk]),
        back_url=reverse("qualification_admin:list"),
    )


@staff_required("jobs.change_qualificationgrant")
@require_http_methods(["GET", "POST"])
def admin_grant_revoke(request, grant_id: int):
    grant = get_object_or_404(
        QualificationGrant.objects.select_related("worker", "qualification"), pk=grant_id
    )
    error = None
    if request.method == "POST":
        try:
            services.grant_revoke(
                grant=grant, actor=request.user, reason=request.POST.get("reason", "")
            )
        except LoopworkError as refusal:
            error = refusal.message
        else:
            messages.success(request, "The qualification is revoked.")
            return redirect("qualification_admin:list")
    return render(
        request,
        "jobs/qualification/admin/grant_revoke.html",
        {"grant": grant, "error": error, "reason": request.POST.get("reason", "")},
        status=422 if error else 200,
    )


@hooks.register("register_admin_urls")
def register_qualification_admin_urls():
    patterns = [
        path("", admin_test_list, name="list"),
        path("new/", admin_test_create, name="create"),
        path("import/", admin_test_import, name="import"),
        path("<int:test_id>/", admin_test_edit, name="edit"),
        path("<int:test_id>/preview/", admin_test_preview, name="preview"),
        path("<int:test_id>/export/", admin_test_export, name="export"),
        path("grants/<int:grant_id>/revoke/", admin_grant_revoke, name="revoke"),
    ]
    return [
        path(
            "qualification-tests/",
            include((patterns, "qualification_admin"), namespace="qualification_admin"),
        )
    ]


class _StaffMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(PERMISSION)


@hooks.register("register_admin_menu_item")
def register_qualification_menu_item():
    return _StaffMenuItem(
        "Qualification tests",
        reverse("qualification_admin:list"),
        icon_name="tasks",
        order=310,
    )
