"""The project's URLs and a bare Django JSON view beside them: the baseline the placement
status API is served next to (same server, settings and middleware)."""

from django.http import JsonResponse
from django.urls import path

from config.urls import urlpatterns as project


def bare(request):
    return JsonResponse({"ok": True})


# Last, as the API's own paths come after the pages': resolving it costs what theirs does.
urlpatterns = [*project, path("bench/bare/", bare)]
