"""The development settings (DATABASE_URL from the environment), with the bench's URLs."""

from config.settings.dev import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
