"""Page builders for the CMS tests (the shared factories live in tests/factories.py)."""

from cms.models import GuideIndexPage, GuidePage
from jobs.models import Qualification, QualificationTest

_guide_counter = iter(range(1, 10**9))


def make_guide(*, title=None, summary="A short guide.", reading_minutes=3, body=None, live=True):
    """A guide under /guides/, published unless live=False."""
    n = next(_guide_counter)
    page = GuidePage(
        title=title or f"Guide {n}",
        slug=f"guide-{n}",
        summary=summary,
        reading_minutes=reading_minutes,
        body=body or [{"type": "paragraph", "value": "<p>Read the guidelines twice.</p>"}],
        live=live,
    )
    GuideIndexPage.objects.get().add_child(instance=page)
    revision = page.save_revision()
    if live:
        revision.publish()
    else:
        page.unpublish()
    page.refresh_from_db()
    return page


def make_qualification_test(*, category="text-annotation") -> QualificationTest:
    qualification = Qualification.objects.create(
        name="Sentiment labelling", slug=f"sentiment-{next(_guide_counter)}", category=category
    )
    return QualificationTest.objects.create(
        qualification=qualification, title="Sentiment basics", category=category
    )
