"""The organisers' pages."""

from django.urls import path

from marketplace.board import dbs_views
from marketplace.board import organise_views as views

app_name = "organise"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("register/", views.group_register_view, name="register"),
    path("groups/<int:group_pk>/opportunities/new/", views.opportunity_new, name="new"),
    path("opportunities/<int:pk>/edit/", views.opportunity_edit, name="edit"),
    path("groups/<int:group_pk>/dbs/", views.dbs_record_view, name="dbs"),
    path("groups/<int:group_pk>/dbs/checks/", dbs_views.dbs_list, name="dbs_list"),
    path("shifts/<int:pk>/", views.shift_detail, name="shift"),
    path("shifts/<int:pk>/attendance/", views.shift_attendance, name="attendance"),
    path("shifts/<int:pk>/hours/", views.shift_hours_confirm, name="hours"),
    path("shifts/<int:pk>/message/", views.shift_message, name="message"),
    path("shifts/<int:pk>/change/", views.shift_change, name="shift_change"),
    path("shifts/<int:pk>/cancel/", views.shift_cancel_view, name="shift_cancel"),
    path("hours/<int:pk>/decision/", views.hours_decision, name="hours_decision"),
]
