"""The council's queue of groups, and its campaigns."""

from django.urls import path

from marketplace.board import council_views as views

# Included with the shops' queue under one "council" namespace (backend/urls.py).
urlpatterns = [
    path("groups/", views.group_queue, name="groups"),
    path("groups/<int:pk>/decision/", views.group_decision, name="group_decision"),
    path("campaigns/", views.campaign_list, name="campaigns"),
    path("campaigns/new/", views.campaign_new, name="campaign_new"),
    path("campaigns/<int:pk>/edit/", views.campaign_edit, name="campaign_edit"),
]
