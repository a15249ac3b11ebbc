"""Wards in the Django admin (postcodes are loaded by `manage.py load_postcodes`)."""

from django.contrib import admin

from places.models import Ward


@admin.register(Ward)
class WardAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "scheme"]
    list_filter = ["scheme"]
    search_fields = ["name", "code"]
