"""The embedded default that `make run` serves: SQLite, file mail, filesystem Celery broker."""

from .base import *  # noqa: F403
from .base import env

DEMO_MODE = env.bool("LOOPWORK_DEMO", default=True)
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.filebased.EmailBackend")
