"""Shops in the Django admin."""

from django.contrib import admin

from marketplace.rewards.models import Retailer, RetailerStaff


class RetailerStaffInline(admin.TabularInline):
    model = RetailerStaff
    autocomplete_fields = ["user"]
    extra = 0


@admin.register(Retailer)
class RetailerAdmin(admin.ModelAdmin):
    list_display = ["name", "scheme", "status"]
    list_filter = ["status", "scheme"]
    inlines = [RetailerStaffInline]
