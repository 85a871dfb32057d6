"""The scheduled job that closes listings past their deadline."""

import datetime

import pytest
from django.utils import timezone

from jobs.models import JobPage
from jobs.tasks import close_past_deadline_listings
from tests.factories import make_job, yesterday

pytestmark = pytest.mark.django_db


def test_listings_past_their_deadline_are_closed_once(site_tree):
    past = make_job(deadline=yesterday())
    paused_past = make_job(deadline=yesterday(), status=JobPage.Status.PAUSED)
    today = make_job(deadline=timezone.localdate())
    future = make_job(deadline=timezone.localdate() + datetime.timedelta(days=3))
    no_deadline = make_job()
    draft = make_job(deadline=yesterday(), live=False)

    first = close_past_deadline_listings.delay().get()
    revisions = past.revisions.count()
    second = close_past_deadline_listings.delay().get()

    assert (first, second) == (2, 0)
    for page, status in [
        (past, "closed"),
        (paused_past, "closed"),
        (today, "open"),
        (future, "open"),
        (no_deadline, "open"),
        (draft, "open"),
    ]:
        page.refresh_from_db()
        assert page.status == status
    assert past.live_revision.as_object().status == "closed"
    assert past.revisions.count() == revisions
