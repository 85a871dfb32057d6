from django.shortcuts import render

from core.access import signed_in


@signed_in
def profile(request):
    return render(request, "accounts/profile.html", {})
