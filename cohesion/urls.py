"""The pulse's pages, by the invite's token."""

from django.urls import path

from cohesion import views

app_name = "pulse"
urlpatterns = [
    path("<str:token>/", views.pulse_ask, name="ask"),
    path("<str:token>/thanks/", views.pulse_thanks, name="thanks"),
]
