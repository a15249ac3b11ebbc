"""The council's ledger pages."""

from django.urls import path

from coins import council_views as views

app_name = "ledger"
urlpatterns = [
    path("", views.ledger, name="ledger"),
    path("accounts/<int:pk>/", views.account_detail, name="account"),
    path("transfers/<int:pk>/reverse/", views.transfer_reverse_view, name="reverse"),
    path("settlement/", views.settlement, name="settlement"),
    path("settlement/run/", views.settlement_run_view, name="settlement_run"),
    path("payouts/<int:pk>/paid/", views.payout_paid_view, name="payout_paid"),
    path("rules/", views.scheme_rules, name="scheme"),
]
