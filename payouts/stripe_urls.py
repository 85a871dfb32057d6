from django.urls import path

from .stripe_views import stripe_webhook

app_name = "payouts_stripe"

urlpatterns = [
    path("webhook/", stripe_webhook, name="webhook"),
]
