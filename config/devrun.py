"""`make run`: the web server, a Celery worker and beat (the timer sweep) together, with no
servers needed (SQLite and kombu's filesystem broker unless DATABASE_URL/REDIS_URL are set).
Ctrl-C stops all three."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    (BASE / "var").mkdir(exist_ok=True)  # the SQLite database and the broker's folders
    py = sys.executable
    addr = os.environ.get("RUN_ADDR", "127.0.0.1:8000")
    commands = [
        [py, "manage.py", "runserver", addr],
        [
            py,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--beat",
            "--pool=solo",
            "--loglevel=INFO",
            "--schedule",
            str(BASE / "var" / "celerybeat-schedule"),
        ],
    ]
    procs = [subprocess.Popen(cmd, cwd=BASE) for cmd in commands]
    print(f"Oversight is running at http://{addr}/ (Ctrl-C to stop)", flush=True)

    def stop(*_):
        for p in procs:
            if p.poll() is None:
                p.terminate()

    signal.signal(signal.SIGTERM, stop)
    try:
        while all(p.poll() is None for p in procs):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        stop()
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
    return max((p.returncode or 0) for p in procs)


if __name__ == "__main__":
    sys.exit(main())
