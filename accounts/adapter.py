"""allauth customisation: the one place we change how sign-up and login behave."""

from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse

from .notifications import absolute_url


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request):
        user = request.user
        if user.is_authenticated and not user.is_worker:
            return reverse("company_projects:home")
        return super().get_login_redirect_url(request)

    def send_mail(self, template_prefix, email, context):
        # Our email templates end with the site's public address (WAGTAILADMIN_BASE_URL),
        # a working link, rather than the bare domain allauth's own show.
        super().send_mail(template_prefix, email, {"site_url": absolute_url("/"), **context})
