"""Wagtail admin hooks of the money side: "Payouts" (batches to review and approve) and
"Reconciliation" (the last report), each shown only to staff with its permission.

Wagtail wraps these URLs with its admin-access check; the views declare their permission
(payouts/payout_admin_views.py) and the services check it again.
"""

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import ledger_admin  # noqa: F401  (registers the "Ledger" area's URLs and menu item)
from .payout_admin_views import (
    APPROVE,
    VIEW_RECONCILIATION,
    batch_detail,
    batch_list,
    reconciliation,
)


@hooks.register("register_admin_urls")
def register_payout_admin_urls():
    patterns = [
        path("", batch_list, name="list"),
        path("<int:batch_id>/", batch_detail, name="detail"),
        path("reconciliation/", reconciliation, name="reconciliation"),
    ]
    return [path("payouts/", include((patterns, "payout_admin"), namespace="payout_admin"))]


class PermissionMenuItem(MenuItem):
    def __init__(self, *args, permission: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.permission = permission

    def is_shown(self, request):
        return request.user.is_staff and request.user.has_perm(self.permission)


@hooks.register("register_admin_menu_item")
def register_payouts_menu_item():
    return PermissionMenuItem(
        "Payouts", reverse("payout_admin:list"), icon_name="tasks", order=330, permission=APPROVE
    )


@hooks.register("register_admin_menu_item")
def register_reconciliation_menu_item():
    return PermissionMenuItem(
        "Reconciliation",
        reverse("payout_admin:reconciliation"),
        icon_name="list-ul",
        order=331,
        permission=VIEW_RECONCILIATION,
    )
