"""Notifications: a message to one user, shown in the app and, if asked, emailed once.

`notify` stores the row in the caller's transaction and enqueues the email only after
commit, so a rolled-back decision never mails anyone. The email task is idempotent on
`Notification.emailed` (see accounts.tasks.notification_send_email).
"""

import logging
from collections.abc import Iterable
from typing import Literal

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from core.errors import LoopworkError

from .models import Notification, User

logger = logging.getLogger(__name__)

TITLE_MAX = Notification._meta.get_field("title").max_length
BODY_MAX = Notification._meta.get_field("body").max_length
LINK_MAX = Notification._meta.get_field("link").max_length


def notify(
    user: User,
    *,
    kind: str,
    title: str,
    body: str = "",
    link: str = "",
    email: bool = True,
) -> Notification:
    """Store a notification for `user`; when `email`, send it by email after commit.

    `link` must be a path on this site (it is made absolute in the email). Over-long
    titles and bodies are shortened rather than refused: a notification must never make
    the action that triggered it fail.
    """
    if link and (not link.startswith("/") or link.startswith("//")):
        raise LoopworkError(
            "A notification link must be a path on this site.", code="bad_link", field="link"
        )
    notification = Notification.objects.create(
        user=user,
        kind=kind[:40],
        title=_shorten(title, TITLE_MAX),
        body=_shorten(body, BODY_MAX),
        link=link[:LINK_MAX],
    )
    logger.info("notification created id=%s user=%s kind=%s", notification.pk, user.pk, kind)
    if email and user.email and user.is_active:
        # Imported here only to keep the task module (which imports this one) acyclic.
        from .tasks import send_notification_email

        transaction.on_commit(lambda: send_notification_email.delay(notification.pk))
    return notification


def notification_send_email(notification_id: int) -> bool:
    """Email one notification at most once; returns whether this call sent it.

    The row is locked while sending so two workers running the same task cannot both
    send; `emailed` is set in the same transaction.
    """
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update()
            .select_related("user")
            .filter(pk=notification_id)
            .first()
        )
        if notification is None or notification.emailed:
            return False
        user = notification.user
        send_mail(
            subject=f"[Loopwork] {notification.title}",
            message=_email_text(notification),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[user.email],
        )
        notification.emailed = True
        notification.save(update_fields=["emailed"])
    logger.info(
        "notification emailed id=%s user=%s kind=%s", notification.pk, user.pk, notification.kind
    )
    return True


def notifications_mark_read(user: User, ids: Iterable[int] | Literal["all"]) -> int:
    """Mark the user's unread notifications (all, or those ids) read; returns how many.

    Other users' ids are ignored: the update is always scoped to `user`.
    """
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids != "all":
        unread = unread.filter(pk__in=[int(pk) for pk in ids])
    return unread.update(read_at=timezone.now())


def notifications_unread_count(user: User) -> int:
    """How many unread notifications the user has (one indexed COUNT query)."""
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def absolute_url(path: str) -> str:
    """A site path made absolute with the configured public base URL."""
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def _email_text(notification: Notification) -> str:
    parts = [notification.title]
    if notification.body:
        parts.append(notification.body)
    if notification.link:
        parts.append(absolute_url(notification.link))
    parts.append(f"All your notifications: {absolute_url('/notifications/')}")
    return "\n\n".join(parts) + "\n"


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
