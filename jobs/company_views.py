from django.shortcuts import render

from core.access import signed_in


@signed_in
def dashboard(request):
    return render(request, "jobs/company/dashboard.html", {})
