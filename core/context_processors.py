"""What every page's frame needs: the main navigation for the current user."""

from django.urls import reverse


def site_chrome(request):
    user = getattr(request, "user", None)
    links = [("Jobs", "/jobs/"), ("Guides", "/guides/")]
    membership = None
    if user is not None and user.is_authenticated:
        membership = user.company_membership
        if user.is_worker:
            links.append(("My work", reverse("work:home")))
            links.append(("Qualifications", reverse("qualifications:mine")))
            links.append(("Earnings", reverse("payouts_work:earnings")))
        if membership is not None or not user.is_worker:
            links.append(("Company", reverse("company_projects:home")))
        if user.is_staff:
            links.append(("Admin", "/admin/"))
    # The current section is the link with the longest URL that starts the path.
    path = getattr(request, "path", "")
    matching = [url for _label, url in links if path.startswith(url)]
    current = max(matching, key=len) if matching else None
    nav = [(label, url, url == current) for label, url in links]
    return {"main_nav": nav, "current_membership": membership}
