"""gunicorn for production: `gunicorn -c config/gunicorn.py config.wsgi`.

Sync workers with one thread each, so that a worker holds one database connection at most:
the server's connections are bounded by WEB_WORKERS (issue 11: 200 parallel readers took all
of PostgreSQL's 100 connections). Requests beyond the workers wait in the listen backlog
rather than open connections."""

import multiprocessing
import os

bind = os.environ.get("WEB_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = 1
worker_class = "sync"
backlog = int(os.environ.get("WEB_BACKLOG", "2048"))
timeout = int(os.environ.get("WEB_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# A worker is replaced now and then, so that no memory grows without end.
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
errorlog = "-"


def child_exit(server, worker):
    """With PROMETHEUS_MULTIPROC_DIR set, the metrics of every worker are added up: a worker
    that ends leaves its counts to the others."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
