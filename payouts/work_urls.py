from django.urls import path

from . import earnings_views, payout_views

app_name = "payouts_work"

urlpatterns = [
    path("earnings/", earnings_views.earnings, name="earnings"),
    path("earnings/statement/", earnings_views.statement, name="earnings_statement"),
    path("earnings/statement.csv", earnings_views.statement_export, name="earnings_csv"),
    path("payouts/", payout_views.payouts_page, name="payouts"),
    path("payouts/request/", payout_views.payout_request_view, name="payouts_request"),
    path("payouts/connect/", payout_views.payout_connect, name="payouts_connect"),
    path(
        "payouts/connect/return/",
        payout_views.payout_connect_return,
        name="payouts_connect_return",
    ),
    path(
        "payouts/connect/refresh/",
        payout_views.payout_connect_refresh,
        name="payouts_connect_refresh",
    ),
]
