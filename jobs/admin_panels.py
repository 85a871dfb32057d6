"""Panels of the listing editor in the Wagtail admin, where moderators review listings."""

from django.conf import settings
from wagtail.admin.panels import Panel

from core.money import format_money


class ListingPayPanel(Panel):
    """The listing's pay as job seekers will read it, beside what each linked project pays,
    and why approving is not offered when the two may not go live together."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "jobs/admin/listing_pay_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            listing = self.instance
            context.update(
                listing=listing,
                project_pay=listing.project_pay if listing.pk else None,
                problem=listing.pay_problem() if listing.pk else None,
                floor=format_money(settings.PAY_FLOOR_HOURLY_CENTS),
            )
            return context
