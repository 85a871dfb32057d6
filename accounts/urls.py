from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("api-tokens/", views.api_tokens, name="api_tokens"),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
]
