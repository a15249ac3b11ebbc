from django.contrib import admin

from notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["kind", "title", "user", "created", "read_at"]
    list_filter = ["kind"]
    raw_id_fields = ["user"]
