"""The "Your town" page."""

from django.urls import path

from places import town_views

app_name = "places"
urlpatterns = [
    path("", town_views.town, name="town"),
]
