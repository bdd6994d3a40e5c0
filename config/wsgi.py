"""The WSGI application (gunicorn: `gunicorn config.wsgi`)."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.prod")
application = get_wsgi_application()

# What is loaded by now lives as long as the process: keep it out of the collector's full
# passes, which otherwise stall a request that allocates much (a bulk lookup of 1,000
# placement statuses) for tens of milliseconds.
gc.freeze()
