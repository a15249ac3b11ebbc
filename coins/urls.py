"""The wallet's pages."""

from django.urls import path

from coins import views

app_name = "coins"
urlpatterns = [
    path("", views.wallet, name="wallet"),
    path("statement.csv", views.wallet_csv, name="wallet_csv"),
    path("give/", views.give, name="give"),
]
