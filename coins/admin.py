"""Schemes and their admins in the Django admin (ledger rows are read-only there)."""

from django.contrib import admin

from coins.models import Scheme, SchemeAdmin


class SchemeAdminInline(admin.TabularInline):
    model = SchemeAdmin
    autocomplete_fields = ["user"]
    extra = 0


@admin.register(Scheme)
class SchemeModelAdmin(admin.ModelAdmin):
    list_display = ["name", "coin_name", "created"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [SchemeAdminInline]
