from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from councils.models import ApiToken, Area, Council, Delegation, Membership, PolicyVersion, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fk_name = "user"


@admin.register(User)
class OversightUserAdmin(UserAdmin):
    inlines = [MembershipInline]


@admin.register(Council)
class CouncilAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "active_policy", "is_active"]
    readonly_fields = ["active_policy"]


@admin.register(PolicyVersion)
class PolicyVersionAdmin(admin.ModelAdmin):
    list_display = ["council", "number", "source_name", "loaded_at"]
    readonly_fields = [f.name for f in PolicyVersion._meta.fields]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "council", "prefix", "scopes", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "key_hash"]


admin.site.register([Area, Delegation])
