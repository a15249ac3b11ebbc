"""The council's impact pages."""

from django.urls import path

from impact import views

app_name = "impact"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("<slug:table>.csv", views.table_csv, name="csv"),
]
