"""The Django admin for the people who run the service. What changes who may do what is
audited (memberships, from a person's page); tokens and policy versions are read-only here:
tokens are issued and revoked on the council's tokens page, policies loaded by command, both
audited there."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from core.audit import audit_record
from councils.models import ApiToken, Area, Council, Delegation, Membership, PolicyVersion, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fk_name = "user"


@admin.register(User)
class OversightUserAdmin(UserAdmin):
    inlines = [MembershipInline]
    fieldsets = (*UserAdmin.fieldsets, ("National register", {"fields": ("keeps_register",)}))
    list_display = [*UserAdmin.list_display, "keeps_register"]

    def save_model(self, request, obj, form, change):
        """Giving or taking away the national register's keeper role is audited."""
        super().save_model(request, obj, form, change)
        if "keeps_register" in form.changed_data:
            audit_record(
                council=None,
                actor=request.user,
                action="register.keeper_changed_in_admin",
                summary=f"{obj}: national register keeper "
                + ("given" if obj.keeps_register else "taken away")
                + " in the admin",
                obj=obj,
            )

    def save_formset(self, request, form, formset, change):
        """Each role given, changed or taken away here is written to the audit log."""
        before = {
            m.pk: (m.council_id, m.role, m.title, m.is_active)
            for m in Membership.objects.filter(user=form.instance)
        }
        super().save_formset(request, form, formset, change)
        if formset.model is not Membership:
            return
        for obj in formset.new_objects + [o for o, _ in formset.changed_objects]:
            audit_record(
                council=obj.council,
                actor=request.user,
                action="membership.changed_in_admin",
                summary=f"{obj.user}: {obj.get_role_display()}"
                + (f" ({obj.title})" if obj.title else "")
                + (" given" if obj.pk not in before else " changed")
                + " in the admin",
                obj=obj,
                data={"before": before.get(obj.pk), "active": obj.is_active},
            )
        for obj in formset.deleted_objects:
            council_id = before.get(obj.pk, (None,))[0]
            audit_record(
                council=Council.objects.filter(pk=council_id).first(),
                actor=request.user,
                action="membership.removed_in_admin",
                summary=f"{obj.user}: {obj.get_role_display()} taken away in the admin",
                data={"before": before.get(obj.pk)},
            )


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
    """Read-only: a token is issued and revoked on its council's tokens page (audited); here
    it could have been moved to another council or given wider scopes unseen."""

    list_display = ["name", "council", "prefix", "scopes", "last_used_at", "revoked_at"]
    readonly_fields = [f.name for f in ApiToken._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.register([Area, Delegation])
