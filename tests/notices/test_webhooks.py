"""Webhooks (issue: telling other systems): a council admin subscribes an address to event
types; each event is signed (HMAC-SHA256 over the timestamp and body), carries an id so the
receiver can drop repeats, is tried again with backoff after each failure until it is
delivered, and is logged. A receiver of another council gets nothing."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from core.errors import NotAllowed, ValidationFailed
from notices.models import HookDelivery, HookStatus
from notices.services import subscription_create, subscription_end
from notices.tasks import hooks_retry
from tests.notices.conftest import put_in_place

pytestmark = pytest.mark.django_db


class Receiver:
    """A webhook receiver on 127.0.0.1 that fails each event's first `failures` tries."""

    def __init__(self, failures: int = 0):
        self.failures = failures
        self.requests: list[dict] = []
        self.tries: dict[str, int] = defaultdict(int)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the http.server API
                body = self.rfile.read(int(self.headers["Content-Length"]))
                event = self.headers["X-Oversight-Delivery"]
                receiver.requests.append({"headers": dict(self.headers), "body": body})
                receiver.tries[event] += 1
                ok = receiver.tries[event] > receiver.failures
                self.send_response(200 if ok else 500)
                self.end_headers()
                self.wfile.write(b"thanks" if ok else b"try later")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/oversight"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    made = []

    def make(failures: int = 0) -> Receiver:
        made.append(Receiver(failures))
        return made[-1]

    yield make
    for r in made:
        r.close()


def _due_now():
    HookDelivery.objects.filter(status=HookStatus.FAILED).update(next_try_at=timezone.now())


def test_a_receiver_that_fails_twice_gets_each_event_again_then_no_more(
    wb, bedford, willow, receiver, django_capture_on_commit_callbacks
):
    ours, theirs = receiver(failures=2), receiver()
    sub, secret = subscription_create(
        council=wb.council, actor=wb.admin, name="Mosaic", url=ours.url,
        event_types=["restriction.changed", "letter.issued"],
    )  # fmt: skip
    subscription_create(
        council=bedford.council, actor=bedford.admin, name="CareDirector", url=theirs.url,
        event_types=["restriction.changed", "case.moved", "decision.taken", "letter.issued"],
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        r = put_in_place(wb, location=willow)
    deliveries = list(HookDelivery.objects.filter(subscription=sub))
    assert deliveries and all(d.status == HookStatus.FAILED for d in deliveries)
    assert all(d.attempts == 1 and d.last_status_code == 500 for d in deliveries)
    first_gap = deliveries[0].next_try_at - timezone.now()
    _due_now()
    assert hooks_retry() == len(deliveries)  # the second try: failed again, a longer wait
    d = HookDelivery.objects.get(pk=deliveries[0].pk)
    assert d.attempts == 2 and d.next_try_at - timezone.now() > first_gap
    _due_now()
    hooks_retry()  # the third try is answered
    assert hooks_retry() == 0  # nothing more to send
    assert set(HookDelivery.objects.filter(subscription=sub).values_list("status", flat=True)) == {
        HookStatus.DELIVERED
    }
    assert set(ours.tries.values()) == {3}  # each event: once more after each failure
    assert len(ours.requests) == 3 * len(deliveries)
    # Each delivery is signed and carries its id and where to read what changed.
    for request in ours.requests:
        headers, body = request["headers"], request["body"]
        stamp, signature = (p.split("=", 1)[1] for p in headers["X-Oversight-Signature"].split(","))
        expected = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256)
        assert hmac.compare_digest(signature, expected.hexdigest())
        payload = json.loads(body)
        assert payload["id"] == headers["X-Oversight-Delivery"]
        assert payload["type"] == "restriction.changed"
        assert payload["data"]["restriction_id"] == r.pk
        assert payload["url"].endswith(f"/api/v1/restrictions/{r.pk}/")
    # Bedford's system hears nothing of West Berkshire's restriction (shared with Bedford
    # for its placement checks, never sent to its systems).
    assert theirs.requests == []


def test_only_a_council_admin_subscribes_and_only_https_or_this_machine(wb):
    with pytest.raises(NotAllowed):
        subscription_create(
            council=wb.council, actor=wb.manager, name="Mosaic",
            url="https://mosaic.example.gov.uk/hooks", event_types=["case.moved"],
        )  # fmt: skip
    for url in ("http://mosaic.example.gov.uk/hooks", "ftp://x.example", "https://u:p@x.example/"):
        with pytest.raises(ValidationFailed) as refused:
            subscription_create(
                council=wb.council, actor=wb.admin, name="Mosaic", url=url,
                event_types=["case.moved"],
            )  # fmt: skip
        assert "url" in refused.value.errors
    with pytest.raises(ValidationFailed) as refused:
        subscription_create(
            council=wb.council, actor=wb.admin, name="Mosaic",
            url="https://mosaic.example.gov.uk/hooks", event_types=["everything"],
        )  # fmt: skip
    assert "event_types" in refused.value.errors


def test_an_ended_webhook_is_sent_nothing_more(
    wb, willow, receiver, django_capture_on_commit_callbacks
):
    ours = receiver()
    sub, _ = subscription_create(
        council=wb.council, actor=wb.admin, name="Mosaic", url=ours.url,
        event_types=["restriction.changed"],
    )  # fmt: skip
    subscription_end(subscription=sub, actor=wb.admin)
    with django_capture_on_commit_callbacks(execute=True):
        put_in_place(wb, location=willow)
    assert ours.requests == [] and not HookDelivery.objects.exists()


def test_the_webhooks_pages_and_api_are_for_council_admins(wb, signed_in, api_as, receiver):
    ours = receiver()
    page = signed_in(wb.admin).post(
        "/webhooks/", {"name": "Mosaic", "url": ours.url, "event_types": ["case.moved"]}
    )
    assert page.status_code == 200 and 'data-testid="secret"' in page.content.decode()
    assert signed_in(wb.officer).get("/webhooks/").status_code == 403
    made = api_as(wb.admin).post(
        "/api/v1/webhooks/",
        {"name": "Liquidlogic", "url": ours.url, "event_types": ["letter.issued"]},
        format="json",
    )
    assert made.status_code == 201 and len(made.json()["secret"]) == 64
    listed = api_as(wb.admin).get("/api/v1/webhooks/").json()
    assert "secret" not in listed["results"][0]
    assert api_as(wb.officer).get("/api/v1/webhooks/").status_code == 403
    bad = api_as(wb.admin).post(
        "/api/v1/webhooks/",
        {"name": "X", "url": "http://evil.example/", "event_types": ["case.moved"]},
        format="json",
    )
    assert bad.status_code == 400


def test_no_webhook_to_a_private_or_metadata_address(wb, settings):
    """Issue 11: a council admin cannot make the server call into its own network or the
    cloud's metadata service; a council's own private network may be allowed by settings."""
    for url in (
        "https://169.254.169.254/latest/meta-data/",
        "https://10.1.2.3/hooks",
        "https://[fd00::1]/hooks",
    ):
        with pytest.raises(ValidationFailed) as refused:
            subscription_create(
                council=wb.council, actor=wb.admin, name="X", url=url,
                event_types=["case.moved"],
            )  # fmt: skip
        assert "private or reserved" in refused.value.errors["url"][0]
    settings.WEBHOOK_ALLOWED_NETWORKS = ["10.1.0.0/16"]
    sub, _ = subscription_create(
        council=wb.council, actor=wb.admin, name="Mosaic", url="https://10.1.2.3/hooks",
        event_types=["case.moved"],
    )  # fmt: skip
    assert sub.pk
