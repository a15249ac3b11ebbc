"""The council's queue of shops."""

from django.urls import path

from marketplace.rewards import council_views as views

# Included with the groups' queue under one "council" namespace (backend/urls.py).
urlpatterns = [
    path("shops/", views.shop_queue, name="shops"),
    path("shops/<int:pk>/decision/", views.shop_decision, name="shop_decision"),
]
