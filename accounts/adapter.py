"""allauth customisation: the one place we change how sign-up and login behave."""

from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request):
        user = request.user
        if user.is_authenticated and not user.is_worker:
            return reverse("company_projects:home")
        return super().get_login_redirect_url(request)
