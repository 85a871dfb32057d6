"""The signed-in person's own pages: profile and answering a company invitation."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from core.access import signed_in
from core.errors import LoopworkError

from .api_tokens import api_token_create, api_token_revoke, api_tokens_for
from .companies import (
    invitation_accept,
    invitation_addressed_to,
    invitation_closed_reason,
    invitation_decline,
    invitations_open_for,
)
from .forms import WorkerProfileForm
from .models import Invitation, WorkerProfile
from .profiles import profile_update


@signed_in
@require_http_methods(["GET", "POST"])
def profile(request):
    user = request.user
    form = None
    if user.is_worker:
        profile_row = WorkerProfile.objects.filter(user=user).first()
        if request.method == "POST":
            form = WorkerProfileForm(request.POST)
            if form.is_valid():
                data = form.cleaned_data
                try:
                    profile_update(
                        user=user,
                        display_name=data["display_name"],
                        country_code=data["country"].code if data["country"] else None,
                        language_codes=[language.code for language in data["languages"]],
                        categories=data["categories"],
                        weekly_hours=data["weekly_hours"],
                        timezone_name=data["timezone"],
                    )
                except LoopworkError as error:
                    form.add_error(error.field, error.message)
                else:
                    messages.success(request, "Your profile is saved.")
                    return redirect("accounts:profile")
        else:
            form = WorkerProfileForm(initial=WorkerProfileForm.initial_for(profile_row))
    elif request.method == "POST":
        return redirect("accounts:profile")
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form,
            "membership": user.company_membership,
            "open_invitations": invitations_open_for(user=user),
        },
        status=400 if form is not None and form.errors else 200,
    )


@signed_in
@require_http_methods(["GET", "POST"])
def invitation(request, token):
    # The token is the secret that finds the invitation; who may answer it is checked below.
    invitation_row = get_object_or_404(Invitation.objects.select_related("company"), token=token)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "accept":
                membership = invitation_accept(user=request.user, invitation=invitation_row)
                messages.success(
                    request,
                    f"Welcome to {membership.company.name}: you joined as "
                    f"{membership.get_role_display().lower()}.",
                )
                return redirect("company_projects:home")
            if action == "decline":
                invitation_decline(user=request.user, invitation=invitation_row)
                messages.info(request, "You declined the invitation.")
                return redirect("accounts:profile")
            messages.error(request, "Choose Accept or Decline.")
        except LoopworkError as error:
            messages.error(request, error.message)
        invitation_row.refresh_from_db()
    closed_reason = invitation_closed_reason(invitation_row)
    addressed = invitation_addressed_to(invitation=invitation_row, user=request.user)
    return render(
        request,
        "accounts/invitation.html",
        {
            "invitation": invitation_row,
            "closed_reason": closed_reason,
            "addressed_to_me": addressed,
            "already_in_company": request.user.company_membership is not None,
            "can_answer": closed_reason is None and addressed,
        },
        status=400 if request.method == "POST" else 200,
    )


@signed_in
@require_http_methods(["GET", "POST"])
def api_tokens(request):
    """List, create and revoke the user's API tokens; a new secret shows on one response only."""
    new_secret = None
    error = None
    if request.method == "POST":
        try:
            if "revoke" in request.POST:
                api_token_revoke(user=request.user, token_id=_int_or_none(request.POST["revoke"]))
                messages.success(
                    request, "The token is revoked. Scripts using it stop working now."
                )
                return redirect("accounts:api_tokens")
            _token, new_secret = api_token_create(user=request.user, name=request.POST.get("name"))
        except LoopworkError as refusal:
            error = refusal.message
    return render(
        request,
        "accounts/api_tokens.html",
        {"tokens": api_tokens_for(user=request.user), "new_secret": new_secret, "error": error},
        status=400 if error else 200,
    )


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
