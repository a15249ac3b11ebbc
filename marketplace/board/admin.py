"""The board in the Django admin."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from marketplace.board.models import (
    CommunityGroup,
    DbsRecord,
    GroupOrganiser,
    Hours,
    Opportunity,
    Shift,
    Signup,
)
from places.selectors import postcode_found


class GroupOrganiserInline(admin.TabularInline):
    model = GroupOrganiser
    autocomplete_fields = ["user"]
    extra = 0


@admin.register(CommunityGroup)
class CommunityGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "scheme", "status", "ward"]
    list_filter = ["status", "scheme"]
    list_select_related = ["scheme", "ward"]
    readonly_fields = ["ward", "latitude", "longitude"]
    inlines = [GroupOrganiserInline]

    def save_model(
        self, request: HttpRequest, obj: CommunityGroup, form: Any, change: bool
    ) -> None:
        if "postcode" in form.changed_data:  # the ward follows the postcode, as on the page
            obj.place_at(postcode_found(obj.postcode))
        super().save_model(request, obj, form, change)


class ShiftInline(admin.TabularInline):
    model = Shift
    extra = 0


@admin.register(Opportunity)
class OpportunityAdmin(admin.ModelAdmin):
    list_display = ["title", "group", "status", "minimum_age", "dbs_required"]
    list_filter = ["status", "dbs_required", "scheme"]
    search_fields = ["title", "group__name"]
    inlines = [ShiftInline]


@admin.register(Signup)
class SignupAdmin(admin.ModelAdmin):
    list_display = ["shift", "user", "status", "created"]
    list_filter = ["status"]
    raw_id_fields = ["shift", "user"]


@admin.register(DbsRecord)
class DbsRecordAdmin(admin.ModelAdmin):
    list_display = ["user", "outcome", "checked_on", "group"]
    raw_id_fields = ["user", "recorded_by"]


@admin.register(Hours)
class HoursAdmin(admin.ModelAdmin):
    list_display = ["signup", "minutes", "status", "decided_by", "decided_at"]
    list_filter = ["status"]
    raw_id_fields = ["signup", "decided_by"]
