from django import template
from django.utils.safestring import mark_safe

from core.sanitize import sanitize_html

register = template.Library()


@register.filter
def sanitized(html) -> str:
    """Render company-supplied HTML safely: {{ page.description|richtext|sanitized }}."""
    return mark_safe(sanitize_html(str(html)))  # noqa: S308 - nh3 output is safe by construction
