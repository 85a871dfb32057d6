"""What the job board's two Wagtail pages put in their templates' context.

JobIndexPage.get_context and JobPage.get_context delegate here so the models stay
declarations and the board's reads stay in one place with a bounded number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Subquery
from django.http import HttpRequest, QueryDict
from django.urls import reverse
from django.utils.http import urlencode

from accounts.models import Company

from .applications import application_next_step
from .board_forms import ListingFilterForm
from .listings import related_listings
from .models import Application, JobIndexPage, JobPage
from .qualification_selectors import worker_holds
from .search.results import SORT_CHOICES, SORT_RELEVANCE, ListingResults
from .search.saved import saved_query_string
from .search.service import listing_search

APPLICATION_BADGES = {
    Application.Status.SUBMITTED: "badge",
    Application.Status.TEST_REQUIRED: "badge badge-warn",
    Application.Status.QUALIFIED: "badge badge-ok",
    Application.Status.ACTIVE: "badge badge-ok",
    Application.Status.REJECTED: "badge badge-bad",
    Application.Status.WITHDRAWN: "badge badge-muted",
}
STATUS_BADGES = {
    JobPage.Status.OPEN: "badge badge-ok",
    JobPage.Status.PAUSED: "badge badge-warn",
    JobPage.Status.CLOSED: "badge badge-muted",
}


def hourly_equivalent(job: JobPage) -> str:
    """What task work pays per hour ("$9.00/h", "$9.00/h estimated"); "" for hourly pay,
    which already says it."""
    pay = job.project_pay
    if pay is None or not pay.hourly_text:
        return ""
    return pay.hourly_text + (" estimated" if pay.is_estimate else "")


@dataclass
class PageLink:
    number: int | None  # None marks a gap ("…")
    url: str = ""
    current: bool = False


def _page_url(params: QueryDict, number: int) -> str:
    params = params.copy()
    if number > 1:
        params["page"] = str(number)
    else:
        params.pop("page", None)
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


def _pagination(results: ListingResults, params: QueryDict) -> dict:
    window = {1, results.num_pages, *range(results.page - 2, results.page + 3)}
    numbers = sorted(n for n in window if 1 <= n <= results.num_pages)
    links: list[PageLink] = []
    previous = 0
    for number in numbers:
        if number - previous > 1:
            links.append(PageLink(number=None))
        links.append(
            PageLink(number=number, url=_page_url(params, number), current=number == results.page)
        )
        previous = number
    return {
        "links": links,
        "previous_url": _page_url(params, results.page - 1) if results.has_previous else "",
        "next_url": _page_url(params, results.page + 1) if results.has_next else "",
    }


def _facet_links(
    results: ListingResults, params: QueryDict, name: str, param: str, scale: int = 1
) -> list:
    """{facet, url} for a facet that is one choice at a time: the link sets or clears it."""
    links = []
    for value in results.facets[name].values:
        linked = params.copy()
        linked.pop("page", None)
        if value.selected:
            linked.pop(param, None)
        else:
            linked[param] = str(int(value.value) // scale) if scale > 1 else value.value
        encoded = linked.urlencode()
        links.append({"facet": value, "url": f"?{encoded}" if encoded else "?"})
    return links


def _select_options(field, facet, selected: str | None) -> list[tuple[str, str, int | None, bool]]:
    """(value, label, count, selected) for a select filter; "any" options carry no count.

    A code a listing does not list still counts the listings open to everyone.
    """
    counts = facet.counts()
    open_to_all = counts.get("_any", 0)
    return [
        (value, label, counts.get(value, open_to_all) if value else None, value == (selected or ""))
        for value, label in field.field.choices
    ]


def job_index_context(page: JobIndexPage, request: HttpRequest) -> dict:
    """The filter form, one page of results, facet counts and links that keep the filters."""
    form = ListingFilterForm(request.GET)
    query = form.to_query()
    results = listing_search(query=query)

    # Links keep every filter in the URL except values the form refused.
    params = request.GET.copy()
    for name in form.errors:
        params.pop(name, None)

    category_filters = [
        {
            "value": value.value,
            "label": value.label,
            "count": value.count,
            "checked": value.selected,
            "id": f"id_category_{index}",
        }
        for index, value in enumerate(results.facets["category"].values)
    ]
    suggestion_url = ""
    if results.suggestion:
        suggested = params.copy()
        suggested["q"] = results.suggestion
        suggested.pop("page", None)
        suggestion_url = f"?{suggested.urlencode()}"
    user = request.user
    return {
        "form": form,
        "results": results,
        "hits": [(hit, hourly_equivalent(hit.listing)) for hit in results.hits],
        "facets": results.facets,
        "category_filters": category_filters,
        "category_counts": results.category_counts,
        "experience_links": _facet_links(results, params, "experience", "experience"),
        "company_links": _facet_links(results, params, "company", "company"),
        "pay_links": _facet_links(results, params, "pay", "min_pay", scale=100),
        "language_options": _select_options(
            form["language"], results.facets["language"], query.language
        ),
        "country_options": _select_options(
            form["country"], results.facets["country"], query.country
        ),
        "experience_options": [
            (value, label, counts, value == (query.experience or ""))
            for (value, label), counts in zip(
                form["experience"].field.choices,
                [None, *[v.count for v in results.facets["experience"].values]],
                strict=True,
            )
        ],
        "no_test_count": results.facets["test"].counts().get("none", 0),
        "pagination": _pagination(results, params),
        # "Best match" is the empty value: relevance with words, newest without.
        "sort_choices": [
            ("", label) if value == SORT_RELEVANCE else (value, label)
            for value, label in SORT_CHOICES
        ],
        "current_sort": "" if query.sort in ("", SORT_RELEVANCE) else query.sort,
        "is_filtered": query.is_filtered,
        "clear_url": page.get_url(request),
        "suggestion_url": suggestion_url,
        "can_save_search": bool(user.is_authenticated and user.is_worker and query.is_filtered),
        "saved_params": [
            (name, value)
            for name, values in QueryDict(saved_query_string(params)).lists()
            for value in values
        ],
        "saved_searches_url": reverse("jobs_work:saved_searches"),
        "suggest_url": reverse("jobs:suggest"),
    }


def apply_panel(*, job: JobPage, request: HttpRequest) -> dict:
    """Which apply panel a visitor sees, in a few queries (for a signed-in worker; an
    applicant's next step reads their application and what it needs).

    States: applied (with the next step, "Start tasks" once admitted), closed, anonymous,
    company, unverified, form (a worker who withdrew an application sees the form again,
    as applying reopens it).
    """
    user = request.user
    job_url = job.get_url(request) or request.path
    panel: dict = {
        "applications_url": reverse("jobs_work:applications"),
        "apply_url": reverse("jobs:apply", args=[job.pk]),
        "signup_url": f"{reverse('account_signup')}?{urlencode({'next': job_url})}",
        "login_url": f"{reverse('account_login')}?{urlencode({'next': job_url})}",
        "email_url": reverse("account_email"),
    }
    verified = False
    application_status = None
    if user.is_authenticated and user.is_worker:
        row = (
            get_user_model()
            .objects.filter(pk=user.pk)
            .annotate(
                email_verified=Exists(
                    EmailAddress.objects.filter(user=OuterRef("pk"), primary=True, verified=True)
                ),
                application_status=Subquery(
                    Application.objects.filter(worker=OuterRef("pk"), job_id=job.pk).values(
                        "status"
                    )[:1]
                ),
            )
            .values("email_verified", "application_status")
            .get()
        )
        verified = row["email_verified"]
        application_status = row["application_status"]

    # A withdrawn application may be reopened by applying again, so it shows the form.
    panel["withdrawn"] = application_status == Application.Status.WITHDRAWN
    if application_status and not panel["withdrawn"]:
        status = Application.Status(application_status)
        application = Application.objects.select_related("job__company").get(
            worker=user, job_id=job.pk
        )
        panel.update(
            state="applied",
            application_status=status.label,
            application_badge=APPLICATION_BADGES.get(status, "badge"),
            application_url=reverse(
                "jobs_work:application", kwargs={"application_id": application.pk}
            ),
            next_step=application_next_step(application),
        )
    elif not job.accepts_applications:
        panel["state"] = "closed"
    elif not user.is_authenticated:
        panel["state"] = "anonymous"
    elif not user.is_worker:
        panel["state"] = "company"
    elif not verified:
        panel["state"] = "unverified"
    else:
        panel["state"] = "form"
        panel["holds_qualification"] = bool(
            job.qualification_test_id
            and worker_holds(worker=user, qualification_id=job.qualification_test.qualification_id)
        )
    return panel


def job_page_context(page: JobPage, request: HttpRequest) -> dict:
    """The listing's details, its apply panel and up to three related open listings."""
    return {
        # With its record (workers' view of its reviews and pay) in the same query.
        "company": Company.objects.select_related("record").get(pk=page.company_id),
        "countries": list(page.eligible_countries.all()),
        "languages": list(page.required_languages.all()),
        "qualification_test": page.qualification_test,
        "hourly_equivalent": hourly_equivalent(page),
        "status_badge": (
            "badge badge-muted"
            if page.is_past_deadline
            else STATUS_BADGES.get(page.status, "badge")
        ),
        "apply": apply_panel(job=page, request=request),
        "related": [(job, hourly_equivalent(job)) for job in related_listings(job=page)],
        "jobs_url": "/jobs/",
    }
