"""The platform operator's pages."""

from django.urls import path

from backend import platform_views

app_name = "platform"
urlpatterns = [
    path("", platform_views.platform, name="index"),
    path("schemes/new/", platform_views.scheme_new, name="scheme_new"),
]
