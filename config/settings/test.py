"""Settings for the test suite: PostgreSQL when DATABASE_URL says so, fast hashing, eager tasks."""

import os

from .base import *  # noqa: F403
from .base import VAR_DIR

DEBUG = False
DEMO_MODE = False
# The webhook tests run a receiver on 127.0.0.1.
WEBHOOK_ALLOW_PRIVATE = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
# Each test starts with an empty cache (see tests/conftest.py), so rate limits never leak.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = str(VAR_DIR / "test-media")
WAGTAILADMIN_BASE_URL = "http://testserver"
# The live server serves static files itself; WhiteNoise would only warn that nothing is collected.
MIDDLEWARE = [entry for entry in MIDDLEWARE if not entry.startswith("whitenoise.")]  # noqa: F405
# SQLite: a file, not memory, so tests whose threads hold their own connections see the
# product's real locking (WAL, IMMEDIATE transactions that wait for the lock). One file per
# test process, so two runs side by side never share it.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}  # noqa: F405
