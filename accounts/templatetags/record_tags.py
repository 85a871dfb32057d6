"""`{% company_record company %}`: a company's track record as workers see it, or the empty
state for a company without one. Reads `company.record` defensively: it may not exist yet."""

from django import template
from django.core.exceptions import ObjectDoesNotExist

from core.money import format_money, platform_currency

register = template.Library()


def review_time_text(hours: float) -> str:
    """0.4 -> "under 1 hour", 5.2 -> "5 hours", 50 -> "2.1 days"."""
    if hours < 1:
        return "under 1 hour"
    if hours < 48:
        rounded = round(hours)
        return f"{rounded} hour{'s' if rounded != 1 else ''}"
    return f"{hours / 24:.1f} days"


def record_facts(record, *, compact: bool = False) -> list[tuple[str, str]]:
    """The record's figures as (label, value) pairs, or short phrases when compact (label
    empty); figures not known yet are left out."""
    facts = []
    if record.median_review_hours is not None:
        review_time = review_time_text(record.median_review_hours)
        facts.append(
            ("", f"reviews in {review_time}") if compact else ("Median review time", review_time)
        )
    if record.rejection_rate is not None:
        rate = f"{record.rejection_rate:.0%}"
        facts.append(
            ("", f"{rate} rejected")
            if compact
            else ("Rejected", f"{rate} of {record.reviewed_count:,} decided")
        )
    if record.effective_hourly_cents is not None:
        hourly = f"{format_money(record.effective_hourly_cents, platform_currency())}/h"
        facts.append(
            ("", f"tasks paid {hourly}")
            if compact
            else ("Effective pay", f"{hourly} for approved tasks on Loopwork")
        )
    if record.rating is not None and record.rating_count:
        count = record.rating_count
        ratings = f"{count} rating{'s' if count != 1 else ''}"
        facts.append(
            ("", f"rated {record.rating:.1f}/5 ({ratings})")
            if compact
            else ("Workers' rating", f"{record.rating:.1f} / 5 ({ratings})")
        )
    return facts


@register.inclusion_tag("includes/company_record.html")
def company_record(company, compact=False):
    try:
        record = company.record
    except (ObjectDoesNotExist, AttributeError):
        record = None
    facts = record_facts(record, compact=compact) if record is not None else []
    return {"facts": facts, "compact": compact, "company_name": getattr(company, "name", "")}
