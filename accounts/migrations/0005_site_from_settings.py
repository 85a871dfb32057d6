"""Name the sites framework's Site after the settings, so allauth never says example.com.

accounts.sites.site_sync does the same at run time (ensure_site_tree); this copy stays
frozen with the migration, as data migrations should.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.db import migrations


def forwards(apps, schema_editor):
    Site = apps.get_model("sites", "Site")
    Site.objects.update_or_create(
        pk=settings.SITE_ID,
        defaults={
            "name": settings.WAGTAIL_SITE_NAME,
            "domain": urlsplit(settings.WAGTAILADMIN_BASE_URL).netloc,
        },
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_notification_preferences_digests"),
        ("sites", "0002_alter_domain_unique"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
