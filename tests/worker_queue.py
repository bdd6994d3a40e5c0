"""The one queue this test process's real workers consume: Celery reads the default queue once
per process, so every worker test of the process sends to this one."""

import uuid

QUEUE = f"test-{uuid.uuid4().hex[:8]}"
