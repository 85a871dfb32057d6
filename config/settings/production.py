"""Production: every secret from the environment, HTTPS everywhere, mail over SMTP."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DEMO_MODE, SECRET_KEY, env

if SECRET_KEY.startswith("insecure-"):
    raise ImproperlyConfigured("Set SECRET_KEY in the environment for production.")
if DEMO_MODE:
    raise ImproperlyConfigured("LOOPWORK_DEMO must not be on in production.")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True

# PostgreSQL through psycopg's connection pool: each gunicorn worker keeps up to
# DB_POOL_MAX_SIZE open connections and lends one to each request, instead of holding one
# per thread (CONN_MAX_AGE). Django requires CONN_MAX_AGE = 0 with a pool. The pool throws
# away connections that broke while lent and renews them after DB_POOL_MAX_LIFETIME seconds;
# it also tests each connection before lending it, so a database restart costs no failed
# requests. That test is core.postgresql's: a round trip only when the server spoke to the
# idle connection (its goodbye), instead of an empty query per request (the trade-off is in
# core/postgresql/base.py). DB_POOL_CHECK=false skips the test altogether.
if env.bool("DB_POOL", default=True) and DATABASES["default"]["ENGINE"].endswith("postgresql"):  # noqa: F405
    _database = DATABASES["default"]  # noqa: F405
    _database["ENGINE"] = "core.postgresql"
    _database["CONN_MAX_AGE"] = 0
    # With a pool, CONN_HEALTH_CHECKS turns on the pool's test before lending.
    _database["CONN_HEALTH_CHECKS"] = env.bool("DB_POOL_CHECK", default=True)
    _database["OPTIONS"] = {
        **_database.get("OPTIONS", {}),
        "pool": {
            "min_size": env.int("DB_POOL_MIN_SIZE", default=2),
            "max_size": env.int("DB_POOL_MAX_SIZE", default=8),
            "max_lifetime": env.float("DB_POOL_MAX_LIFETIME", default=1800.0),
            "timeout": env.float("DB_POOL_TIMEOUT", default=10.0),
        },
    }
