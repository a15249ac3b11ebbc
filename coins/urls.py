"""The wallet's pages."""

from django.urls import path

from coins import views

app_name = "coins"
urlpatterns = [
    path("", views.wallet, name="wallet"),
    path("statement.csv", views.wallet_csv, name="wallet_csv"),
    path("hours.csv", views.hours_csv, name="hours_csv"),
    path("give/", views.give, name="give"),
]
