"""Worker profiles: what a job seeker tells about themselves."""

from zoneinfo import available_timezones

from django.db import transaction

from core.categories import Category
from core.errors import LoopworkError

from .models import Country, Language, User, WorkerProfile

MAX_WEEKLY_HOURS = 80


def timezone_names() -> list[str]:
    """Every IANA time zone name this machine knows, sorted."""
    return sorted(available_timezones())


@transaction.atomic
def profile_update(
    *,
    user: User,
    display_name: str,
    country_code: str | None,
    language_codes: list[str],
    categories: list[str],
    weekly_hours: int | None,
    timezone_name: str,
) -> WorkerProfile:
    """Replace the worker's profile with the given values.

    All or nothing: every value is checked first, and an unknown country, language,
    category or time zone, or hours outside 0-80, raises LoopworkError with the field
    and saves nothing.
    """
    if not user.is_worker:
        raise LoopworkError("Only workers have a worker profile.", code="not_a_worker")
    display_name = display_name.strip()
    if len(display_name) > 60:
        raise LoopworkError(
            "Use at most 60 characters.", code="display_name_too_long", field="display_name"
        )
    country = None
    if country_code:
        country = Country.objects.filter(code=country_code).first()
        if country is None:
            raise LoopworkError(
                "Choose a country from the list.", code="unknown_country", field="country"
            )
    languages = list(Language.objects.filter(code__in=set(language_codes)))
    if len(languages) != len(set(language_codes)):
        raise LoopworkError(
            "Choose languages from the list.", code="unknown_language", field="languages"
        )
    known_categories = set(Category.values)
    unknown = [slug for slug in categories if slug not in known_categories]
    if unknown:
        raise LoopworkError(
            "Choose categories from the list.", code="unknown_category", field="categories"
        )
    if weekly_hours is not None and not 0 <= weekly_hours <= MAX_WEEKLY_HOURS:
        raise LoopworkError(
            f"Weekly hours must be between 0 and {MAX_WEEKLY_HOURS}.",
            code="weekly_hours_out_of_range",
            field="weekly_hours",
        )
    if timezone_name not in available_timezones():
        raise LoopworkError(
            "Choose a time zone from the list.", code="unknown_timezone", field="timezone"
        )

    profile, _ = WorkerProfile.objects.select_for_update().get_or_create(user=user)
    profile.display_name = display_name
    profile.country = country
    # Keep the order of Category so profiles read the same everywhere.
    chosen = set(categories)
    profile.categories = [slug for slug in Category.values if slug in chosen]
    profile.weekly_hours = weekly_hours
    profile.timezone = timezone_name
    profile.save()
    profile.languages.set(languages)
    return profile
