"""The Celery app: tasks are discovered in each app's tasks.py."""

import os
from pathlib import Path

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = Celery("oversight")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

_FOLDER_OPTIONS = ("data_folder_in", "data_folder_out", "processed_folder", "control_folder")
_folders_made = False


@signals.before_task_publish.connect
@signals.worker_init.connect
def broker_folders_make(**_) -> None:
    """kombu's filesystem transport (`make run` without Redis) needs its folders before the
    first message; they are made here, once, rather than when settings are imported."""
    global _folders_made
    if _folders_made or not str(app.conf.broker_url).startswith("filesystem"):
        return
    options = app.conf.broker_transport_options or {}
    for key in _FOLDER_OPTIONS:
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)
    _folders_made = True
