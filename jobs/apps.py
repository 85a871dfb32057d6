from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "jobs"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Imported here: receivers need the app registry ready. Listing changes reach the
        # search index through Wagtail's page signals; moderation outcomes of listings are
        # told in our words instead of Wagtail's stock emails.
        from .moderation_notices import register
        from .search import receivers  # noqa: F401

        register()
