from django.contrib import admin

from marketplace.models import CommunityGroup, GroupOrganiser, Retailer, RetailerStaff


class GroupOrganiserInline(admin.TabularInline):
    model = GroupOrganiser
    autocomplete_fields = ["user"]
    extra = 0


class RetailerStaffInline(admin.TabularInline):
    model = RetailerStaff
    autocomplete_fields = ["user"]
    extra = 0


@admin.register(CommunityGroup)
class CommunityGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "scheme", "status"]
    list_filter = ["status", "scheme"]
    inlines = [GroupOrganiserInline]


@admin.register(Retailer)
class RetailerAdmin(admin.ModelAdmin):
    list_display = ["name", "scheme", "status"]
    list_filter = ["status", "scheme"]
    inlines = [RetailerStaffInline]
