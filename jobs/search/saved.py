"""Saved searches: a worker keeps a board query and gets new matching listings by email.

The digest is idempotent per saved search: it sends listings first published after the last
digest (or after the search was saved), then moves `last_sent_at` to the moment it started,
so each new listing is sent once. The unsubscribe link carries a signed token and needs no
sign-in.
"""

from __future__ import annotations

import dataclasses
import datetime
import logging

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from core.errors import LoopworkError

from ..board_forms import ListingFilterForm
from .models import SavedSearch
from .results import SORT_NEWEST, ListingQuery
from .service import listing_search

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "jobs.saved-search.unsubscribe"
MAX_SAVED_SEARCHES = 20
DIGEST_SIZE = 20
PERIODS = {
    SavedSearch.Frequency.DAILY: datetime.timedelta(days=1),
    SavedSearch.Frequency.WEEKLY: datetime.timedelta(days=7),
}
# Only the board's filters are kept; paging and sorting are not part of a saved search.
SAVED_PARAMS = (
    "q",
    "category",
    "min_pay",
    "language",
    "country",
    "experience",
    "company",
    "no_test",
)


def saved_query_string(params: QueryDict) -> str:
    """The board parameters worth saving, in a stable order (so duplicates are detected)."""
    kept = QueryDict(mutable=True)
    for name in SAVED_PARAMS:
        values = sorted(value for value in params.getlist(name) if value.strip())
        if values:
            kept.setlist(name, values)
    return kept.urlencode()


def saved_search_query(saved: SavedSearch) -> ListingQuery:
    return ListingFilterForm(QueryDict(saved.query_string)).to_query()


def describe_query(query: ListingQuery) -> str:
    parts = [f"“{query.q.strip()}”"] if query.q.strip() else []
    parts += list(query.categories)
    if query.language:
        parts.append(f"language {query.language}")
    if query.country:
        parts.append(f"open to {query.country}")
    if query.min_hourly_cents:
        parts.append(f"{query.min_hourly_cents / 100:g}+/hour")
    if query.no_test:
        parts.append("no test")
    return ", ".join(parts) or "All open jobs"


def saved_search_create(*, worker, params: QueryDict, frequency: str) -> SavedSearch:
    """Save the board query in `params` for `worker`; saving the same query again returns it."""
    query_string = saved_query_string(params)
    if frequency not in SavedSearch.Frequency.values:
        raise LoopworkError("Choose daily or weekly emails.", code="invalid", field="frequency")
    existing = SavedSearch.objects.filter(worker=worker, query_string=query_string).first()
    if existing:
        return existing
    if SavedSearch.objects.filter(worker=worker).count() >= MAX_SAVED_SEARCHES:
        raise LoopworkError(
            f"You can keep up to {MAX_SAVED_SEARCHES} saved searches; delete one first.",
            code="too_many",
        )
    name = describe_query(ListingFilterForm(QueryDict(query_string)).to_query())[:120]
    try:
        with transaction.atomic():
            return SavedSearch.objects.create(
                worker=worker, name=name, query_string=query_string, frequency=frequency
            )
    except IntegrityError:
        return SavedSearch.objects.get(worker=worker, query_string=query_string)


def saved_search_delete(*, worker, saved_search_id: int) -> None:
    """Delete one of the worker's own saved searches (someone else's is "not found")."""
    deleted, _ = SavedSearch.objects.filter(worker=worker, pk=saved_search_id).delete()
    if not deleted:
        raise LoopworkError("Saved search not found.", code="not_found", status=404)


def unsubscribe_token(saved: SavedSearch) -> str:
    return signing.dumps({"id": saved.pk, "worker": saved.worker_id}, salt=UNSUBSCRIBE_SALT)


def saved_search_from_token(token: str) -> SavedSearch:
    """The saved search a token names; refuses a forged or mangled token."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        return SavedSearch.objects.get(pk=data["id"], worker_id=data["worker"])
    except (signing.BadSignature, SavedSearch.DoesNotExist, KeyError, TypeError) as error:
        raise LoopworkError(
            "This unsubscribe link is not valid. Manage your saved searches after signing in.",
            code="invalid_token",
            status=404,
        ) from error


def saved_search_unsubscribe(*, token: str) -> SavedSearch:
    """Stop the emails of the saved search a signed token names (idempotent)."""
    saved = saved_search_from_token(token)
    if saved.email_enabled:
        saved.email_enabled = False
        saved.save(update_fields=["email_enabled", "updated_at"])
    return saved


def new_matches(saved: SavedSearch, *, since: datetime.datetime) -> list:
    """Open listings matching the saved query that were first published after `since`."""
    query = dataclasses.replace(
        saved_search_query(saved), sort=SORT_NEWEST, page=1, per_page=DIGEST_SIZE
    )
    return [
        hit.listing
        for hit in listing_search(query=query).hits
        if hit.listing.first_published_at and hit.listing.first_published_at > since
    ]


def _send_digest(saved: SavedSearch, listings: list) -> None:
    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    unsubscribe_url = base + reverse(
        "jobs:saved_search_unsubscribe", args=[unsubscribe_token(saved)]
    )
    context = {
        "saved": saved,
        "listings": [(job, base + job.url) for job in listings],
        "search_url": f"{base}/jobs/?{saved.query_string}",
        "unsubscribe_url": unsubscribe_url,
        "manage_url": base + reverse("jobs_work:saved_searches"),
    }
    message = EmailMultiAlternatives(
        subject=render_to_string("jobs/email/saved_search_subject.txt", context).strip(),
        body=render_to_string("jobs/email/saved_search_message.txt", context),
        to=[saved.worker.email],
        headers={"List-Unsubscribe": f"<{unsubscribe_url}>"},
    )
    message.attach_alternative(
        render_to_string("jobs/email/saved_search_message.html", context), "text/html"
    )
    message.send()


def saved_search_digest_send(*, saved_search_id: int, now: datetime.datetime | None = None) -> int:
    """Send one saved search its digest if due; returns the number of listings sent (0: none).

    Locks the saved search, so two runs at once cannot send the same listings twice.
    """
    now = now or timezone.now()
    with transaction.atomic():
        saved = (
            SavedSearch.objects.select_for_update()
            .select_related("worker")
            .filter(pk=saved_search_id, email_enabled=True)
            .first()
        )
        if saved is None:
            return 0
        since = saved.last_sent_at or saved.created_at
        if now - since < PERIODS[saved.frequency]:
            return 0
        listings = new_matches(saved, since=since)
        saved.last_sent_at = now
        saved.save(update_fields=["last_sent_at", "updated_at"])
        if listings:
            _send_digest(saved, listings)
    return len(listings)


def saved_search_digests_send(*, now: datetime.datetime | None = None) -> int:
    """Send every due digest; returns how many emails went out."""
    now = now or timezone.now()
    sent = 0
    ids = SavedSearch.objects.filter(email_enabled=True, worker__is_active=True).values_list(
        "pk", flat=True
    )
    for saved_search_id in ids:
        if saved_search_digest_send(saved_search_id=saved_search_id, now=now):
            sent += 1
    return sent
