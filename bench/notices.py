"""The letters and timers benchmarks (issue 10), in a database of their own:

- One letter: written from its request and issued (its PDF made, hashed and stored), p95 over
  a run of letters, and the first one apart (WeasyPrint loads its fonts once per process);
  beside it a one-line PDF made the same way in the same run (the baseline).
- A list of 500 entries (the Managed Placements Memo) as PDF.
- The timer sweep over 100,000 pending timers of which 1,000 are due (deadlines, each owner
  and manager told), beside the time to select the 1,000 due ids alone.
- The start page's counts: its queries and p95 for a person with 3 things waiting and with
  300, which must be the same number of queries."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field

from bench import register as r

LETTER_TARGET_S = 1.5
LIST_TARGET_S = 10.0
LIST_ENTRIES = 500
SWEEP_TARGET_S = 2.0
PENDING_TIMERS = 100_000
DUE_TIMERS = 1_000
LETTERS = 12
PAGE_REQUESTS = 30


@dataclass
class NoticesResults:
    letter_first_s: float = 0.0
    letter_samples_s: list[float] = field(default_factory=list)
    baseline_pdf_s: float = 0.0
    list_s: float = 0.0
    list_pages: int = 0
    sweep_s: float = 0.0
    sweep_moved: int = 0
    select_due_s: float = 0.0
    start_queries: dict[str, int] = field(default_factory=dict)
    start_p95_ms: dict[str, float] = field(default_factory=dict)
    database: str = ""

    @property
    def letter_p95(self) -> float:
        return r.percentile(self.letter_samples_s, 95)


def _council(code: str):
    from django.conf import settings

    from councils.services import policy_load

    text = (settings.POLICY_DIR / f"{code}.yaml").read_text(encoding="utf-8")
    return policy_load(text=text, source_name=f"{code}.yaml").council


def _person(council, role: str, username: str, title: str = ""):
    from councils.models import Membership, User

    user = User.objects.create(
        username=username, first_name=username.title(), email=f"{username}@bench.example",
        notify_by="never",
    )  # fmt: skip
    user.set_password("bench-password")
    user.save()
    Membership.objects.create(user=user, council=council, role=role, title=title)
    return user


def _location(n: int):
    from providers.models import Location, Provider

    provider = Provider.objects.create(
        name=f"Bench Care {n} Ltd", name_key=f"bench care {n} ltd",
        nominated_individual="Jane Owner", address="1 High Street, Taunton", postcode="TA1 1AA",
    )  # fmt: skip
    return Location.objects.create(
        provider=provider, name=f"Bench House {n}", address_line1="2 Mill Lane",
        town="Taunton", postcode="TA1 2BB", local_authority="Somerset",
    )  # fmt: skip


def measure_letters(res: NoticesResults) -> None:
    from django_scopes import scope

    from concerns.models import LetterRequest
    from concerns.services import case_open
    from core.pdf import pdf_render
    from notices.services import letter_issue, letter_write

    council = _council("somerset")
    officer = _person(council, "officer", "bench-officer")
    with scope(council=council):
        for i in range(LETTERS + 1):
            case = case_open(
                council=council, actor=officer, summary="Bench", location=_location(i),
                lead_officer=officer,
            )  # fmt: skip
            request = LetterRequest.objects.create(
                council=council, case=case, letter="rectification_notice", label="Rectification",
            )  # fmt: skip
            start = time.perf_counter()
            letter = letter_write(council=council, source="concerns.letter", request_id=request.pk)
            letter_issue(letter=letter, actor=officer)
            took = time.perf_counter() - start
            if i == 0:
                res.letter_first_s = took
            else:
                res.letter_samples_s.append(took)
    samples = []
    for _ in range(5):
        start = time.perf_counter()
        pdf_render('<html lang="en-GB"><head><title>x</title></head><body><p>x</p></body></html>')
        samples.append(time.perf_counter() - start)
    res.baseline_pdf_s = r.percentile(samples, 50)


def measure_list(res: NoticesResults) -> None:
    import subprocess

    from django_scopes import scope

    from restrictions.models import ListIssue
    from restrictions.selectors.lists import issue_pdf

    council = _council("west-berkshire")
    entries = [
        {
            "key": f"L{i}", "reference": f"RES-2026-{i:04d}", "level": "suspended",
            "area": "", "code": "RC", "name": f"Bench House {i}", "provider": f"Bench {i} Ltd",
            "address": f"{i} Mill Lane, Newbury, RG14 {i % 9}AB", "cqc_location_id": f"1-{i}",
            "contact": "Sam Officer", "telephone": "01635 519000", "email": "q@example.org",
            "added": "2026-11-01", "added_label": "1 November 2026", "whole_provider": False,
        }
        for i in range(LIST_ENTRIES)
    ]  # fmt: skip
    content = {
        "marking": "OFFICIAL SENSITIVE",
        "intro": "Providers with restrictions on placements.",
        "codes": [{"code": "RC", "label": "Residential care"}],
        "sections": [
            {
                "level": "suspended",
                "heading": "Embargo",
                "description": "",
                "label": "Embargo",
                "colour": "red",
                "groups": [{"area": "", "entries": entries}],
            },
        ],  # fmt: skip
        "removed": None,
    }
    with scope(council=council):
        issue = ListIssue.objects.create(
            council=council, list_key="bench", number=1, reference="LIST-2026-0001",
            title="Providers with Restrictions List", issued_on=dt.date(2026, 11, 29),
            issued_by_label="Bench", content=content, keys=[],
        )  # fmt: skip
        start = time.perf_counter()
        pdf = issue_pdf(issue)
        res.list_s = time.perf_counter() - start
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=False)
    for line in info.stdout.decode().splitlines():
        if line.startswith("Pages:"):
            res.list_pages = int(line.split()[1])


def measure_sweep(res: NoticesResults) -> None:
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from core.models import Timer
    from core.sweep import timers_advance

    council = _council("bromley")
    owners = [_person(council, "officer", f"owner-{i}") for i in range(10)]
    _person(council, "manager", "bench-manager")
    now = timezone.now()
    rows = []
    for i in range(PENDING_TIMERS):
        due = i < DUE_TIMERS
        at = now - dt.timedelta(minutes=i + 1) if due else now + dt.timedelta(days=1 + i % 400)
        rows.append(
            Timer(
                council=council, kind="concerns.deadline", subject_type="concerns.case",
                subject_id=str(i), cause=f"bench:{i}", owner=owners[i % 10],
                starts_on=(now - dt.timedelta(days=30)).date(), due_on=at.date(), due_at=at,
                next_at=at, label="Bench deadline",
            )
        )  # fmt: skip
    with scopes_disabled():
        Timer.objects.bulk_create(rows, batch_size=5000)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE core_timer")
        start = time.perf_counter()
        cursor.execute(
            "SELECT id FROM core_timer WHERE status = 'running' AND next_at <= %s "
            "ORDER BY next_at, id LIMIT %s",
            [now, DUE_TIMERS + 1],
        )
        cursor.fetchall()
        res.select_due_s = time.perf_counter() - start
    start = time.perf_counter()
    res.sweep_moved = timers_advance(now=now)
    res.sweep_s = time.perf_counter() - start


def measure_start_page(res: NoticesResults) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django_scopes import scope

    from concerns.models import LetterRequest
    from concerns.services import case_open
    from notices.services import letter_write

    council = _council("west-berkshire")
    officer = _person(council, "officer", "start-officer")
    client = Client()
    client.force_login(officer)
    made = 0
    for label, wanted in (("3 waiting", 3), ("300 waiting", 300)):
        with scope(council=council):
            while made < wanted:
                case = case_open(
                    council=council, actor=officer, summary="Bench",
                    location=_location(10_000 + made),
                )  # fmt: skip
                request = LetterRequest.objects.create(
                    council=council, case=case, letter="default_warning_letter", label="Warning"
                )
                letter_write(council=council, source="concerns.letter", request_id=request.pk)
                made += 1
        for _ in range(5):
            client.get("/")
        with CaptureQueriesContext(connection) as ctx:
            client.get("/")
        res.start_queries[label] = len(ctx.captured_queries)
        samples = []
        for _ in range(PAGE_REQUESTS):
            start = time.perf_counter()
            assert client.get("/").status_code == 200
            samples.append((time.perf_counter() - start) * 1000)
        res.start_p95_ms[label] = r.percentile(samples, 95)


def stage() -> NoticesResults:
    res = NoticesResults()
    r.log("Letters: writing and issuing")
    measure_letters(res)
    r.log("A list of 500 entries as PDF")
    measure_list(res)
    r.log(f"The sweep over {PENDING_TIMERS:,} timers")
    measure_sweep(res)
    r.log("The start page's counts")
    measure_start_page(res)
    return res


def run(*, keep_db: bool = False) -> NoticesResults:
    return r.in_own_database(stage, keep_db=keep_db)


def summary_rows(res: NoticesResults) -> list[tuple[str, str, str, str, str]]:
    v = r.verdict
    queries = set(res.start_queries.values())
    return [
        (
            "one letter written and issued, p95",
            f"{res.letter_p95:.2f} s",
            f"<= {LETTER_TARGET_S} s",
            f"first {res.letter_first_s:.2f} s; one-line PDF {res.baseline_pdf_s * 1000:.0f} ms "
            f"({r.ratio(res.letter_p95, res.baseline_pdf_s)})",
            v(res.letter_p95 <= LETTER_TARGET_S and res.letter_first_s <= LETTER_TARGET_S),
        ),
        (
            f"a list of {LIST_ENTRIES} entries as PDF",
            f"{res.list_s:.2f} s",
            f"<= {LIST_TARGET_S:.0f} s",
            f"{res.list_pages} pages",
            v(res.list_s <= LIST_TARGET_S),
        ),
        (
            f"sweep: {PENDING_TIMERS:,} pending, {DUE_TIMERS:,} due",
            f"{res.sweep_s:.2f} s",
            f"<= {SWEEP_TARGET_S:.0f} s",
            f"{res.sweep_moved:,} moved on; selecting the due ids alone "
            f"{res.select_due_s * 1000:.1f} ms",
            v(res.sweep_s <= SWEEP_TARGET_S and res.sweep_moved == DUE_TIMERS),
        ),
        (
            "start page: what waits, counted",
            ", ".join(f"{k}: {n} queries" for k, n in res.start_queries.items()),
            "same queries",
            "p95 " + ", ".join(f"{k} {ms:.1f} ms" for k, ms in res.start_p95_ms.items()),
            v(len(queries) == 1),
        ),
    ]
