"""Template helpers for application and listing states."""

from django import template

from jobs.applications import status_badge_class

register = template.Library()


@register.filter
def status_badge(status: str) -> str:
    """The badge CSS class for an application status, e.g. "badge-ok"."""
    return status_badge_class(status)
