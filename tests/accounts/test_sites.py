"""The sites framework's Site comes from settings, so allauth's emails name Loopwork."""

import re

import pytest
from django.contrib.sites.models import Site
from django.core import mail

from accounts.sites import site_sync
from cms.site_tree import ensure_site_tree

pytestmark = pytest.mark.django_db


def test_the_migration_names_the_site_after_the_settings():
    site = Site.objects.get(pk=1)
    assert (site.name, site.domain) == ("Loopwork", "testserver")
    assert Site.objects.count() == 1


def test_site_sync_follows_a_changed_base_url_once(settings):
    settings.WAGTAILADMIN_BASE_URL = "https://jobs.loopwork.test:8443/"
    settings.WAGTAIL_SITE_NAME = "Loopwork Staging"

    assert site_sync() is True
    assert site_sync() is False

    site = Site.objects.get_current()
    assert (site.name, site.domain) == ("Loopwork Staging", "jobs.loopwork.test:8443")


def test_ensure_site_tree_sets_the_site_too(settings):
    Site.objects.filter(pk=1).update(name="example.com", domain="example.com")
    Site.objects.clear_cache()
    settings.WAGTAILADMIN_BASE_URL = "https://jobs.loopwork.test"

    ensure_site_tree()

    assert Site.objects.get_current().domain == "jobs.loopwork.test"


def test_the_signup_confirmation_email_names_loopwork_and_links_to_the_base_url(client):
    response = client.post(
        "/accounts/signup/",
        {
            "email": "new.person@loopwork.test",
            "password1": "a-much-longer-passphrase-42",
            "password2": "a-much-longer-passphrase-42",
            "role": "worker",
        },
    )

    assert response.status_code == 302
    [message] = mail.outbox
    text = message.subject + message.body
    assert "example.com" not in text
    assert "localhost" not in text
    assert message.subject == "[Loopwork] Please Confirm Your Email Address"
    assert message.body.startswith("Hello from Loopwork!")
    assert "Thank you for using Loopwork." in message.body
    urls = re.findall(r"https?://\S+", message.body)
    assert urls and all(url.startswith("http://testserver/") for url in urls)
    assert "http://testserver/accounts/confirm-email/" in message.body
