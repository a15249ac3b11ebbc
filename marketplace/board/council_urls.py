"""The council's queue of groups."""

from django.urls import path

from marketplace.board import council_views as views

# Included with the shops' queue under one "council" namespace (backend/urls.py).
urlpatterns = [
    path("groups/", views.group_queue, name="groups"),
    path("groups/<int:pk>/decision/", views.group_decision, name="group_decision"),
]
