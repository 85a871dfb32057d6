"""Wagtail admin hooks of the marketplace: the "Disputes" area where staff resolve disputes,
and the fraud reversal of approved work posted from the Ledger area's approval page.

Wagtail wraps these URLs with its admin-access check; each view also requires its own
permission (`marketplace.change_dispute` in marketplace/dispute_admin_views.py,
`payouts.reverse_ledgertransaction` in marketplace/review_admin_views.py), and the Disputes
menu item is shown only to staff who may resolve.
"""

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .dispute_admin_views import dispute_detail, dispute_list
from .disputes import can_resolve_disputes
from .review_admin_views import reverse_for_fraud


@hooks.register("register_admin_urls")
def register_dispute_admin_urls():
    patterns = [
        path("", dispute_list, name="list"),
        path("<int:dispute_id>/", dispute_detail, name="detail"),
    ]
    return [path("disputes/", include((patterns, "dispute_admin"), namespace="dispute_admin"))]


@hooks.register("register_admin_urls")
def register_review_admin_urls():
    patterns = [
        path(
            "approvals/<int:transaction_id>/reverse-for-fraud/",
            reverse_for_fraud,
            name="reverse_for_fraud",
        ),
    ]
    return [path("review/", include((patterns, "review_admin"), namespace="review_admin"))]


class DisputesMenuItem(MenuItem):
    def is_shown(self, request):
        return can_resolve_disputes(request.user)


@hooks.register("register_admin_menu_item")
def register_disputes_menu_item():
    return DisputesMenuItem(
        "Disputes", reverse("dispute_admin:list"), icon_name="warning", order=320
    )
