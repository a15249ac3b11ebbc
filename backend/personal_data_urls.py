"""The download of a person's data and the deletion of their account, under accounts/;
linked from Your details (accounts lists the links the shell registers)."""

from django.urls import path

from accounts.views import privacy_link_register
from backend import personal_data_views as views

urlpatterns = [
    path("my-data/", views.data_download, name="account_data_download"),
    path("delete/", views.delete, name="account_delete"),
    path("deleted/", views.deleted, name="account_deleted"),
]

privacy_link_register(label="Download your data", url_name="account_data_download")
privacy_link_register(label="Delete your account", url_name="account_delete")
