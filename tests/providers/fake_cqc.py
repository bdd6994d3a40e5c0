"""A local fake of CQC's Syndication API on 127.0.0.1, serving records in the shapes of
`../shared/data/cqc/*.schema.json`: the changes endpoints (by timestamp window, paged), one
location, one provider. It checks the subscription key, records every request, and can be told
to fail (503) or to throttle (429 with Retry-After) to test the sync's resumption and limits."""

from __future__ import annotations

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

KEY = "test-subscription-key"
PARTNER = "OVERSIGHT-TEST"


def _when(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)


def cqc_shape(record: dict) -> dict:
    """As CQC gives it: each key question rating carries its report's date and link, each
    historic rating its (maybe empty) service ratings, each regulated activity its contacts."""
    for historic in record.get("historicRatings", []):
        historic.setdefault("serviceRatings", [])
    for activity in record.get("regulatedActivities", []):
        activity.setdefault("contacts", [])
    overall = (record.get("currentRatings") or {}).get("overall")
    if overall:
        for kq in overall.get("keyQuestionRatings", []):
            kq.setdefault("reportDate", overall.get("reportDate", ""))
            kq.setdefault("reportLinkId", overall.get("reportLinkId", ""))
    return record


class FakeCqc:
    def __init__(self):
        self.locations: dict[str, dict] = {}
        self.providers: dict[str, dict] = {}
        self.changes: list[tuple[dt.datetime, str, str]] = []  # (when, kind, id)
        self.requests: list[tuple[str, dict, dict]] = []  # (path, query, headers)
        self.fail_from: int | None = None  # record fetches from this one answer 503
        self.throttle: list[int] = []  # Retry-After seconds for the next answers (429)
        self.record_fetches = 0
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/public/v1"

    def start(self) -> FakeCqc:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def change(self, when: dt.datetime, location: dict | None = None, provider: dict | None = None):
        """CQC changed this record at `when` (None for a record it no longer has)."""
        if location is not None:
            self.locations[location["locationId"]] = cqc_shape(location)
            self.changes.append((when, "location", location["locationId"]))
        if provider is not None:
            self.providers[provider["providerId"]] = cqc_shape(provider)
            self.changes.append((when, "provider", provider["providerId"]))

    def fetched(self, kind: str) -> list[str]:
        return [p.rsplit("/", 1)[1] for p, _, _ in self.requests if f"/{kind}s/" in p]

    def _answer(self, path: str, query: dict) -> tuple[int, dict | None, dict]:
        if self.throttle:
            return (
                429,
                {"message": "Rate limit is exceeded."},
                {"Retry-After": str(self.throttle.pop(0))},
            )
        parts = path.removeprefix("/public/v1/").split("/")
        if parts[0] == "changes" and len(parts) == 2:
            start, end = _when(query["startTimestamp"]), _when(query["endTimestamp"])
            ids = [i for when, kind, i in self.changes if kind == parts[1] and start < when <= end]
            per_page, page = int(query.get("perPage", 1000)), int(query.get("page", 1))
            pages = max(1, -(-len(ids) // per_page))
            return (
                200,
                {
                    "total": len(ids),
                    "page": page,
                    "perPage": per_page,
                    "totalPages": pages,
                    "startTimestamp": query["startTimestamp"],
                    "endTimestamp": query["endTimestamp"],
                    "changes": ids[(page - 1) * per_page : page * per_page],
                },
                {},
            )
        if parts[0] in ("locations", "providers") and len(parts) == 2:
            self.record_fetches += 1
            if self.fail_from is not None and self.record_fetches >= self.fail_from:
                return 503, {"message": "Service unavailable"}, {}
            store = self.locations if parts[0] == "locations" else self.providers
            record = store.get(parts[1])
            return (200, record, {}) if record is not None else (404, {"message": "Not found"}, {})
        return 404, {"message": "No such endpoint"}, {}

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (the standard library's name)
                url = urlparse(self.path)
                query = {k: v[-1] for k, v in parse_qs(url.query).items()}
                fake.requests.append((url.path, query, dict(self.headers)))
                if self.headers.get("Ocp-Apim-Subscription-Key") != KEY:
                    status, body, headers = 401, {"message": "Access denied"}, {}
                else:
                    status, body, headers = fake._answer(url.path, query)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        return Handler
