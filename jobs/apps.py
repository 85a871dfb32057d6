from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "jobs"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Listing changes reach the search index through Wagtail's page signals.
        from .search import receivers  # noqa: F401
