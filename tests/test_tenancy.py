"""Tenant isolation: a user or token of council A gets 404 for council B's objects and never
sees them in lists. The matrix covers every model with a `council` field: a new
council-owned model that is not added here fails `test_every_council_owned_model_is_covered`."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django_scopes import scope
from django_scopes.exceptions import ScopeError

from boards.models import Action, AgendaItem, Attendance, Meeting, Member
from concerns.models import (
    Alert,
    Case,
    CaseMove,
    LetterRequest,
    SafeguardingMeeting,
    SafeguardingTrack,
)
from concerns.pack import Ladder
from concerns.services import (
    alert_raise,
    case_move,
    case_open,
    safeguarding_meeting_record,
    safeguarding_open,
)
from core.audit import audit_record
from core.models import AuditEntry, Notification, Timer
from councils.models import ApiToken, Area, Delegation, Membership, PolicyVersion, Role
from councils.services import token_create
from decisions.models import DecisionStep, EvidenceFile, Recommendation
from decisions.services import recommendation_withdraw
from monitoring.models import (
    Commissioning,
    ImprovementPlan,
    Intelligence,
    IntelligenceAttachment,
    IntelligenceCorrection,
    PlanAction,
    PlanReview,
    Review,
    RiskHistory,
    RiskOverride,
    RiskRating,
)
from monitoring.services import (
    attachment_add,
    commissioning_save,
    intelligence_correct,
    intelligence_record,
)
from monitoring.services.risk import risk_recompute
from notices.models import Delivery, HookDelivery, IssuedLetter, Letter, Subscription
from providers.models import ColumnMapping, ImportProblem, ImportRun, LocalRecord
from providers.services import mapping_save
from restrictions.models import (
    Appeal,
    FeedEntry,
    ListIssue,
    Notice,
    PlacementCheck,
    Restriction,
    RestrictionEvent,
    Share,
)
from restrictions.pack import Restrictions
from restrictions.services import list_issue, placement_check_log, restriction_propose
from tests.decisions.permits.models import Permit
from tests.factories import CouncilFactory, LocationFactory, UserFactory
from tests.restrictions.conftest import answers_for, everything, evidence_for, team_of

pytestmark = pytest.mark.django_db


def _membership(council):
    return Membership.objects.create(user=UserFactory(), council=council, role=Role.OFFICER)


def _delegation(council):
    maker = Membership.objects.create(
        user=UserFactory(), council=council, role=Role.DECISION_MAKER, title="DASS"
    )
    return Delegation.objects.create(
        council=council,
        delegator=maker,
        delegate=UserFactory(),
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 1, 31),
    )


def _import_run(council):
    run = ImportRun(council=council, format="cqc_json", source_name="x.json", status="done")
    run.source_file.save("x.json", ContentFile(b"[]"), save=False)
    run.save()
    return run


def _import_problem(council):
    return ImportProblem.objects.create(
        run=_import_run(council), council=council, row=2, reason="bad"
    )


def _board_member(council):
    return Member.objects.create(
        council=council, board="b", name="A member", posts=["p"], joined_on=dt.date(2026, 1, 1)
    )


def _board_meeting(council):
    from core.references import next_reference

    return Meeting.objects.create(
        council=council,
        board="b",
        reference=next_reference(council=council, model=Meeting, prefix="MTG"),
        meets_on=dt.date(2026, 6, 1),
    )


def _attendance(council):
    return Attendance.objects.create(
        council=council, meeting=_board_meeting(council), member=_board_member(council)
    )


def _agenda_item(council):
    return AgendaItem.objects.create(
        council=council, meeting=_board_meeting(council), position=1, title="An item"
    )


def _board_action(council):
    return Action.objects.create(
        council=council,
        meeting=_board_meeting(council),
        what="An action",
        action_by="The provider",
        due_on=dt.date(2026, 7, 1),
    )


def _local_record(council):
    return LocalRecord.objects.create(
        council=council, location=LocationFactory(), contract_reference=f"{council.code}-1"
    )


def _mapping(council):
    return mapping_save(
        council=council,
        name=f"Mapping of {council.code}",
        columns={"name": "Name", "provider_name": "Provider"},
    )


def _timer(council):
    return Timer.objects.create(
        council=council,
        kind="test",
        subject_type="x",
        subject_id="1",
        due_on=dt.date(2030, 1, 1),
        due_at=dt.datetime(2030, 1, 1, tzinfo=dt.UTC),
    )


def _notification(council):
    return Notification.objects.create(
        council=council,
        user=UserFactory(),
        kind="waiting",
        title="A decision waits for you",
        key=f"test:{council.pk}",
    )


def _permit(council):
    return Permit.objects.create(council=council, location=LocationFactory())


def _commissioning(council):
    return commissioning_save(
        council=council,
        location=LocationFactory(),
        actor=None,
        contract_type="spot",
        in_area=True,
        beds=4,
    )


def _intelligence(council):
    return intelligence_record(
        council=council,
        actor=None,
        source="complaint",
        received_on=dt.date(2026, 1, 5),
        severity="low",
        narrative="Late medication",
        location=LocationFactory(),
    )


def _correction(council):
    item = _intelligence(council)
    intelligence_correct(item=item, actor=None, reason="typo", narrative="Late medicines")
    return item.corrections.get()


def _attachment(council):
    return attachment_add(
        item=_intelligence(council), actor=None, filename="note.txt", content=b"notes"
    )


def _evidence_file(council):
    from decisions.evidence import evidence_file_upload

    return evidence_file_upload(council=council, actor=None, name="notes.pdf", content=b"%PDF")


def _risk(council):
    location = _commissioning(council).location
    risk_recompute(council=council, location_ids=[location.pk])
    return RiskRating.objects.get(council=council, location=location)


def _risk_history(council):
    return RiskHistory.objects.get(council=council, location=_risk(council).location)


def _risk_override(council):
    from monitoring.services import risk_override_set

    rating = _risk(council)
    return risk_override_set(
        council=council,
        location=rating.location,
        actor=None,
        rag="red",
        reason="Concerns",
        expires_on=dt.date.today() + dt.timedelta(days=30),
    )


def _review(council):
    from monitoring.services import review_plan

    kind = council.active_policy.content["reviews"]["types"][0]["key"]
    return review_plan(
        council=council,
        location=LocationFactory(),
        actor=None,
        kind=kind,
        planned_for=dt.date(2026, 12, 1),
    )


def _plan(council):
    from monitoring.services import plan_create

    monitor = UserFactory()
    Membership.objects.create(user=monitor, council=council, role=Role.OFFICER)
    return plan_create(
        council=council,
        location=LocationFactory(),
        actor=None,
        title="Medicines",
        started_on=dt.date(2026, 1, 5),
        actions=[
            {
                "what": "Audit MAR charts",
                "provider_lead": "Manager",
                "council_monitor": monitor,
                "due_on": dt.date(2026, 2, 5),
            }
        ],
    )


def _plan_review(council):
    from monitoring.services import plan_review_record

    plan = _plan(council)
    return plan_review_record(
        plan=plan,
        actor=None,
        reviewed_on=dt.date(2026, 2, 6),
        results={plan.actions.get().pk: False},
    )


# --- escalation (concerns) -------------------------------------------------------------------


def _case(council):
    return case_open(
        council=council, actor=None, summary="Concerns about care", location=LocationFactory()
    )


def _officer(council):
    return Membership.objects.create(user=UserFactory(), council=council, role=Role.OFFICER).user


def _answer(field):
    if field.type == "choice":
        return field.choices[0]
    if field.type == "boolean":
        return True
    if field.type == "date":
        return "2026-01-05"
    return "An answer"


def _recommendation(council):
    """The council's first move from the informal stage that needs a decision, proposed by an
    officer with the evidence and answers the pack asks for."""
    ladder = Ladder.of(council)
    move = next(m for m in ladder.moves_from("informal") if m.approval and "officer" in m.by)
    return case_move(
        case=_case(council),
        actor=_officer(council),
        move=move.key,
        reason="Concerns not resolved",
        evidence=[{"kind": k, "note": "Attached"} for k in move.evidence],
        details={f.key: _answer(f) for f in move.fields if f.required},
    )


def _decision_step(council):
    rec = _recommendation(council)
    recommendation_withdraw(recommendation=rec, actor=rec.proposed_by, reason="Resolved")
    return rec.steps.get()


def _case_move(council):
    """A move without a decision (every pack here closes an informal case at once)."""
    return case_move(
        case=_case(council), actor=_officer(council), move="close_informal", reason="Resolved"
    )


def _letter(council):
    move = _case_move(council)
    return LetterRequest.objects.create(
        council=council, case=move.case, move=move, letter="test", label="Decision letter"
    )


def _track(council):
    return safeguarding_open(case=_case(council), actor=_officer(council), reason="Allegations")


def _meeting(council):
    return safeguarding_meeting_record(
        track=_track(council),
        actor=_officer(council),
        held_on=dt.date(2026, 1, 5),
        attendees="Police, CQC",
        notes="Enquiry continues",
    )


def _alert(council):
    location = LocationFactory()
    return alert_raise(
        council=council,
        trigger=Ladder.of(council).triggers[0],
        cause=f"test:{location.pk}",
        detail="Rated Inadequate",
        location=location,
        provider=location.provider,
    )


# --- restrictions ----------------------------------------------------------------------------


def _restriction(council):
    """A restriction proposed by an officer with the evidence the council's pack asks for."""
    pack = Restrictions.of(council)
    return restriction_propose(
        council=council,
        actor=_officer(council),
        level="suspended",
        location=LocationFactory(),
        reasons="Rated Inadequate in Safe",
        evidence=evidence_for(pack, "impose"),
        details=answers_for(pack, "impose"),
    )


def _restriction_event(council):
    return _restriction(council).events.get()


def _share(council):
    """A restriction of another council, shown to this one: the share is the seeing
    council's."""
    owner = CouncilFactory()
    location = LocationFactory()
    shared = Restriction.objects.create(
        council=owner,
        reference=f"RES-{owner.code}",
        provider=location.provider,
        location=location,
        level="suspended",
        reasons="Embargo",
        created_by_label="Test",
    )
    return Share.objects.create(council=council, restriction=shared)


def _appeal(council):
    r = _restriction(council)
    return Appeal.objects.create(
        council=council,
        reference=f"APL-{council.code}",
        restriction=r,
        letter_on=dt.date(2026, 1, 5),
        received_on=dt.date(2026, 1, 6),
        grounds="The findings are out of date",
        due_on=dt.date(2026, 1, 27),
        recorded_by_label="Test",
    )


def _notice(council):
    return Notice.objects.create(
        council=council,
        restriction=_restriction(council),
        when="imposed",
        audience="provider",
        label="Decision letter to the provider",
    )


def _draft_letter(council, status="draft"):
    location = LocationFactory()
    return Letter.objects.create(
        council=council,
        kind="decision_letter",
        title="Decision letter",
        source="restrictions.notice",
        source_id=Letter.objects.count() + 1,
        subject_type="providers.location",
        subject_id=str(location.pk),
        provider=location.provider,
        location=location,
        status=status,
        reference=f"T-{council.code}-{location.pk}",
        addressee_organisation="Willow Care Ltd",
        address="1 High Street",
    )


def _issued_letter(council):
    letter = _draft_letter(council, status="issued")
    return IssuedLetter.objects.create(
        council=council,
        letter=letter,
        reference=letter.reference,
        version=1,
        title=letter.title,
        dated=dt.date(2026, 11, 1),
        pdf=b"%PDF-1.7",
        sha256="0" * 64,
        data={},
        issued_by_label="Test",
    )


def _delivery(council):
    return Delivery.objects.create(
        council=council,
        letter=_draft_letter(council, status="issued"),
        channel="email",
        to="a@b.c",
    )


def _subscription(council):
    return Subscription.objects.create(
        council=council,
        name="Mosaic",
        url="https://mosaic.example.gov.uk/hooks",
        event_types=["case.moved"],
        secret="s" * 64,
        created_by_label="Test",
    )


def _hook_delivery(council):
    import uuid

    return HookDelivery.objects.create(
        council=council,
        subscription=_subscription(council),
        event_id=uuid.uuid4(),
        event_type="case.moved",
        payload={},
    )


def _placement_check(council):
    placement_check_log(
        council=council, actor=_officer(council), via="page", query="Kennet", found=0, shown=[]
    )
    return PlacementCheck.objects.filter(council=council).order_by("-id").first()


def _feed_entry(council):
    return FeedEntry.objects.create(
        council=council,
        location=LocationFactory(),
        by_council=council,
        level="suspended",
        label="Embargo",
    )


def _list_issue(council):
    ldef = Restrictions.of(council).lists[0]
    return list_issue(council=council, actor=_officer(council), list_key=ldef.key)


@dataclass(frozen=True)
class Owned:
    model: type
    make: Callable
    list_url: str | None = None  # API list endpoint, if the model has one
    page_url: str | None = None  # a page showing one object, with {pk}
    token_scopes: tuple = ()


MATRIX = [
    Owned(Area, lambda c: Area.objects.filter(council=c).first()),
    Owned(Membership, _membership),
    Owned(Delegation, _delegation, "/api/v1/delegations/", None, ("people:read",)),
    Owned(
        PolicyVersion, lambda c: c.active_policy, "/api/v1/policy-versions/", None, ("policy:read",)
    ),
    Owned(ApiToken, lambda c: token_create(council=c, name="t", scopes=["register:read"])[0]),
    Owned(ColumnMapping, _mapping, "/api/v1/column-mappings/", None, ("imports:read",)),
    Owned(ImportRun, _import_run, "/api/v1/imports/", "/imports/{pk}/", ("imports:read",)),
    Owned(ImportProblem, _import_problem),
    Owned(LocalRecord, _local_record),
    Owned(Member, _board_member, "/api/v1/board-members/", None, ("boards:read",)),
    Owned(Meeting, _board_meeting, "/api/v1/meetings/", None, ("boards:read",)),
    Owned(Attendance, _attendance),
    Owned(AgendaItem, _agenda_item),
    Owned(Action, _board_action, "/api/v1/board-actions/", None, ("boards:read",)),
    Owned(AuditEntry, lambda c: audit_record(council=c, actor=None, action="t", summary="t")),
    Owned(Timer, _timer),
    Owned(Notification, _notification),
    Owned(Permit, _permit),  # the decisions tests' own subject kind
    Owned(Commissioning, _commissioning, "/api/v1/commissioning/", None, ("commissioning:read",)),
    Owned(
        Intelligence,
        _intelligence,
        "/api/v1/intelligence/",
        "/intelligence/{pk}/",
        ("intelligence:read",),
    ),
    Owned(IntelligenceCorrection, _correction),
    Owned(IntelligenceAttachment, _attachment),
    Owned(EvidenceFile, _evidence_file, None, "/evidence/{pk}/"),
    Owned(RiskRating, _risk, "/api/v1/risk/", None, ("monitoring:read",)),
    Owned(RiskHistory, _risk_history),
    Owned(RiskOverride, _risk_override),
    Owned(Review, _review, "/api/v1/reviews/", "/reviews/{pk}/", ("monitoring:read",)),
    Owned(
        ImprovementPlan, _plan, "/api/v1/improvement-plans/", "/plans/{pk}/", ("monitoring:read",)
    ),
    Owned(PlanAction, lambda c: _plan(c).actions.get()),
    Owned(PlanReview, _plan_review),
    Owned(Case, _case, "/api/v1/cases/", "/cases/{pk}/", ("cases:read",)),
    Owned(CaseMove, _case_move),
    Owned(
        Recommendation,
        _recommendation,
        "/api/v1/recommendations/",
        "/decisions/{pk}/",
        ("cases:read",),
    ),
    Owned(DecisionStep, _decision_step),
    Owned(LetterRequest, _letter),
    Owned(
        SafeguardingTrack,
        _track,
        "/api/v1/safeguarding-tracks/",
        "/safeguarding/{pk}/",
        ("cases:read",),
    ),
    Owned(SafeguardingMeeting, _meeting),
    Owned(Alert, _alert, "/api/v1/alerts/", None, ("cases:read",)),
    Owned(
        Restriction,
        _restriction,
        "/api/v1/restrictions/",
        "/restrictions/{pk}/",
        ("restrictions:read",),
    ),
    Owned(RestrictionEvent, _restriction_event),
    Owned(Share, _share),
    Owned(Appeal, _appeal, "/api/v1/restriction-appeals/", None, ("restrictions:read",)),
    Owned(Notice, _notice, "/api/v1/restriction-notices/", None, ("restrictions:read",)),
    Owned(PlacementCheck, _placement_check),  # its API is for people only: below
    Owned(FeedEntry, _feed_entry),  # read by cursor: below
    Owned(
        ListIssue,
        _list_issue,
        "/api/v1/restriction-lists/",
        "/restriction-lists/issues/{pk}/",
        ("placements:read",),
    ),
]
MATRIX += [
    Owned(Letter, _draft_letter, "/api/v1/letters/", "/letters/{pk}/", ("letters:read",)),
    Owned(IssuedLetter, _issued_letter),
    Owned(Delivery, _delivery, "/api/v1/letter-deliveries/", None, ("letters:read",)),
    Owned(Subscription, _subscription),  # its API is for council admins: below
    Owned(HookDelivery, _hook_delivery),
]
IDS = [o.model.__name__ for o in MATRIX]


def test_every_council_owned_model_is_covered():
    owned = {
        m
        for m in apps.get_models()
        if any(f.name == "council" and f.is_relation for f in m._meta.fields)
    }
    assert owned == {o.model for o in MATRIX}


@pytest.mark.parametrize("entry", MATRIX, ids=IDS)
def test_scoped_queries_never_return_another_councils_rows(entry, council_a, council_b):
    mine, theirs = entry.make(council_a), entry.make(council_b)
    with scope(council=council_a):
        visible = set(entry.model.objects.values_list("pk", flat=True))
        assert mine.pk in visible
        assert theirs.pk not in visible
        assert not entry.model.objects.filter(pk=theirs.pk).exists()


@pytest.mark.parametrize("entry", MATRIX, ids=IDS)
def test_council_owned_rows_cannot_be_queried_without_a_council(entry, council_a):
    entry.make(council_a)
    with scope(), pytest.raises(ScopeError):
        list(entry.model.objects.all())


WITH_API = [o for o in MATRIX if o.list_url]


def _clients(kind, council, member, api_as, api_token, scopes):
    if kind == "session":
        return api_as(member(council, Role.COUNCIL_ADMIN))
    return api_token(council, scopes)


@pytest.mark.parametrize("kind", ["session", "token"])
@pytest.mark.parametrize("entry", WITH_API, ids=[o.model.__name__ for o in WITH_API])
def test_api_lists_hide_and_details_404_for_another_council(
    entry, kind, council_a, council_b, member, api_as, api_token
):
    mine, theirs = entry.make(council_a), entry.make(council_b)
    client = _clients(kind, council_a, member, api_as, api_token, entry.token_scopes)
    listed = client.get(entry.list_url)
    assert listed.status_code == 200
    ids = {row["id"] for row in listed.json()["results"]}
    assert mine.pk in ids
    assert theirs.pk not in ids
    assert client.get(f"{entry.list_url}{mine.pk}/").status_code == 200
    assert client.get(f"{entry.list_url}{theirs.pk}/").status_code == 404


WITH_PAGE = [o for o in MATRIX if o.page_url]


@pytest.mark.parametrize("entry", WITH_PAGE, ids=[o.model.__name__ for o in WITH_PAGE])
def test_pages_404_for_another_councils_object(entry, council_a, council_b, member, signed_in):
    mine, theirs = entry.make(council_a), entry.make(council_b)
    client = signed_in(member(council_a, Role.OFFICER))
    assert client.get(entry.page_url.format(pk=mine.pk)).status_code == 200
    assert client.get(entry.page_url.format(pk=theirs.pk)).status_code == 404


def test_import_problems_of_another_council_404(council_a, council_b, api_token):
    theirs = _import_problem(council_b)
    client = api_token(council_a, ("imports:read",))
    assert client.get(f"/api/v1/imports/{theirs.run_id}/problems/").status_code == 404


def _escalation_of(council):
    """One of each escalation object a caller could act on, all still open."""
    return {
        "case": _case(council),
        "rec": _recommendation(council),
        "alert": _alert(council),
        "track": _track(council),
    }


def _escalation_requests(o):
    meeting = {"held_on": "2026-01-05", "attendees": "Police", "notes": "Agreed actions"}
    return [
        ("get", f"/api/v1/cases/{o['case'].pk}/", {}),
        ("get", f"/api/v1/cases/{o['case'].pk}/moves/", {}),
        ("post", f"/api/v1/cases/{o['case'].pk}/moves/", {"move": "close_informal", "reason": "r"}),
        ("post", f"/api/v1/cases/{o['case'].pk}/safeguarding/", {"reason": "r"}),
        ("get", f"/api/v1/recommendations/{o['rec'].pk}/", {}),
        (
            "post",
            f"/api/v1/recommendations/{o['rec'].pk}/act/",
            {"outcome": "forwarded", "reasons": "r"},
        ),
        ("post", f"/api/v1/recommendations/{o['rec'].pk}/withdraw/", {"reason": "r"}),
        ("get", f"/api/v1/alerts/{o['alert'].pk}/", {}),
        ("post", f"/api/v1/alerts/{o['alert'].pk}/handle/", {"note": "r"}),
        ("get", f"/api/v1/safeguarding-tracks/{o['track'].pk}/", {}),
        ("post", f"/api/v1/safeguarding-tracks/{o['track'].pk}/meetings/", meeting),
        ("post", f"/api/v1/safeguarding-tracks/{o['track'].pk}/close/", {"reason": "r"}),
    ]


def _escalation_unchanged(o):
    o["case"].refresh_from_db()
    o["rec"].refresh_from_db()
    o["alert"].refresh_from_db()
    o["track"].refresh_from_db()
    assert o["case"].stage == "informal"
    assert not CaseMove.objects.filter(case=o["case"]).exists()
    assert not SafeguardingTrack.objects.filter(case=o["case"]).exists()
    assert (o["rec"].status, o["rec"].step, o["rec"].steps.count()) == ("pending", 0, 0)
    assert o["alert"].status == "new"
    assert o["track"].is_open and not o["track"].meetings.exists()


def test_escalation_endpoints_404_for_another_councils_objects(
    council_a, council_b, member, api_as
):
    """A manager of council A passes every endpoint's permission check; B's cases,
    recommendations, alerts and safeguarding tracks are still simply not there."""
    theirs = _escalation_of(council_b)
    client = api_as(member(council_a, Role.MANAGER))
    for method, url, data in _escalation_requests(theirs):
        response = getattr(client, method)(url, data, format="json")
        assert response.status_code == 404, (method, url, response.content)
    _escalation_unchanged(theirs)


def test_escalation_endpoints_404_for_another_councils_objects_by_token(
    council_a, council_b, api_token
):
    theirs = _escalation_of(council_b)
    client = api_token(council_a, ("cases:read",))
    for method, url, _ in _escalation_requests(theirs):
        if method == "get":
            assert client.get(url).status_code == 404, url


def test_escalation_pages_404_for_another_councils_objects(council_a, council_b, member, signed_in):
    mine, theirs = _escalation_of(council_a), _escalation_of(council_b)
    client = signed_in(member(council_a, Role.MANAGER))
    pages = [
        "/cases/{case}/",
        "/cases/{case}/moves/close_informal/",
        "/decisions/{rec}/",
        "/safeguarding/{track}/",
    ]
    for page in pages:
        assert client.get(page.format(**{k: v.pk for k, v in mine.items()})).status_code == 200
        assert client.get(page.format(**{k: v.pk for k, v in theirs.items()})).status_code == 404
    posts = [
        (f"/cases/{theirs['case'].pk}/moves/close_informal/", {"reason": "r"}),
        (f"/cases/{theirs['case'].pk}/safeguarding/", {"sg-reason": "r"}),
        (f"/decisions/{theirs['rec'].pk}/", {"action": "withdraw", "w-reason": "r"}),
        (f"/alerts/{theirs['alert'].pk}/handle/", {"note": "r"}),
        (
            f"/safeguarding/{theirs['track'].pk}/",
            {"action": "close", "c-reason": "r"},
        ),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    _escalation_unchanged(theirs)


# --- restrictions ----------------------------------------------------------------------------


def _restrictions_of(council, member):
    """One of each restriction object a caller could read or act on (see
    tests/restrictions/conftest.py: `everything`)."""
    return everything(team_of(council, member))


def _restriction_requests(o):
    r, soon = o.active, (dt.date.today() + dt.timedelta(days=30)).isoformat()
    gets = [
        f"/api/v1/restrictions/{r.pk}/",
        f"/api/v1/restrictions/{o.proposal.pk}/",
        f"/api/v1/restrictions/{o.suggestion.pk}/",
        f"/api/v1/restriction-appeals/{o.appeal.pk}/",
        f"/api/v1/restriction-notices/{o.notice.pk}/",
        f"/api/v1/restriction-lists/{o.issue.pk}/",
        f"/api/v1/restriction-lists/{o.issue.pk}/csv/",
        f"/api/v1/placement-checks/{o.check.pk}/",
    ]
    posts = [
        (f"/api/v1/restrictions/{r.pk}/change/", {"level": "caution", "reasons": "r"}),
        (f"/api/v1/restrictions/{r.pk}/review/", {"note": "r", "next_review_on": soon}),
        (f"/api/v1/restrictions/{r.pk}/contact/", {"contact": {"name": "x"}, "exceptions": ""}),
        (f"/api/v1/restrictions/{o.proposal.pk}/withdraw/", {"reason": "r"}),
        (f"/api/v1/restrictions/{o.suggestion.pk}/dismiss/", {"reason": "r"}),
        (
            "/api/v1/restrictions/",
            {"level": "suspended", "reasons": "r", "suggestion": o.suggestion.pk},
        ),
        (
            "/api/v1/restriction-appeals/",
            {"restriction": r.pk, "received_on": dt.date.today().isoformat(), "grounds": "r"},
        ),
        (
            f"/api/v1/restriction-notices/{o.notice.pk}/sent/",
            {"sent_on": dt.date.today().isoformat(), "how": "By email"},
        ),
    ]
    return gets, posts


def _restrictions_unchanged(o):
    for r in (o.active, o.appealed, o.proposal, o.suggestion):
        before = (r.status, r.level, r.contact_name, r.review_on)
        r.refresh_from_db()
        assert (r.status, r.level, r.contact_name, r.review_on) == before
    assert not RestrictionEvent.objects.filter(
        restriction__in=[o.active, o.proposal, o.suggestion],
        kind__in=["reviewed", "withdrawn", "appealed"],
    ).exists()
    assert Appeal.objects.filter(restriction=o.active).count() == 0
    o.notice.refresh_from_db()
    assert o.notice.status == "requested"


def test_restriction_endpoints_404_for_another_councils_objects(
    council_a, council_b, member, api_as
):
    """A manager of council A passes the reading permissions and most writing ones; council
    B's restrictions, appeals, notices, lists and checks are simply not there."""
    theirs = _restrictions_of(council_b, member)
    client = api_as(member(council_a, Role.MANAGER))
    gets, posts = _restriction_requests(theirs)
    for url in gets:
        assert client.get(url).status_code == 404, url
    officer = api_as(member(council_a, Role.OFFICER))
    for url, data in posts:
        for caller in (client, officer):
            response = caller.post(url, data, format="json")
            assert response.status_code == 404, (url, response.content)
    _restrictions_unchanged(theirs)


def test_restriction_endpoints_404_for_another_councils_objects_by_token(
    council_a, council_b, member, api_token
):
    theirs = _restrictions_of(council_b, member)
    client = api_token(council_a, ("placements:read", "restrictions:read"))
    gets, _ = _restriction_requests(theirs)
    for url in gets:
        if "placement-checks" in url:
            continue  # no token reads the checks log (403 whatever the object)
        assert client.get(url).status_code == 404, url


def test_restriction_lists_never_show_another_councils_rows(
    council_a, council_b, member, api_as, api_token
):
    theirs = _restrictions_of(council_b, member)
    mine = _restrictions_of(council_a, member)
    session = api_as(member(council_a, Role.MANAGER))
    token = api_token(council_a, ("placements:read", "restrictions:read"))
    for client, url, key in [
        (session, "/api/v1/restrictions/?status=all", "active"),
        (token, "/api/v1/restrictions/", "active"),
        (session, "/api/v1/restriction-notices/", "notice"),
        (session, "/api/v1/restriction-lists/", "issue"),
        (token, "/api/v1/restriction-lists/", "issue"),
        (session, "/api/v1/placement-checks/", "check"),
    ]:
        ids = {row["id"] for row in client.get(url).json()["results"]}
        assert getattr(mine, key).pk in ids, url
        assert getattr(theirs, key).pk not in ids, url
    # The changes feed: Bromley shares nothing, so West Berkshire's feed has none of it; and
    # Bromley's feed has West Berkshire's entries only as West Berkshire shares them.
    feed = session.get("/api/v1/placements/changes/").json()["results"]
    assert {e["council"] for e in feed} <= {council_a.code, council_b.code}
    theirs_feed = api_as(member(council_b, Role.MANAGER)).get("/api/v1/placements/changes/")
    assert council_a.code not in {e["council"] for e in theirs_feed.json()["results"]}


def test_restriction_pages_404_for_another_councils_objects(
    council_a, council_b, member, signed_in
):
    theirs = _restrictions_of(council_b, member)
    mine = _restrictions_of(council_a, member)
    client = signed_in(member(council_a, Role.OFFICER))
    pages = [
        "/restrictions/{active}/",
        "/restrictions/{active}/change/",
        "/restrictions/{proposal}/",
        "/restrictions/{suggestion}/",
        "/restriction-lists/issues/{issue}/",
        "/restriction-lists/issues/{issue}/csv/",
    ]
    for page in pages:
        ok = page.format(
            **{k: getattr(mine, k).pk for k in ("active", "proposal", "suggestion", "issue")}
        )
        assert client.get(ok).status_code == 200, ok
        url = page.format(
            **{k: getattr(theirs, k).pk for k in ("active", "proposal", "suggestion", "issue")}
        )
        assert client.get(url).status_code == 404, url
    assert client.get(f"/restrictions/{theirs.active.pk}/appeal/").status_code == 404
    assert client.get(f"/restrictions/new/?suggestion={theirs.suggestion.pk}").status_code == 404
    r = theirs.active
    soon = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    posts = [
        (f"/restrictions/{r.pk}/", {"action": "review", "rv-note": "r", "rv-next_review_on": soon}),
        (f"/restrictions/{r.pk}/", {"action": "contact", "ct-contact_name": "x"}),
        (
            f"/restrictions/{r.pk}/",
            {
                "action": f"sent-{theirs.notice.pk}",
                f"n{theirs.notice.pk}-sent_on": dt.date.today().isoformat(),
                f"n{theirs.notice.pk}-how": "x",
            },
        ),
        (f"/restrictions/{theirs.proposal.pk}/", {"action": "withdraw", "wd-reason": "r"}),
        (f"/restrictions/{theirs.suggestion.pk}/", {"action": "dismiss", "wd-reason": "r"}),
        (f"/restrictions/{r.pk}/change/", {"level": "caution", "reasons": "r"}),
        (f"/restrictions/{r.pk}/appeal/", {"received_on": dt.date.today(), "grounds": "r"}),
        (f"/restrictions/new/?suggestion={theirs.suggestion.pk}", {"level": "suspended"}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    _restrictions_unchanged(theirs)
    placement_check_log(
        council=council_b, actor=None, via="api", query="Checked-in-B-only", found=0, shown=[]
    )
    checks = signed_in(member(council_a, Role.MANAGER)).get("/placements/checks/")
    assert checks.status_code == 200
    assert "Checked-in-B-only" not in checks.content.decode()


def test_current_council_endpoint_answers_for_the_tokens_council(council_a, council_b, api_token):
    body = api_token(council_b, ("register:read",)).get("/api/v1/council/").json()
    assert body["code"] == council_b.code
    assert {a["name"] for a in body["areas"]} == {
        a.name for a in Area.objects.filter(council=council_b)
    }


def test_switching_council_changes_what_a_person_sees(council_a, council_b, member, signed_in):
    """A person in two councils sees one at a time and switches in one click."""
    person = member(council_a, Role.OFFICER)
    member(council_b, Role.OFFICER, user=person)
    run_b = _import_run(council_b)
    client = signed_in(person)
    page = client.get("/").content.decode()
    assert 'data-testid="current-council">' in page
    current = client.get("/api/v1/council/").json()["code"]
    other = council_b if current == council_a.code else council_a
    response = client.post("/council/switch/", {"council": other.code, "next": "/imports/"})
    assert response.status_code == 302 and response["Location"] == "/imports/"
    assert client.get("/api/v1/council/").json()["code"] == other.code
    expected = 200 if other == council_b else 404
    assert client.get(f"/imports/{run_b.pk}/").status_code == expected


def test_cannot_switch_to_a_council_one_does_not_belong_to(council_a, council_b, member, signed_in):
    client = signed_in(member(council_a, Role.OFFICER))
    assert client.post("/council/switch/", {"council": council_b.code}).status_code == 404
    assert client.get("/api/v1/council/").json()["code"] == council_a.code


def test_webhooks_of_another_council_404(council_a, council_b, member, api_as, signed_in):
    theirs = _hook_delivery(council_b)
    admin = member(council_a, Role.COUNCIL_ADMIN)
    client = api_as(admin)
    assert client.get("/api/v1/webhooks/").json()["count"] == 0
    assert client.get(f"/api/v1/webhooks/{theirs.subscription_id}/").status_code == 404
    assert client.post(f"/api/v1/webhooks/{theirs.subscription_id}/end/").status_code == 404
    assert client.get(f"/api/v1/webhook-deliveries/{theirs.pk}/").status_code == 404
    assert client.post(f"/api/v1/webhook-deliveries/{theirs.pk}/retry/").status_code == 404
    page = signed_in(admin).get(f"/webhooks/{theirs.subscription_id}/")
    assert page.status_code == 404


def test_a_councils_own_details_of_a_shared_location_are_its_own(
    council_a, council_b, member, api_as, signed_in
):
    """Each council sees its own record of a shared location, never another's."""
    location = LocationFactory()
    LocalRecord.objects.create(council=council_a, location=location, contract_reference="A-1")
    LocalRecord.objects.create(council=council_b, location=location, contract_reference="B-1")
    body = api_as(member(council_a, Role.OFFICER)).get(f"/api/v1/locations/{location.pk}/").json()
    assert body["local_record"]["contract_reference"] == "A-1"
    page = signed_in(member(council_b, Role.OFFICER)).get(f"/locations/{location.pk}/")
    assert b"B-1" in page.content and b"A-1" not in page.content
