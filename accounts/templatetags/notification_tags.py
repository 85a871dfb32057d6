"""The unread-notifications badge in the site header: one indexed COUNT, only when shown."""

from django import template

from accounts.notifications import notifications_unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context) -> int:
    """The signed-in user's unread count, computed once per request (0 when signed out)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    if not hasattr(request, "_unread_notifications"):
        request._unread_notifications = notifications_unread_count(user)
    return request._unread_notifications
