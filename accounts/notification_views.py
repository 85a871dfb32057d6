"""The signed-in user's notifications: the list, marking read, following a link, preferences."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.access import signed_in

from .forms import NotificationPreferencesForm
from .models import Notification, User
from .notification_kinds import kinds_for
from .notifications import notifications_mark_read, preferences_of, preferences_save

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


def _audience_kinds(user: User):
    # Someone can be both: a worker who also belongs to a company sees both lists.
    company = user.company_membership is not None or user.role == User.Role.COMPANY
    return kinds_for(worker=user.is_worker, company=company)


@signed_in
@require_http_methods(["GET", "POST"])
def notification_preferences(request):
    """The user's own choice per kind: by email, in the app only, or off (one form)."""
    kinds = _audience_kinds(request.user)
    saved = preferences_of(request.user)
    form = NotificationPreferencesForm(
        request.POST if request.method == "POST" else None, kinds=kinds, saved=saved
    )
    if request.method == "POST" and form.is_valid():
        preferences_save(user=request.user, choices=form.cleaned_data)
        messages.success(request, "Your notification settings are saved.")
        return redirect("notifications:preferences")
    return render(
        request,
        "accounts/notification_preferences.html",
        {"form": form},
        status=422 if form.errors else 200,
    )
