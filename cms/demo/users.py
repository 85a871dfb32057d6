"""Demo people: the three well-known logins and the shape of the extra demo workers."""

from dataclasses import dataclass

from core.categories import Category

# Printed by seed_demo and documented in the README; only ever created in demo mode.
DEMO_PASSWORD = "loopwork-demo"  # noqa: S105 - a published demo password, never used in production

WORKER_EMAIL = "worker@example.com"
COMPANY_EMAIL = "company@example.com"
ADMIN_EMAIL = "admin@example.com"
MODERATORS_GROUP = "Moderators"


@dataclass(frozen=True)
class DemoProfile:
    display_name: str
    country: str
    languages: tuple[str, ...]
    categories: tuple[str, ...]
    weekly_hours: int
    timezone: str


WORKER_PROFILE = DemoProfile(
    display_name="Ana Demo",
    country="MX",
    languages=("en", "es"),
    categories=(
        Category.SEARCH_EVALUATION,
        Category.TEXT_ANNOTATION,
        Category.AI_RESPONSE_REVIEW,
        Category.SOCIAL_MEDIA_EVALUATION,
    ),
    weekly_hours=20,
    timezone="America/Mexico_City",
)

# Extra workers (`seed_demo --workers N`) cycle through these, so load tests see a spread.
EXTRA_WORKER_SHAPES = [
    DemoProfile("", "US", ("en",), (Category.IMAGE_ANNOTATION,), 15, "America/New_York"),
    DemoProfile(
        "",
        "IN",
        ("en", "hi"),
        (Category.TEXT_MODERATION, Category.TEXT_ANNOTATION),
        30,
        "Asia/Kolkata",
    ),
    DemoProfile(
        "",
        "PH",
        ("en",),
        (Category.SUPPORT_ESCALATION, Category.AI_RESPONSE_REVIEW),
        25,
        "Asia/Manila",
    ),
    DemoProfile("", "BR", ("pt", "en"), (Category.AUDIO_ANNOTATION,), 20, "America/Sao_Paulo"),
    DemoProfile("", "DE", ("de", "en"), (Category.SEARCH_EVALUATION,), 10, "Europe/Berlin"),
    DemoProfile("", "KE", ("en", "sw"), (Category.SOCIAL_MEDIA_MODERATION,), 40, "Africa/Nairobi"),
    DemoProfile("", "JP", ("ja", "en"), (Category.SOCIAL_MEDIA_EVALUATION,), 12, "Asia/Tokyo"),
    DemoProfile("", "ES", ("es", "en"), (Category.IMAGE_VIDEO_MODERATION,), 20, "Europe/Madrid"),
]


def extra_worker_email(number: int) -> str:
    return f"worker{number}@example.com"
