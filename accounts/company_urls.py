from django.urls import path

from . import company_views

app_name = "company"

urlpatterns = [
    path("new/", company_views.company_new, name="new"),
    path("settings/", company_views.company_settings, name="settings"),
    path("members/", company_views.members, name="members"),
    path("members/invite/", company_views.invite, name="invite"),
    path("members/<int:member_id>/role/", company_views.member_role, name="member_role"),
    path("members/<int:member_id>/remove/", company_views.member_remove, name="member_remove"),
    path(
        "invitations/<int:invitation_id>/revoke/",
        company_views.invitation_revoke_view,
        name="invitation_revoke",
    ),
]
