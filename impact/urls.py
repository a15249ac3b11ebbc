"""The impact pages: the council's dashboard, each group's own report, and what a
sponsor's money did."""

from django.urls import path

from impact import views

app_name = "impact"
urlpatterns = [
    path("council/impact/", views.dashboard, name="dashboard"),
    path("council/impact/<slug:table>.csv", views.table_csv, name="csv"),
    path("organise/groups/<int:pk>/report/", views.group_report, name="group_report"),
    path(
        "organise/groups/<int:pk>/report/<slug:table>.csv",
        views.group_report_csv,
        name="group_csv",
    ),
    path("sponsor/<int:pk>/report/", views.sponsor_report, name="sponsor_report"),
]
