"""Notifications in the Django admin."""

from django.contrib import admin

from notifications.models import Notification, NotificationPreference, PushSubscription


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["kind", "title", "user", "created", "read_at", "emailed_at", "pushed_at"]
    list_filter = ["kind", "in_page"]
    raw_id_fields = ["user"]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "in_page", "email", "push"]
    list_filter = ["kind"]
    raw_id_fields = ["user"]


@admin.register(PushSubscription)
class PushSubscriptionAdmin(admin.ModelAdmin):
    list_display = ["user", "created"]
    raw_id_fields = ["user"]
