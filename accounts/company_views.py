from django.shortcuts import render

from core.access import signed_in


@signed_in
def home(request):
    return render(request, "accounts/company_home.html", {})
