"""What every page's frame needs: the main navigation for the current user."""

from django.urls import reverse


def site_chrome(request):
    user = getattr(request, "user", None)
    nav = [("Jobs", "/jobs/"), ("Guides", "/guides/")]
    membership = None
    if user is not None and user.is_authenticated:
        membership = user.company_membership
        if user.is_worker:
            nav.append(("My work", reverse("work:home")))
            nav.append(("Qualifications", reverse("qualifications:mine")))
        if membership is not None or not user.is_worker:
            nav.append(("Company", reverse("company_jobs:home")))
        if user.is_staff:
            nav.append(("Admin", "/admin/"))
    return {"main_nav": nav, "current_membership": membership}
