"""The signed-in user's notifications: the list, marking read, following a link."""

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from core.access import signed_in

from .models import Notification
from .notifications import notifications_mark_read

PER_PAGE = 25


@signed_in
@require_GET
def notification_list(request):
    page = Paginator(Notification.objects.filter(user=request.user), PER_PAGE).get_page(
        request.GET.get("page")
    )
    # The unread count comes from the header's tag, so the page costs no second COUNT.
    return render(request, "accounts/notifications.html", {"page_obj": page})


@signed_in
@require_POST
def notification_mark_all_read(request):
    notifications_mark_read(request.user, "all")
    return redirect("notifications:list")


@signed_in
@require_GET
def notification_open(request, notification_id: int):
    """Mark one of the user's notifications read and follow its link (or go back to the list)."""
    notification = get_object_or_404(Notification, pk=notification_id, user=request.user)
    notifications_mark_read(request.user, [notification.pk])
    # The link is always a path on this site (notify() refuses anything else).
    if notification.link.startswith("/") and not notification.link.startswith("//"):
        return redirect(notification.link)
    return redirect(reverse("notifications:list"))
