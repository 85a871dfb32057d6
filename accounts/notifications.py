"""Notifications: a message to one user, shown in the app and, if they want it, emailed once.

Every message has a registered kind (accounts.notification_kinds). The user's preference for
that kind, or the kind's default, decides what happens: "email" stores the row and emails
it, "app" only stores it, "off" does neither.

`notify` (one user) and `notify_many` (a batch: digests, bulk approvals) store the rows in
the caller's transaction and enqueue the emails only after commit, so a rolled-back decision
never mails anyone. `notify_many` costs the same few queries for 1 or 500 people. The email
task is idempotent on `Notification.emailed` (see notification_send_email).
"""

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core.errors import LoopworkError

from .models import Notification, NotificationPreference, User
from .notification_kinds import KINDS, Channel, kind_get

logger = logging.getLogger(__name__)

TITLE_MAX = Notification._meta.get_field("title").max_length
BODY_MAX = Notification._meta.get_field("body").max_length
LINK_MAX = Notification._meta.get_field("link").max_length
LINKS_MAX = 20  # a digest's own links; beyond that, its main link leads to the rest
LINK_TEXT_MAX = 200
# Emails queued per task message: a digest to thousands is many small messages, not one huge one.
EMAIL_TASK_CHUNK = 100


@dataclass(frozen=True)
class Notice:
    """One person's message in a batch for `notify_many`.

    `links` are (text, path) pairs a digest shows under its body, one per thing it sums up.
    """

    user: User
    title: str
    body: str = ""
    link: str = ""
    links: Sequence[tuple[str, str]] = ()


def notify(
    user: User,
    *,
    kind: str,
    title: str,
    body: str = "",
    link: str = "",
    links: Sequence[tuple[str, str]] = (),
) -> Notification | None:
    """Store a notification of `kind` for `user` and email it after commit, as they chose.

    Returns the stored row, or None when the user turned this kind off. `kind` must be
    registered (UnknownNotificationKind otherwise: a programming error). `link` and the
    paths in `links` must be paths on this site (made absolute in the email). Over-long
    titles and bodies are shortened rather than refused: a notification must never make the
    action that triggered it fail.
    """
    created = notify_many([Notice(user, title, body, link, links)], kind=kind)
    return created[0] if created else None


def notify_many(notices: Iterable[Notice], *, kind: str) -> list[Notification]:
    """Store one notification of `kind` per notice in two queries, however many there are.

    Each person's preference applies (one query for all); the rows are created in one
    statement and their emails queued after commit in chunks. Returns the rows stored, in
    the notices' order, leaving out the people who turned this kind off.
    """
    registered = kind_get(kind)
    notices = list(notices)
    for notice in notices:
        _check_path(notice.link)
        for _text, path in notice.links:
            _check_path(path)
    if not notices:
        return []
    channels = channels_of({notice.user.pk for notice in notices}, kind=registered.name)
    rows, emailed = [], []
    for notice in notices:
        channel = channels[notice.user.pk]
        if channel == Channel.OFF:
            continue
        row = Notification(
            user=notice.user,
            kind=registered.name,
            title=_shorten(notice.title, TITLE_MAX),
            body=_shorten(notice.body, BODY_MAX),
            link=notice.link[:LINK_MAX],
            links=[
                {"text": _shorten(text, LINK_TEXT_MAX), "path": path[:LINK_MAX]}
                for text, path in notice.links[:LINKS_MAX]
            ],
        )
        rows.append(row)
        emailed.append(
            channel == Channel.EMAIL and bool(notice.user.email) and notice.user.is_active
        )
    Notification.objects.bulk_create(rows)
    to_email = [row.pk for row, email in zip(rows, emailed, strict=True) if email]
    logger.info("notifications created kind=%s count=%s emailed=%s", kind, len(rows), len(to_email))
    if to_email:
        transaction.on_commit(lambda: _queue_emails(to_email))
    return rows


def channels_of(user_ids: Iterable[int], *, kind: str) -> dict[int, str]:
    """Each user's channel for `kind`: their saved preference, or the kind's default."""
    default = kind_get(kind).default
    user_ids = list(user_ids)
    chosen = dict(
        NotificationPreference.objects.filter(user_id__in=user_ids, kind=kind).values_list(
            "user_id", "channel"
        )
    )
    return {user_id: chosen.get(user_id, default) for user_id in user_ids}


def preferences_of(user: User) -> dict[str, str]:
    """The user's saved choices, by kind (kinds left at their default are absent)."""
    return dict(NotificationPreference.objects.filter(user=user).values_list("kind", "channel"))


@transaction.atomic
def preferences_save(*, user: User, choices: dict[str, str]) -> int:
    """Save the user's channel for each kind in `choices`; returns how many changed.

    A choice equal to the kind's default deletes the user's row, so a later change of the
    default reaches everyone who never chose. Only `user`'s rows are ever written. Unknown
    kinds or channels are refused whole (nothing is saved).
    """
    for kind, channel in choices.items():
        kind_get(kind)
        if channel not in Channel.values:
            raise LoopworkError(
                "Choose how you want this notification.", code="invalid_channel", field=kind
            )
    saved = preferences_of(user)
    changed = 0
    for kind, channel in choices.items():
        current = saved.get(kind, kind_get(kind).default)
        if current == channel:
            continue
        changed += 1
        if channel == kind_get(kind).default:
            NotificationPreference.objects.filter(user=user, kind=kind).delete()
        else:
            NotificationPreference.objects.update_or_create(
                user=user, kind=kind, defaults={"channel": channel}
            )
    if changed:
        logger.info("notification preferences saved user=%s changed=%s", user.pk, changed)
    return changed


def _queue_emails(notification_ids: list[int]) -> None:
    # Imported here only to keep the task module (which imports this one) acyclic.
    from .tasks import send_notification_email, send_notification_emails

    if len(notification_ids) == 1:
        send_notification_email.delay(notification_ids[0])
        return
    for start in range(0, len(notification_ids), EMAIL_TASK_CHUNK):
        send_notification_emails.delay(notification_ids[start : start + EMAIL_TASK_CHUNK])


def _check_path(link: str) -> None:
    if link and (not link.startswith("/") or link.startswith("//")):
        raise LoopworkError(
            "A notification link must be a path on this site.", code="bad_link", field="link"
        )


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
            subject=f"[{settings.WAGTAIL_SITE_NAME}] {notification.title}",
            message=email_text(notification),
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


def email_text(notification: Notification) -> str:
    """The plain-text email of a notification: every link absolute on the configured site."""
    site = settings.WAGTAIL_SITE_NAME
    parts = [notification.title]
    if notification.body:
        parts.append(notification.body)
    if notification.links:
        parts.append(
            "\n".join(
                f"- {item['text']}: {absolute_url(item['path'])}" for item in notification.links
            )
        )
    if notification.link:
        parts.append(f"Open it in {site}: {absolute_url(notification.link)}")
    footer = [f"All your notifications: {absolute_url(reverse('notifications:list'))}"]
    registered = KINDS.get(notification.kind)
    if registered is not None:
        footer.append(
            f"You get \u201c{registered.label}\u201d by email; to change that, go to "
            f"{absolute_url(reverse('notifications:preferences'))}"
        )
    footer.append(f"{site}, {absolute_url('/')}")
    parts.append("--\n" + "\n".join(footer))
    return "\n\n".join(parts) + "\n"


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
