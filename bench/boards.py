"""The boards benchmarks (issue 12), in a database of their own: "A board page and a meeting
page with 40 agenda items and a year of meetings at most 150 ms p95, a fixed number of
queries."

Somerset (its policy pack) with its Commissioning & Quality Board: 10 members by post, and a
year of meetings written in bulk as the services leave them (held weekly over the last 365
days, every fourth one urgent and half of those virtual, each with an attendance row for every
member then on the board and the quorum worked out by the pack's rule; the next meeting
arranged). The most recent meeting held has 40 agenda items: the pack's standing agenda, 8
recommendations referred to the Board and the rest plain items.

- The board's page and that meeting's page, GET through Django's test client signed in as an
  officer of Somerset: p50 and p95 over 200 requests after 10 untimed, and their queries.
- A fixed number of queries: the same pages' queries first at a small size (3 meetings, the
  meeting with 5 items), in the same run, then at the full size: they must be the same.
- The baseline, in the same run: the start page and /healthz, timed the same way."""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass, field

from bench import register as r

P95_TARGET_MS = 150.0
BOARD = "commissioning_quality_board"
MEETINGS = 52  # a year of weekly meetings: 51 held, the next one arranged
SMALL_MEETINGS = 3
AGENDA_ITEMS = 40
SMALL_ITEMS = 5
REFERRED = 8  # of the 40 items, recommendations referred to the Board (2 of the small 5)
SMALL_REFERRED = 2
REQUESTS = 200
SMALL_REQUESTS = 50
WARMUP = 10
SEED = 2026

# (name, organisation, posts, chair, vice chair, days on the board)
MEMBERS = [
    ("Dr Ann Hale", "Somerset CCG", ["ccg_safeguarding_commissioning"], True, False, 500),
    ("Raj Patel", "Somerset County Council", ["la_quality_performance_manager"], False, True, 500),
    ("Li Chen", "Somerset County Council", ["la_strategic_commissioner"], False, False, 500),
    ("Dr Mo Khan", "Somerset CCG", ["deputy_director_quality"], False, False, 500),
    ("Eve Ward", "Somerset County Council", ["strategic_commissioning_manager"], False, False, 500),
    ("Tom Reid", "Somerset County Council", ["procurement_service_manager"], False, False, 500),
    ("Ada Lowe", "Somerset County Council", ["strategic_manager_quality"], False, False, 120),
    ("Sam Jones", "Somerset CCG", ["safeguarding_lead_nurse"], False, False, 500),
    ("Kit Moss", "Somerset County Council", ["service_manager_quality"], False, False, 500),
    ("Jo Brown", "Somerset County Council", ["business_support"], False, False, 500),
]

log = r.log


@dataclass
class Page:
    name: str
    samples_ms: list[float]
    queries: int

    @property
    def p50(self) -> float:
        return r.percentile(self.samples_ms, 50)

    @property
    def p95(self) -> float:
        return r.percentile(self.samples_ms, 95)


@dataclass
class BoardsResults:
    members: int = 0
    meetings: int = 0
    held: int = 0
    attendance: int = 0
    items: int = 0
    referred: int = 0
    board: Page | None = None
    meeting: Page | None = None
    small_board: Page | None = None
    small_meeting: Page | None = None
    start: Page | None = None
    healthz: Page | None = None
    build_s: float = 0.0
    warnings: list[str] = field(default_factory=list)
    database: str = ""
    settings: str = ""


# --- the data ----------------------------------------------------------------------------------


@dataclass
class World:
    council: object
    board: object  # the pack's BoardDef
    officer: object
    members: list
    recommendations: list
    target_id: int = 0  # the meeting that gets the 40 items
    schedule: list = field(default_factory=list)  # (reference, meets_on, kind, virtual, held)


def _council():
    from django.conf import settings

    from councils.services import policy_load

    text = (settings.POLICY_DIR / "somerset.yaml").read_text(encoding="utf-8")
    return policy_load(text=text, source_name="somerset.yaml").council


def _schedule(today: dt.date) -> list[tuple[str, dt.date, str, bool, bool]]:
    """Newest first: the next meeting arranged, then one held each week over the last year
    (every fourth urgent, half of those virtual); references numbered by date within a year."""
    from boards.models import MeetingKind

    dates = [(today + dt.timedelta(days=9), False)] + [
        (today - dt.timedelta(days=3 + 7 * k), True) for k in range(MEETINGS - 1)
    ]
    numbers: dict[int, int] = {}
    refs = {}
    for on, _ in sorted(dates):
        numbers[on.year] = numbers.get(on.year, 0) + 1
        refs[on] = f"MTG-{on.year}-{numbers[on.year]:04d}"
    out = []
    for k, (on, held) in enumerate(dates):
        urgent = held and k % 4 == 0
        kind = MeetingKind.URGENT if urgent else MeetingKind.SCHEDULED
        out.append((refs[on], on, kind, urgent and k % 8 == 0, held))
    return out


def build_small() -> World:
    """Somerset, its officer, the Board's members, 3 meetings held, the latest with 5 items."""
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from boards.models import Member
    from boards.pack import Boards
    from councils.models import Membership, Role, User
    from decisions.models import Recommendation, Status
    from providers.models import Provider

    today = timezone.localdate()
    council = _council()
    board = Boards.of(council).get(BOARD)
    if board is None:
        raise RuntimeError(f"Somerset's pack has no board {BOARD!r}")
    with scopes_disabled():
        officer = User.objects.create(
            username="bench-officer", first_name="Bench", last_name="Officer",
            email="bench-officer@bench.example", notify_by="never",
        )  # fmt: skip
        Membership.objects.create(user=officer, council=council, role=Role.OFFICER)
        members = Member.objects.bulk_create(
            Member(
                council=council, board=BOARD, name=name, organisation=org, posts=posts,
                chair=chair, vice_chair=vice, joined_on=today - dt.timedelta(days=days),
            )
            for name, org, posts, chair, vice, days in MEMBERS
        )  # fmt: skip
        provider = Provider.objects.create(
            name="Bench Care Homes Ltd", name_key="bench care homes ltd",
            address="1 High Street, Taunton", postcode="TA1 1AA",
        )  # fmt: skip
        now = timezone.now()
        recommendations = Recommendation.objects.bulk_create(
            Recommendation(
                council=council, reference=f"REC-{today.year}-{i + 1:04d}", kind="concerns.move",
                key="issue_rectification", label="Issue a Rectification Notice",
                subject_type="concerns.case", subject_id=str(1000 + i), provider=provider,
                status=Status.PENDING, step=1, awaiting_decider="board",
                awaiting_label="Care Provider Commissioning & Quality Board",
                proposed_by=officer, proposed_by_label="Bench Officer",
                waiting_since=now - dt.timedelta(days=i), reason="Bench",
                policy_version_id=council.active_policy_id,
            )
            for i in range(REFERRED)
        )  # fmt: skip
    world = World(council, board, officer, members, recommendations, schedule=_schedule(today))
    # The 3 most recent meetings held (the newest of them the one that gets the 40 items).
    _meetings(world, [s for s in world.schedule if s[4]][:SMALL_MEETINGS])
    _items(world, standing=3, referred=SMALL_REFERRED, plain=0)
    return world


def build_full(world: World) -> None:
    """The rest of the year's meetings, the next one arranged, the meeting's 35 more items."""
    made = {ref for ref, *_ in [s for s in world.schedule if s[4]][:SMALL_MEETINGS]}
    _meetings(world, [s for s in world.schedule if s[0] not in made])
    standing = len(world.board.agenda)
    _items(
        world,
        standing=standing - 3,
        referred=REFERRED - SMALL_REFERRED,
        plain=AGENDA_ITEMS - standing - REFERRED,
    )
    r.analyze()


def _meetings(world: World, specs: list) -> None:
    """Meetings as the services leave them: the standing agenda; when held, an attendance row
    for every member then on the board and the quorum by the pack's rule."""
    from django_scopes import scopes_disabled

    from boards.models import AgendaItem, Attendance, Meeting, MeetingStatus
    from boards.quorum import Present, quorum_of

    council, board = world.council, world.board
    rng = random.Random(SEED + len(specs))
    rows, attendance, agenda = [], [], []
    for ref, on, kind, virtual, held in specs:
        meeting = Meeting(
            council=council, board=BOARD, reference=ref, kind=kind, virtual=virtual, meets_on=on,
            status=MeetingStatus.HELD if held else MeetingStatus.PLANNED,
            papers_issued_on=on - dt.timedelta(days=rng.choice([8, 8, 8, 7, 5])) if held else None,
            created_by=world.officer,
        )  # fmt: skip
        present = []
        if held:
            for m in world.members:
                if m.joined_on > on:
                    continue
                # The nurse comes to half the meetings: below 3 of 4 on the page.
                here = rng.random() < (0.5 if "safeguarding_lead_nurse" in m.posts else 0.88)
                attendance.append(
                    Attendance(
                        council=council, meeting=meeting, member=m, present=here,
                        apologies=not here,
                        declared_interest="Commissions from the provider"
                        if here and rng.random() < 0.05 else "",
                    )
                )  # fmt: skip
                if here:
                    present.append(Present(m.pk, frozenset(m.posts)))
            quorum = quorum_of(board, present)
            meeting.quorate, meeting.quorum_reasons = quorum.quorate, list(quorum.reasons)
        rows.append(meeting)
    with scopes_disabled():
        rows = Meeting.objects.bulk_create(rows)
        for a in attendance:
            a.meeting_id = a.meeting.pk
        Attendance.objects.bulk_create(attendance, batch_size=2000)
        if not world.target_id:
            world.target_id = rows[0].pk  # the newest meeting held
        for meeting in rows:
            if meeting.pk == world.target_id:
                continue  # its agenda is built item by item (_items)
            agenda.extend(
                AgendaItem(
                    council=council, meeting=meeting, position=n, title=title[:300],
                    standing=True,
                )
                for n, title in enumerate(board.agenda, start=1)
            )  # fmt: skip
        AgendaItem.objects.bulk_create(agenda, batch_size=2000)


def _items(world: World, *, standing: int, referred: int, plain: int) -> None:
    """More items on the target meeting's agenda: the next standing ones, the next referred
    recommendations, then plain items."""
    from django_scopes import scopes_disabled

    from boards.models import AgendaItem

    with scopes_disabled():
        have = list(
            AgendaItem.objects.filter(meeting_id=world.target_id).values_list(
                "standing", "recommendation_id"
            )
        )
        given_standing = sum(s for s, _ in have)
        given_referred = sum(rid is not None for _, rid in have)
        position = len(have)
        items = []
        for title in world.board.agenda[given_standing : given_standing + standing]:
            position += 1
            items.append(
                AgendaItem(
                    council=world.council, meeting_id=world.target_id, position=position,
                    title=title[:300], standing=True,
                )
            )  # fmt: skip
        for rec in world.recommendations[given_referred : given_referred + referred]:
            position += 1
            items.append(
                AgendaItem(
                    council=world.council, meeting_id=world.target_id, position=position,
                    title=f"{rec.reference}: {rec.label}"[:300], recommendation=rec,
                    discussion="The Board heard the case and the provider's action plan.",
                )
            )  # fmt: skip
        for n in range(plain):
            position += 1
            items.append(
                AgendaItem(
                    council=world.council, meeting_id=world.target_id, position=position,
                    title=f"Provider review {n + 1}: quality report and action plan update",
                    discussion="Noted.",
                )
            )  # fmt: skip
        AgendaItem.objects.bulk_create(items)


def _counts(res: BoardsResults, world: World) -> None:
    from django_scopes import scopes_disabled

    from boards.models import AgendaItem, Attendance, Meeting, MeetingStatus

    with scopes_disabled():
        meetings = Meeting.objects.filter(council=world.council, board=BOARD)
        res.members = len(world.members)
        res.meetings = meetings.count()
        res.held = meetings.filter(status=MeetingStatus.HELD).count()
        res.attendance = Attendance.objects.filter(meeting__in=meetings).count()
        target = AgendaItem.objects.filter(meeting_id=world.target_id)
        res.items = target.count()
        res.referred = target.filter(recommendation__isnull=False).count()


# --- the requests ------------------------------------------------------------------------------


def _get(client, url: str):
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}: {response.content[:300]!r}")
    return response


def _timed(client, name: str, url: str, requests: int) -> Page:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(WARMUP):
        _get(client, url)
    with CaptureQueriesContext(connection) as ctx:
        _get(client, url)
    # Read now: the next request's start empties the connection's log.
    queries = len(ctx.captured_queries)
    samples = []
    for _ in range(requests):
        start = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code} while timed")
    return Page(name, samples, queries)


def _check(res: BoardsResults, client, world: World) -> None:
    """The pages show what was written: every agenda item's title, the references of the
    board's meetings (the page lists the newest 40). A miss is a warning, not an error: the
    pages' layout is not the benchmark's business."""
    from django.utils.html import escape
    from django_scopes import scopes_disabled

    from boards.models import AgendaItem, Meeting

    with scopes_disabled():
        titles = list(
            AgendaItem.objects.filter(meeting_id=world.target_id).values_list("title", flat=True)
        )
        refs = list(
            Meeting.objects.filter(council=world.council, board=BOARD)
            .order_by("-meets_on", "-id")
            .values_list("reference", flat=True)[:40]
        )
    page = _get(client, f"/meetings/{world.target_id}/").content.decode()
    shown = sum(escape(t) in page for t in titles)
    if shown != len(titles):
        res.warnings.append(f"the meeting page shows {shown} of its {len(titles)} agenda items")
    page = _get(client, f"/boards/{BOARD}/").content.decode()
    listed = sum(ref in page for ref in refs)
    if listed != len(refs):
        res.warnings.append(f"the board page lists {listed} of its newest {len(refs)} meetings")


def _client(world: World):
    from django.test import Client

    client = Client()
    client.force_login(world.officer)
    return client


def measure(res: BoardsResults, client, world: World, *, small: bool) -> None:
    board_url, meeting_url = f"/boards/{BOARD}/", f"/meetings/{world.target_id}/"
    n = SMALL_REQUESTS if small else REQUESTS
    board = _timed(client, "board page", board_url, n)
    meeting = _timed(client, "meeting page", meeting_url, n)
    if small:
        res.small_board, res.small_meeting = board, meeting
    else:
        res.board, res.meeting = board, meeting
        res.start = _timed(client, "start page", "/", n)
        res.healthz = _timed(client, "/healthz", "/healthz", n)


# --- the stage -----------------------------------------------------------------------------------


def stage() -> BoardsResults:
    res = BoardsResults()
    log(f"\nBoards: Somerset's Board, {len(MEMBERS)} members, {SMALL_MEETINGS} meetings")
    start = time.perf_counter()
    world = build_small()
    client = _client(world)
    _counts(res, world)
    _check(res, client, world)
    log(f"  timing at {res.meetings} meetings, {res.items} items")
    measure(res, client, world, small=True)
    log(f"  {MEETINGS} meetings over the year, the meeting with {AGENDA_ITEMS} items")
    build_full(world)
    _counts(res, world)
    res.build_s = time.perf_counter() - start
    _check(res, client, world)
    log(f"  timing at {res.meetings} meetings, {res.items} items ({REQUESTS} requests a page)")
    measure(res, client, world, small=False)
    return res


def run(*, keep_db: bool = False) -> BoardsResults:
    return r.in_own_database(stage, keep_db=keep_db)


def summary_rows(res: BoardsResults) -> list[tuple[str, str, str, str, str]]:
    v, ratio = r.verdict, r.ratio
    rows = []
    base = res.start
    for name, full, small, size in (
        (
            f"board page p95, {res.meetings} meetings",
            res.board,
            res.small_board,
            f"{SMALL_MEETINGS} meetings",
        ),
        (
            f"meeting page p95, {res.items} agenda items",
            res.meeting,
            res.small_meeting,
            f"{SMALL_ITEMS} items",
        ),
    ):
        if full is None:
            continue
        rows.append(
            (
                name,
                f"{full.p95:.1f} ms",
                f"<= {P95_TARGET_MS:.0f} ms",
                f"p50 {full.p50:.1f} ms; {ratio(full.p95, base.p95) if base else ''} start page"
                + (f"; {ratio(full.p95, small.p95)} at {size}" if small else ""),
                v(full.p95 <= P95_TARGET_MS),
            )
        )
    for name, full, small, sizes in (
        (
            "board page queries",
            res.board,
            res.small_board,
            f"{SMALL_MEETINGS} and {res.meetings} meetings",
        ),
        (
            "meeting page queries",
            res.meeting,
            res.small_meeting,
            f"{SMALL_ITEMS} and {res.items} items",
        ),
    ):
        if full is None or small is None:
            continue
        same = full.queries == small.queries
        rows.append(
            (
                f"{name}, {sizes}",
                f"{small.queries} and {full.queries}",
                "same",
                "same" if same else "grows",
                v(same),
            )
        )
    for page in (res.start, res.healthz):
        if page is not None:
            rows.append(
                (
                    f"baseline: {page.name} p95",
                    f"{page.p95:.1f} ms",
                    "",
                    f"p50 {page.p50:.1f} ms; {page.queries} queries",
                    "",
                )
            )
    rows.append(
        (
            "rows written",
            f"{res.meetings} meetings, {res.attendance} attendance rows",
            "",
            f"{res.held} held; {res.members} members; the meeting's {res.items} items "
            f"({res.referred} referred); in {res.build_s:.1f} s",
            "",
        )
    )
    return rows
