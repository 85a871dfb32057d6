"""Company workspace pages owned by accounts: creating a company, its settings and its people."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from core.access import company_role_required, signed_in
from core.errors import LoopworkError

from . import companies
from .forms import CompanyForm, CompanySettingsForm, InvitationForm, MemberRoleForm
from .models import Invitation, Membership, User
from .notifications import absolute_url

MANAGERS = ("owner", "manager")
EVERYONE = ("owner", "manager", "reviewer")


def _apply_error(form, error: LoopworkError) -> None:
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


@signed_in
@require_http_methods(["GET", "POST"])
def company_new(request):
    user = request.user
    refusal = None
    if user.company_membership is not None:
        refusal = "You already belong to a company: one account can be in one company."
    elif user.role != User.Role.COMPANY:
        refusal = (
            "Your account is set up for finding work, so it cannot create a company. "
            "Sign up with a separate account to hire."
        )
    if refusal:
        return render(request, "accounts/company/new.html", {"refusal": refusal}, status=403)
    form = CompanyForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            company = companies.company_create(user=user, **form.cleaned_data)
        except LoopworkError as error:
            _apply_error(form, error)
        else:
            messages.success(request, f"{company.name} is ready. Invite your team next.")
            return redirect("company:members")
    status = 400 if form.errors else 200
    return render(request, "accounts/company/new.html", {"form": form}, status=status)


@company_role_required(*MANAGERS)
@require_http_methods(["GET", "POST"])
def company_settings(request):
    company = request.membership.company
    if request.method == "POST":
        form = CompanySettingsForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                companies.company_update(company=company, **form.cleaned_data)
            except LoopworkError as error:
                _apply_error(form, error)
            else:
                messages.success(request, "Company details saved.")
                return redirect("company:settings")
    else:
        form = CompanySettingsForm(
            initial={
                "name": company.name,
                "website": company.website,
                "description": company.description,
            }
        )
    return render(
        request,
        "accounts/company/settings.html",
        {"form": form, "company": company},
        status=400 if form.errors else 200,
    )


def _members_page(request, *, invite_form=None, status=200):
    membership = request.membership
    company = membership.company
    members = (
        Membership.objects.filter(company=company)
        .select_related("user", "user__worker_profile")
        .order_by("user__email")
    )
    pending = Invitation.objects.filter(
        company=company, status=Invitation.Status.PENDING, expires_at__gt=timezone.now()
    ).select_related("invited_by")
    if invite_form is None and membership.can_manage:
        invite_form = InvitationForm(inviter_role=membership.role)
    return render(
        request,
        "accounts/company/members.html",
        {
            "company": company,
            "members": members,
            "pending_invitations": pending,
            "invite_form": invite_form,
            "is_owner": membership.role == Membership.Role.OWNER,
            "role_choices": Membership.Role.choices,
        },
        status=status,
    )


@company_role_required(*EVERYONE)
@require_http_methods(["GET"])
def members(request):
    return _members_page(request)


@company_role_required(*MANAGERS)
@require_POST
def invite(request):
    form = InvitationForm(request.POST, inviter_role=request.membership.role)
    if form.is_valid():
        try:
            invitation = companies.invitation_create(
                actor=request.membership,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                # The configured public address, not the host this request came in on.
                accept_url_base=absolute_url("/"),
            )
        except LoopworkError as error:
            _apply_error(form, error)
        else:
            messages.success(request, f"Invitation sent to {invitation.email}.")
            return redirect("company:members")
    return _members_page(request, invite_form=form, status=400)


@company_role_required("owner")
@require_POST
def member_role(request, member_id):
    target = get_object_or_404(Membership, pk=member_id, company=request.membership.company)
    form = MemberRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a role from the list.")
        return redirect("company:members")
    try:
        companies.membership_change_role(
            actor=request.membership, membership=target, role=form.cleaned_data["role"]
        )
    except LoopworkError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{target.user.email} is now {form.cleaned_data['role']}.")
    return redirect("company:members")


@company_role_required("owner")
@require_POST
def member_remove(request, member_id):
    target = get_object_or_404(Membership, pk=member_id, company=request.membership.company)
    try:
        companies.membership_remove(actor=request.membership, membership=target)
    except LoopworkError as error:
        messages.error(request, error.message)
        return redirect("company:members")
    if target.pk == request.membership.pk:
        messages.success(request, f"You left {target.company.name}.")
        return redirect("accounts:profile")
    messages.success(request, f"{target.user.email} was removed from the company.")
    return redirect("company:members")


@company_role_required(*MANAGERS)
@require_POST
def invitation_revoke_view(request, invitation_id):
    invitation = get_object_or_404(Invitation, pk=invitation_id, company=request.membership.company)
    try:
        companies.invitation_revoke(actor=request.membership, invitation=invitation)
    except LoopworkError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"The invitation to {invitation.email} was revoked.")
    return redirect("company:members")
