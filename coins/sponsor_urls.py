"""The sponsor's pages."""

from django.urls import path

from coins import sponsor_views as views

app_name = "sponsor"
urlpatterns = [
    path("", views.start, name="start"),
    path("mine/", views.mine, name="mine"),
    path("<int:pk>/", views.receipt, name="receipt"),
    path("<int:pk>/pay/", views.pay, name="pay"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/status.json", views.status, name="status"),
]
