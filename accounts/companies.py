"""Company workspaces: creating one, its settings, its members and invitations to join it."""

import logging
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.text import slugify
from PIL import Image, UnidentifiedImageError

from core.errors import LoopworkError

from .models import Company, Invitation, Membership, User

logger = logging.getLogger(__name__)

Role = Membership.Role

# What Pillow reports for the image types we accept, and the file extension we store.
LOGO_FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}


# --- Logos ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckedImage:
    extension: str
    width: int
    height: int


def logo_check(upload: UploadedFile) -> CheckedImage:
    """Accept only a real PNG, JPEG or WebP image no larger than MAX_IMAGE_UPLOAD_BYTES.

    The type comes from the file's content (Pillow), never from its name, so an SVG or
    HTML file named logo.png is refused. Raises LoopworkError on the "logo" field.
    """
    limit = settings.MAX_IMAGE_UPLOAD_BYTES
    if upload.size is None or upload.size > limit:
        raise LoopworkError(
            f"The logo is too large: the limit is {limit // (1024 * 1024)} MB.",
            code="logo_too_large",
            field="logo",
        )
    refusal = LoopworkError(
        "The logo must be a PNG, JPEG or WebP image (SVG and other files are not accepted).",
        code="logo_bad_type",
        field="logo",
    )
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image_format = image.format
            width, height = image.size
            image.verify()
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        raise refusal from None
    finally:
        upload.seek(0)
    if image_format not in LOGO_FORMATS:
        raise refusal
    return CheckedImage(extension=LOGO_FORMATS[image_format], width=width, height=height)


def _prepare_logo(upload: UploadedFile) -> UploadedFile:
    checked = logo_check(upload)
    # The stored name's extension is the real type, whatever the uploaded name said.
    upload.name = f"logo.{checked.extension}"
    return upload


# --- Companies --------------------------------------------------------------------------


def _unique_slug(name: str) -> str:
    base = slugify(name)[:70].strip("-") or "company"
    slug = base
    suffix = 2
    while Company.objects.filter(slug=slug).exists():
        slug = f"{base}-{suffix}"
        suffix += 1
        if suffix > 50:
            slug = f"{base}-{get_random_string(6).lower()}"
    return slug


def _clean_company_fields(*, name: str, website: str, description: str) -> tuple[str, str, str]:
    name = name.strip()
    if not name:
        raise LoopworkError("Give your company a name.", code="name_required", field="name")
    if len(name) > 120:
        raise LoopworkError("Use at most 120 characters.", code="name_too_long", field="name")
    if len(description) > 4000:
        raise LoopworkError(
            "Use at most 4000 characters.", code="description_too_long", field="description"
        )
    return name, website.strip(), description.strip()


@transaction.atomic
def company_create(
    *,
    user: User,
    name: str,
    website: str = "",
    description: str = "",
    logo: UploadedFile | None = None,
) -> Company:
    """Create a company with the user as its owner.

    Only a hiring user who belongs to no company may; the slug comes from the name and
    is unique. Nothing is created when any check fails.
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.role != User.Role.COMPANY:
        raise LoopworkError(
            "Your account is set up for finding work, so it cannot create a company.",
            code="not_a_company_user",
        )
    if Membership.objects.filter(user=user).exists():
        raise LoopworkError(
            "You already belong to a company: one account can be in one company.",
            code="already_in_company",
        )
    name, website, description = _clean_company_fields(
        name=name, website=website, description=description
    )
    if logo:
        logo = _prepare_logo(logo)
    company = None
    for _attempt in range(3):
        try:
            with transaction.atomic():
                company = Company.objects.create(
                    name=name, slug=_unique_slug(name), website=website, description=description
                )
            break
        except IntegrityError:
            continue  # someone took the slug between the check and the insert
    if company is None:
        raise LoopworkError("Please try again.", code="slug_conflict", field="name")
    if logo:
        company.logo.save(logo.name, logo, save=True)
    Membership.objects.create(user=user, company=company, role=Role.OWNER)
    logger.info("company created company=%s owner=%s", company.pk, user.pk)
    return company


@transaction.atomic
def company_update(
    *,
    company: Company,
    name: str,
    website: str,
    description: str,
    logo: UploadedFile | None = None,
    remove_logo: bool = False,
) -> Company:
    """Change a company's public details. A refused logo leaves everything unchanged."""
    name, website, description = _clean_company_fields(
        name=name, website=website, description=description
    )
    if logo:
        logo = _prepare_logo(logo)
    company = Company.objects.select_for_update().get(pk=company.pk)
    company.name = name
    company.website = website
    company.description = description
    if logo:
        company.logo.save(logo.name, logo, save=False)
    elif remove_logo:
        company.logo = ""
    company.save()
    return company


# --- Members ----------------------------------------------------------------------------


def _owner_count_locked(company: Company) -> int:
    """Owners of the company, with their rows locked so two demotions cannot race."""
    owners = Membership.objects.select_for_update().filter(company=company, role=Role.OWNER)
    return len(list(owners.order_by("pk")))


def _require_owner(actor: Membership) -> None:
    if actor.role != Role.OWNER:
        raise LoopworkError("Only an owner can do this.", code="owner_only")


@transaction.atomic
def membership_change_role(*, actor: Membership, membership: Membership, role: str) -> Membership:
    """An owner changes a member's role; the company always keeps at least one owner."""
    _require_owner(actor)
    if membership.company_id != actor.company_id:
        raise LoopworkError("This person is not in your company.", code="not_in_company")
    if role not in Role.values:
        raise LoopworkError("Choose a role from the list.", code="unknown_role", field="role")
    owners = _owner_count_locked(actor.company)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.role == role:
        return membership
    if membership.role == Role.OWNER and owners <= 1:
        raise LoopworkError(
            "The company needs at least one owner: make someone else an owner first.",
            code="last_owner",
            field="role",
        )
    membership.role = role
    membership.save(update_fields=["role", "updated_at"])
    return membership


@transaction.atomic
def membership_remove(*, actor: Membership, membership: Membership) -> None:
    """An owner removes a member from the company; the last owner cannot be removed."""
    _require_owner(actor)
    if membership.company_id != actor.company_id:
        raise LoopworkError("This person is not in your company.", code="not_in_company")
    owners = _owner_count_locked(actor.company)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.role == Role.OWNER and owners <= 1:
        raise LoopworkError(
            "The company needs at least one owner: make someone else an owner first.",
            code="last_owner",
        )
    membership.delete()


# --- Invitations ------------------------------------------------------------------------


def _expire_if_due(invitation: Invitation, now) -> None:
    if invitation.status == Invitation.Status.PENDING and invitation.expires_at <= now:
        invitation.status = Invitation.Status.EXPIRED
        invitation.save(update_fields=["status", "updated_at"])


def _send_invitation_email(invitation_id: int, accept_url: str) -> None:
    invitation = Invitation.objects.select_related("company").get(pk=invitation_id)
    context = {
        "invitation": invitation,
        "accept_url": accept_url,
        "site_name": settings.WAGTAIL_SITE_NAME,
    }
    send_mail(
        subject=render_to_string("accounts/email/invitation_subject.txt", context).strip(),
        message=render_to_string("accounts/email/invitation_message.txt", context),
        from_email=None,
        recipient_list=[invitation.email],
    )


@transaction.atomic
def invitation_create(
    *, actor: Membership, email: str, role: str, accept_url_base: str
) -> Invitation:
    """Invite someone by email to the actor's company with a role, and email them the link.

    Owners may invite any role, managers only managers and reviewers. At most one pending
    invitation per address and company; nobody already in the company is invited. The
    email leaves after the transaction commits. `accept_url_base` is the absolute URL of
    the site root, e.g. "https://loopwork.example".
    """
    if actor.role not in (Role.OWNER, Role.MANAGER):
        raise LoopworkError("Only owners and managers can invite people.", code="cannot_invite")
    email = email.strip()
    if not email:
        raise LoopworkError("Enter an email address.", code="email_required", field="email")
    if role not in Role.values:
        raise LoopworkError("Choose a role from the list.", code="unknown_role", field="role")
    if role == Role.OWNER and actor.role != Role.OWNER:
        raise LoopworkError(
            "Only an owner can invite another owner.",
            code="manager_cannot_invite_owner",
            field="role",
        )
    company = actor.company
    already_member = Membership.objects.filter(company=company).filter(
        Q(user__email__iexact=email) | Q(user__emailaddress__email__iexact=email)
    )
    if already_member.exists():
        raise LoopworkError(
            "This person is already a member of your company.", code="already_member", field="email"
        )
    now = timezone.now()
    for pending in Invitation.objects.select_for_update().filter(
        company=company, email__iexact=email, status=Invitation.Status.PENDING
    ):
        _expire_if_due(pending, now)
        if pending.status == Invitation.Status.PENDING:
            raise LoopworkError(
                "An invitation to this address is already pending.",
                code="duplicate_invitation",
                field="email",
            )
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(
                company=company, email=email, role=role, invited_by=actor.user
            )
    except IntegrityError:
        raise LoopworkError(
            "An invitation to this address is already pending.",
            code="duplicate_invitation",
            field="email",
        ) from None
    accept_url = accept_url_base.rstrip("/") + reverse(
        "accounts:invitation", kwargs={"token": invitation.token}
    )
    transaction.on_commit(lambda: _send_invitation_email(invitation.pk, accept_url))
    logger.info("invitation created invitation=%s company=%s", invitation.pk, company.pk)
    return invitation


@transaction.atomic
def invitation_revoke(*, actor: Membership, invitation: Invitation) -> Invitation:
    """Withdraw a pending invitation of the actor's company (owner or manager)."""
    if actor.role not in (Role.OWNER, Role.MANAGER):
        raise LoopworkError(
            "Only owners and managers can revoke invitations.", code="cannot_revoke"
        )
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.company_id != actor.company_id:
        raise LoopworkError("This invitation is not from your company.", code="not_in_company")
    if invitation.status != Invitation.Status.PENDING:
        raise LoopworkError(
            f"This invitation is already {invitation.get_status_display().lower()}.",
            code="invitation_closed",
        )
    invitation.status = Invitation.Status.REVOKED
    invitation.responded_at = timezone.now()
    invitation.save(update_fields=["status", "responded_at", "updated_at"])
    return invitation


def invitation_addressed_to(*, invitation: Invitation, user: User) -> bool:
    """True when one of the user's verified email addresses is the invited one."""
    return EmailAddress.objects.filter(
        user=user, email__iexact=invitation.email, verified=True
    ).exists()


CLOSED_REASONS = {
    Invitation.Status.ACCEPTED: "This invitation has already been accepted.",
    Invitation.Status.DECLINED: "This invitation has been declined.",
    Invitation.Status.REVOKED: "The company has withdrawn this invitation.",
    Invitation.Status.EXPIRED: "This invitation has expired: ask the company for a new one.",
}


def invitation_closed_reason(invitation: Invitation) -> str | None:
    """Why an invitation can no longer be answered, or None while it is open."""
    if invitation.status == Invitation.Status.PENDING and invitation.expires_at <= timezone.now():
        return CLOSED_REASONS[Invitation.Status.EXPIRED]
    return CLOSED_REASONS.get(invitation.status)


def invitations_open_for(*, user: User) -> list[Invitation]:
    """Pending, unexpired invitations sent to any of the user's verified addresses."""
    emails = list(
        EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)
    )
    if not emails:
        return []
    matches = Q()
    for email in emails:
        matches |= Q(email__iexact=email)
    return list(
        Invitation.objects.filter(
            matches, status=Invitation.Status.PENDING, expires_at__gt=timezone.now()
        ).select_related("company")
    )


def _open_invitation_for(*, invitation: Invitation, user: User) -> Invitation:
    invitation = (
        Invitation.objects.select_for_update().select_related("company").get(pk=invitation.pk)
    )
    reason = invitation_closed_reason(invitation)
    if reason:
        raise LoopworkError(reason, code="invitation_closed")
    if not invitation_addressed_to(invitation=invitation, user=user):
        raise LoopworkError(
            "This invitation was sent to a different email address. "
            "Sign in with that address (verified) to answer it.",
            code="wrong_recipient",
        )
    return invitation


@transaction.atomic
def invitation_accept(*, user: User, invitation: Invitation) -> Membership:
    """The invited person joins the company with the invited role.

    Only for the addressee (verified email, any case), only while the invitation is
    pending and unexpired, and only for someone in no company; the user's role becomes
    "company". Accepting twice cannot create two memberships (one per user).
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    invitation = _open_invitation_for(invitation=invitation, user=user)
    if Membership.objects.filter(user=user).exists():
        raise LoopworkError(
            "You already belong to a company: leave it before joining another.",
            code="already_in_company",
        )
    membership = Membership.objects.create(
        user=user, company=invitation.company, role=invitation.role
    )
    invitation.status = Invitation.Status.ACCEPTED
    invitation.responded_at = timezone.now()
    invitation.save(update_fields=["status", "responded_at", "updated_at"])
    if user.role != User.Role.COMPANY:
        user.role = User.Role.COMPANY
        user.save(update_fields=["role"])
    logger.info("invitation accepted invitation=%s user=%s", invitation.pk, user.pk)
    return membership


@transaction.atomic
def invitation_decline(*, user: User, invitation: Invitation) -> Invitation:
    """The invited person says no; only the addressee, only while it is open."""
    invitation = _open_invitation_for(invitation=invitation, user=user)
    invitation.status = Invitation.Status.DECLINED
    invitation.responded_at = timezone.now()
    invitation.save(update_fields=["status", "responded_at", "updated_at"])
    return invitation


@transaction.atomic
def invitations_expire(*, now=None) -> int:
    """Mark every pending invitation past its expiry as expired. Idempotent; returns the count."""
    now = now or timezone.now()
    return Invitation.objects.filter(status=Invitation.Status.PENDING, expires_at__lte=now).update(
        status=Invitation.Status.EXPIRED, updated_at=now
    )
