from django.contrib import admin

from providers.models import ColumnMapping, ImportRun, Location, Provider, Rating


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ["name", "cqc_location_id", "local_authority", "overall_rating"]
    search_fields = ["name", "cqc_location_id", "postcode"]
    raw_id_fields = ["provider"]


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ["name", "cqc_provider_id"]
    search_fields = ["name", "cqc_provider_id"]


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ["source_name", "council", "format", "status", "created_at"]


admin.site.register([Rating, ColumnMapping])
