"""django.contrib.sites' Site, from settings: the name and host allauth's emails show.

allauth greets people with the Site's name and domain ("Hello from example.com!" is
Django's placeholder). Both come from settings instead: the name is WAGTAIL_SITE_NAME and
the domain the host (and port) of WAGTAILADMIN_BASE_URL, the public address every email
link uses. A data migration (accounts 0005) sets it on a fresh database; `ensure_site_tree`
(run after `migrate` in production and by `seed_demo` in `make run`) sets it again, so a
changed base URL reaches it on the next deploy.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sites.models import Site


def site_values() -> dict[str, str]:
    """The Site's name and domain as the settings say they are."""
    return {
        "name": settings.WAGTAIL_SITE_NAME,
        "domain": urlsplit(settings.WAGTAILADMIN_BASE_URL).netloc,
    }


def site_sync() -> bool:
    """Make the Site of SITE_ID carry the settings' name and domain; idempotent.

    Returns whether it changed anything.
    """
    wanted = site_values()
    site = Site.objects.filter(pk=settings.SITE_ID).first()
    if site is not None and all(getattr(site, name) == value for name, value in wanted.items()):
        return False
    Site.objects.update_or_create(pk=settings.SITE_ID, defaults=wanted)
    Site.objects.clear_cache()
    return True
