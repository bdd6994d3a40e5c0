"""WSGI for the bench's gunicorn: the project's application, with the bench's settings."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

from config.wsgi import application  # noqa: E402,F401
