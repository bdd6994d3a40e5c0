from django.urls import path

from providers import api, views

urlpatterns = [
    path("locations/", views.location_search, name="location-search"),
    path("locations/<int:pk>/", views.location_detail, name="location-detail"),
    path("locations/cqc/<str:cqc_id>/", views.location_by_cqc_id, name="location-by-cqc"),
    path("providers/<int:pk>/", views.provider_detail, name="provider-detail"),
    path("imports/", views.import_list, name="import-list"),
    path("imports/<int:pk>/", views.import_detail, name="import-detail"),
    path("imports/mappings/", views.mapping_list, name="mapping-list"),
    path("imports/mappings/new/", views.mapping_edit, name="mapping-new"),
    path("imports/mappings/<int:pk>/", views.mapping_edit, name="mapping-edit"),
    path("register/", views.register_home, name="register-home"),
    path("register/imports/<int:pk>/", views.register_import, name="register-import"),
]

api_routes = [
    ("providers", api.ProviderViewSet, "provider"),
    ("locations", api.LocationViewSet, "location"),
    ("imports", api.ImportRunViewSet, "import"),
    ("column-mappings", api.ColumnMappingViewSet, "column-mapping"),
    ("register/imports", api.NationalImportViewSet, "register-import"),
]

api_urlpatterns = [
    path("register/sync/", api.RegisterSyncView.as_view(), name="register-sync"),
]
