"""Timer kinds that exist only in the tests, for the real-worker tests of the sweep: an effect
that writes a record (so a test can count how often it happened) and one that stops half way
(so a test can kill the worker while it holds the timer)."""

import os
import time
from pathlib import Path

from django.apps import AppConfig


class SlowTimersConfig(AppConfig):
    name = "tests.slow_timers"
    label = "slow_timers"

    def ready(self):
        from core.audit import audit_record
        from core.timers import timer_handler

        @timer_handler("test.once", deadline=False)
        def once(timer):
            audit_record(council=timer.council, actor=None, action="test.effect", summary="x")
            return "done"

        @timer_handler("test.slow", deadline=False)
        def slow(timer):
            audit_record(council=timer.council, actor=None, action="test.effect", summary="x")
            marker = os.environ.get("OVERSIGHT_TEST_MARKER")
            if marker:  # tell the test it is half way, then hold the row lock a while
                Path(marker).write_text(str(os.getpid()))
            time.sleep(float(os.environ.get("OVERSIGHT_TEST_SLOW_SECONDS", "0")))
            return "done slowly"
