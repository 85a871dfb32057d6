"""Workers rate the companies they worked for: clarity, fairness and speed of review (1-5).

One rating per worker and company (a unique constraint); saving again edits it. Only a worker
with at least one answered assignment in the company's projects may rate it. Each save
refreshes the company's record in the same transaction.
"""

from django.db import transaction

from accounts.models import Company, User
from core.errors import LoopworkError

from .company_record import company_record_refresh
from .models import Assignment, CompanyRating

SCORE_FIELDS = ("clarity", "fairness", "review_speed")
MAX_COMMENT = 2000


def worker_may_rate(*, worker: User, company_id: int) -> bool:
    """True once the worker has answered at least one assignment in the company's projects."""
    return Assignment.objects.filter(
        worker=worker, project__company_id=company_id, status__in=Assignment.ANSWERED
    ).exists()


def companies_to_rate(*, worker: User) -> list[Company]:
    """The companies the worker has worked for, by name."""
    company_ids = (
        Assignment.objects.filter(worker=worker, status__in=Assignment.ANSWERED)
        .values_list("project__company_id", flat=True)
        .distinct()
    )
    return list(Company.objects.filter(pk__in=company_ids).order_by("name"))


def worker_rating(*, worker: User, company_id: int) -> CompanyRating | None:
    return CompanyRating.objects.filter(worker=worker, company_id=company_id).first()


def _check_score(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise LoopworkError(
            "Choose a score from 1 to 5.", code="invalid_rating", field=name, status=422
        )
    return value


@transaction.atomic
def company_rating_save(
    *,
    worker: User,
    company_id: int,
    clarity: int,
    fairness: int,
    review_speed: int,
    comment: str = "",
) -> CompanyRating:
    """Create or update the worker's rating of the company, then refresh its record.

    Refuses `not_worked_for_company` (403) before the worker has answered a task of the
    company, `invalid_rating` (422) for a score outside 1..5 or a comment over 2000 chars.
    """
    scores = {
        name: _check_score(name, value)
        for name, value in zip(SCORE_FIELDS, (clarity, fairness, review_speed), strict=True)
    }
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise LoopworkError(
            f"Keep the comment under {MAX_COMMENT} characters.",
            code="invalid_rating",
            field="comment",
            status=422,
        )
    if not worker_may_rate(worker=worker, company_id=company_id):
        raise LoopworkError(
            "You can rate a company once you have done work for it.",
            code="not_worked_for_company",
            status=403,
        )
    rating, _ = CompanyRating.objects.update_or_create(
        worker=worker, company_id=company_id, defaults={**scores, "comment": comment}
    )
    company_record_refresh(company_id)
    return rating


def rated_company_ids(*, worker: User) -> set[int]:
    return set(CompanyRating.objects.filter(worker=worker).values_list("company_id", flat=True))
