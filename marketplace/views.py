from django.shortcuts import render

from core.access import worker_required


@worker_required
def home(request):
    return render(request, "marketplace/work_home.html", {})
