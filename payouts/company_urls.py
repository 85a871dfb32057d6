from django.urls import path

from . import billing_views

app_name = "payouts_company"

urlpatterns = [
    path("billing/", billing_views.billing, name="billing"),
    path("billing/top-up/", billing_views.top_up, name="top_up"),
    path("billing/top-ups/<int:top_up_id>/", billing_views.top_up_receipt, name="top_up_receipt"),
    path("billing/top-ups/<int:top_up_id>/pay/", billing_views.top_up_pay, name="top_up_pay"),
    path("billing/refund/", billing_views.refund, name="refund"),
]
