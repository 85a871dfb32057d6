"""`manage.py ensure_site_tree`: the home page, /jobs/ and /guides/ on a fresh database.

Production runs it after `migrate` (see docker-compose.yml); it adds no demo content and
does nothing when the pages exist.
"""

from django.core.management.base import BaseCommand

from cms.site_tree import ensure_site_tree


class Command(BaseCommand):
    help = (
        "Create the home page, the job board (/jobs/) and the guides index (/guides/) if missing."
    )

    def handle(self, *args, **options):
        home = ensure_site_tree()
        self.stdout.write(f"Site tree ready: home page {home.pk} with /jobs/ and /guides/.")
