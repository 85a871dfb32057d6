"""Settings shared by every environment. Everything configurable comes from the environment."""

from pathlib import Path

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env(
    "SECRET_KEY", default="insecure-development-key-change-me-in-production-0123456789"
)
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Demo mode seeds well-known passwords and fakes Stripe; never on in production.
DEMO_MODE = env.bool("LOOPWORK_DEMO", default=False)

# Company webhooks may call private, loopback and link-local addresses (development and
# tests only: in production that would let a company reach the platform's own network).
WEBHOOK_ALLOW_PRIVATE = env.bool("WEBHOOK_ALLOW_PRIVATE", default=False)

INSTALLED_APPS = [
    "core",
    "accounts",
    "annotation",
    "payouts",
    "jobs",
    "marketplace",
    "cms",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "axes",
    "csp",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.middleware.FixedPolicyCSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.StaffTwoFactorMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Axes goes last so it sees the outcome of every authentication attempt.
    "axes.middleware.AxesMiddleware",
]

# What requests under /api/ go through (config/wsgi.py): the security headers, nothing
# that serves sessions or browsers' forms.
API_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.middleware.FixedPolicyCSPMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "core.context_processors.site_chrome",
            ],
        },
    },
]

# --- Database: SQLite by default, anything else through DATABASE_URL -----------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'loopwork.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server and the Celery worker read while one writes; IMMEDIATE
    # transactions take the write lock up front so concurrent writers queue instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache: Redis when configured, a file cache shared by local processes otherwise ---
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "loopwork",
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# --- Celery ----------------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(VAR_DIR / "celery" / "queue"),
        "data_folder_out": str(VAR_DIR / "celery" / "queue"),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        # Kombu's default is ./control, which would land in the working directory.
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
    if CELERY_BROKER_URL.startswith("filesystem")
    else {}
)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
# Money and search work on their own queues, so a backlog of one never delays the other;
# every worker command (make run, docker-compose) consumes all three.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_ROUTES = {
    "payouts.tasks.*": {"queue": "payouts"},
    "jobs.search_tasks.*": {"queue": "search"},
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celery" / "beat-schedule")
CELERY_BEAT_SCHEDULE = {
    "expire-company-invitations": {
        "task": "accounts.tasks.expire_invitations",
        "schedule": 3600.0,
    },
    "expire-overdue-qualification-attempts": {
        "task": "jobs.qualification_tasks.expire_overdue_attempts",
        "schedule": 300.0,
    },
    "warn-expiring-qualifications": {
        "task": "jobs.qualification_tasks.send_grant_expiry_warnings",
        "schedule": 3600.0,
    },
    "close-past-deadline-listings": {
        "task": "jobs.tasks.close_past_deadline_listings",
        "schedule": 3600.0,
    },
    "reclaim-expired-leases": {
        "task": "marketplace.tasks.reclaim_expired_leases",
        "schedule": 60.0,
    },
    "refresh-company-records": {
        "task": "marketplace.tasks.refresh_company_records",
        "schedule": 3600.0,
    },
    # A project's measured time per task, which its pages and listings show.
    "measure-project-pay": {
        "task": "marketplace.tasks.measure_project_pay",
        "schedule": 600.0,
    },
    "auto-approve-due-submissions": {
        "task": "marketplace.tasks.auto_approve_due_submissions",
        "schedule": 600.0,
    },
    # Company digests: answers waiting for review, and projects that can no longer be paid.
    "send-review-digests": {
        "task": "marketplace.tasks.send_review_digests",
        "schedule": 3600.0,
    },
    "check-project-budgets": {
        "task": "marketplace.tasks.check_project_budgets",
        "schedule": 3600.0,
    },
    # Pending earnings become available once their hold (EARNINGS_HOLD_DAYS) has passed.
    "release-due-earning-holds": {
        "task": "payouts.tasks.release_due_holds",
        "schedule": 600.0,
    },
    # Each saved search is emailed when its own daily or weekly period is up.
    "send-saved-search-digests": {
        "task": "jobs.search_tasks.send_saved_search_digests",
        "schedule": 3600.0,
    },
    # Company renames are not page edits: reindex the listings of renamed companies.
    "refresh-stale-search-entries": {
        "task": "jobs.search_tasks.refresh_stale_search_entries",
        "schedule": 900.0,
    },
    # Payouts: the weekly batch on Monday morning (UTC), the sweeper of lines stuck in
    # "sending", and the daily reconciliation of the ledger and Stripe's transfers.
    "schedule-payout-batch": {
        "task": "payouts.tasks.schedule_payout_batch",
        "schedule": crontab(day_of_week="mon", hour=6, minute=0),
    },
    "sweep-payout-lines": {
        "task": "payouts.tasks.sweep_payout_lines",
        "schedule": 300.0,
    },
    "reconcile-daily": {
        "task": "payouts.tasks.reconcile",
        "schedule": crontab(hour=3, minute=30),
    },
    # Stripe events whose processing task was lost or failed, and refunds never sent.
    "redrive-stripe-events": {
        "task": "payouts.tasks.redrive_stripe_events",
        "schedule": 600.0,
    },
    "resend-due-refunds": {
        "task": "payouts.tasks.resend_due_refunds",
        "schedule": 600.0,
    },
}

# --- Auth: custom user, email login through allauth -----------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "work:home"
SITE_ID = 1

ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupRoleForm"
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Loopwork"

# Axes guards every password check (the Wagtail admin logs in through allauth too).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "login"
# allauth checks passwords with an "email" credential; lock that account, not the whole IP.
AXES_USERNAME_CALLABLE = "accounts.axes.login_username"
AXES_LOCKOUT_TEMPLATE = "account/lockout.html"

# --- Email -----------------------------------------------------------------------------
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_FILE_PATH = str(VAR_DIR / "mail")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Loopwork <no-reply@loopwork.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Internationalisation --------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static and media ------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_URL = "/media/"
MEDIA_ROOT = env("MEDIA_ROOT", default=str(VAR_DIR / "media"))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
MAX_IMAGE_UPLOAD_BYTES = 2 * 1024 * 1024

# --- Security headers on every response ------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # the Wagtail admin reads the CSRF token from the cookie
CONTENT_SECURITY_POLICY = {
    # The Wagtail admin ships inline scripts and styles; everything the public,
    # worker and company see is held to the strict policy below.
    "EXCLUDE_URL_PREFIXES": ["/admin/"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # Task items show images and audio from the company's own https URLs.
        "img-src": ["'self'", "data:", "https:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "media-src": ["'self'", "https:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# --- Wagtail ---------------------------------------------------------------------------
# The site's name and public address: every email's subject, text and links come from these
# (and the sites framework's Site is set from them: accounts/sites.py).
WAGTAIL_SITE_NAME = "Loopwork"
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", default="http://127.0.0.1:8000")
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{WAGTAIL_SITE_NAME}] "
WAGTAILADMIN_LOGIN_URL = "account_login"
WAGTAIL_FRONTEND_LOGIN_URL = "account_login"
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["pdf", "csv", "txt"]
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp"]
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAILEMBEDS_FINDERS = []
WAGTAIL_GRAVATAR_PROVIDER_URL = None  # no third-party avatar requests from the admin

# --- Loopwork --------------------------------------------------------------------------
PLATFORM_CURRENCY = env("PLATFORM_CURRENCY", default="USD")
LISTINGS_PER_PAGE = 12

# --- Money: fees, holds and payouts (all amounts in minor units of PLATFORM_CURRENCY) ---------
# One flat, published fee: companies pay it on top of each reward.
PLATFORM_FEE_PERCENT = env.int("PLATFORM_FEE_PERCENT", default=20)
# Approved earnings stay pending this long before they can be paid out.
EARNINGS_HOLD_DAYS = env.int("EARNINGS_HOLD_DAYS", default=3)
PAYOUT_MINIMUM_CENTS = env.int("PAYOUT_MINIMUM_CENTS", default=1000)
# The platform's pay floor per hour ($8.00, Prolific's published minimum; 0: none): a
# project that pays less for its estimated time per task cannot launch, and approvals top
# measured shortfalls up. A project may set a higher floor of its own.
PAY_FLOOR_HOURLY_CENTS = env.int("PAY_FLOOR_HOURLY_CENTS", default=800)

# --- Stripe: offline test mode (ledger posts, nothing leaves the machine) without a key -------
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="")
STRIPE_PUBLISHABLE_KEY = env("STRIPE_PUBLISHABLE_KEY", default="")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_CONNECT_WEBHOOK_SECRET = env("STRIPE_CONNECT_WEBHOOK_SECRET", default="")
# A Stripe-compatible server (tests run localstripe and our own Connect server on loopback).
STRIPE_API_BASE = env("STRIPE_API_BASE", default="")
STRIPE_TIMEOUT_SECONDS = env.float("STRIPE_TIMEOUT_SECONDS", default=10.0)

# --- Job search: Elasticsearch when ELASTICSEARCH_URL is set, the database otherwise ----------
ELASTICSEARCH_URL = env("ELASTICSEARCH_URL", default="")
ELASTICSEARCH_INDEX = env("ELASTICSEARCH_INDEX", default="loopwork-jobs")
ELASTICSEARCH_TIMEOUT = env.float("ELASTICSEARCH_TIMEOUT", default=2.0)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
