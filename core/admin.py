from django.contrib import admin

from core.models import AuditEntry, Timer


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read only: the audit log is append-only."""

    list_display = ["at", "council", "actor_label", "action", "summary"]
    list_filter = ["action"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.register(Timer)
