"""Each app owns its pages (`<app>/urls.py`: `urlpatterns`) and its API (`api_routes` for the
router, `api_urlpatterns` for anything else under /api/v1/). Adding an app is one line here."""

from importlib import import_module

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

router = DefaultRouter()
api_urlpatterns = []


def app(name: str):
    """The app's pages, its routes on the API router and its other API paths."""
    urls = import_module(f"{name}.urls")
    for prefix, viewset, basename in getattr(urls, "api_routes", ()):
        router.register(prefix, viewset, basename=basename)
    api_urlpatterns.extend(getattr(urls, "api_urlpatterns", ()))
    return path("", include(urls.urlpatterns))


urlpatterns = [
    app("core"),
    app("councils"),
    app("providers"),
    app("monitoring"),
    app("decisions"),
    app("concerns"),
    app("restrictions"),
    app("notices"),
    app("boards"),
    app("reporting"),
    path("api/v1/", include(([*api_urlpatterns, *router.urls], "api"), namespace="v1")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("admin/", admin.site.urls),
]

handler404 = "core.views.not_found"
handler500 = "core.views.server_error"
handler400 = "core.views.bad_request"
