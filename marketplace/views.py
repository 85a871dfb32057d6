from django.shortcuts import render

from core.access import worker_required
from jobs.applications import applications_for_worker


def _missing_profile_parts(user) -> list[str]:
    """What the worker has not told us yet that matching listings and projects needs."""
    profile = getattr(user, "worker_profile", None)
    if profile is None:
        return ["your country", "the languages you work in", "the kinds of work you want"]
    missing = []
    if profile.country_id is None:
        missing.append("your country")
    if not profile.languages.exists():
        missing.append("the languages you work in")
    if not profile.categories:
        missing.append("the kinds of work you want")
    return missing


@worker_required
def home(request):
    """The worker's home: profile prompt, latest applications and their projects."""
    applications = applications_for_worker(worker=request.user)
    return render(
        request,
        "marketplace/work_home.html",
        {
            "missing_profile": _missing_profile_parts(request.user),
            "recent_applications": applications[:5],
            "application_total": applications.count(),
        },
    )
