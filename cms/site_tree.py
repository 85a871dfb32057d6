"""The fixed skeleton of the site: home, job board and guides, served by the default Site."""

from django.db import transaction
from wagtail.models import Page, Site

from accounts.sites import site_sync
from jobs.models import JobIndexPage

from .models import GuideIndexPage, HomePage


@transaction.atomic
def ensure_site_tree() -> HomePage:
    """Create (once) the home page with /jobs/ and /guides/ below it and point the Site at it.

    Also names the sites framework's Site from settings (accounts.sites), so the emails
    allauth sends name Loopwork and its public host on every deployment.
    """
    site_sync()
    home = HomePage.objects.first()
    if home is None:
        root = Page.get_first_root_node()
        # Wagtail's initial "Welcome" placeholder takes the slug we want.
        for placeholder in root.get_children().filter(content_type__model="page"):
            placeholder.delete()
        home = root.add_child(instance=HomePage(title="Loopwork", slug="home"))
        Site.objects.update_or_create(
            is_default_site=True,
            defaults={"hostname": "localhost", "root_page": home, "site_name": "Loopwork"},
        )
    if not JobIndexPage.objects.exists():
        home.add_child(instance=JobIndexPage(title="Remote HITL jobs", slug="jobs"))
    if not GuideIndexPage.objects.exists():
        home.add_child(instance=GuideIndexPage(title="Guides", slug="guides"))
    return home
