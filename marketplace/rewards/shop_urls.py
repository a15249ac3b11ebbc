"""The shop staff's pages."""

from django.urls import path

from marketplace.rewards import shop_views as views

app_name = "shop"
urlpatterns = [
    path("", views.my_shops, name="mine"),
    path("register/", views.register, name="register"),
    path("<int:pk>/", views.dashboard, name="dashboard"),
    path("<int:pk>/sales.csv", views.sales_csv, name="sales_csv"),
    path("<int:pk>/offers/new/", views.offer_new, name="offer_new"),
    path("<int:pk>/offers/<int:offer_pk>/edit/", views.offer_edit, name="offer_edit"),
    path("<int:pk>/till/", views.till, name="till"),
    path("<int:pk>/till/check/", views.till_check, name="till_check"),
    path("<int:pk>/till/<int:redemption_pk>/confirm/", views.till_confirm, name="till_confirm"),
    path("<int:pk>/receipts/<int:redemption_pk>/", views.receipt, name="receipt"),
    path("<int:pk>/receipts/<int:redemption_pk>/refund/", views.refund, name="refund"),
    path("<int:pk>/keys/", views.api_keys, name="api_keys"),
    path("<int:pk>/keys/<int:key_pk>/revoke/", views.api_key_revoke, name="api_key_revoke"),
]
