"""Settings of a real Celery worker process started by tests/core/test_sweep_worker.py: the
test settings, on Redis, not eager, with unacknowledged tasks given back soon after a worker
dies (the test database comes from DATABASE_URL, set by the test)."""

from config.settings.test import *  # noqa: F403
from config.settings.test import env

CELERY_TASK_ALWAYS_EAGER = False
CELERY_BROKER_URL = env("REDIS_URL")
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 5}
CELERY_TASK_DEFAULT_QUEUE = env("OVERSIGHT_TEST_QUEUE")
