"""The permit kind: its chain comes with the proposal (so each test says what chain it
wants), its decision grants or refuses the permit, dated the decision's day."""

from django.urls import reverse

from core.errors import Conflict
from decisions.chain import Approval
from decisions.questions import Field
from decisions.registry import SubjectKind, SubjectView, subject_kind
from decisions.services import recommendation_propose
from tests.decisions.permits.models import Permit

CALLS: list[dict] = []


def _approval(rec, policy):
    return Approval.from_pack(rec.proposal.get("approval"))


def _describe(recs):
    permits = {str(p.pk): p for p in Permit.objects.filter(pk__in=[r.subject_id for r in recs])}
    return {
        r.pk: SubjectView(
            label=f"Permit at {permits[r.subject_id].location}",
            reference=f"PERMIT-{r.subject_id}",
            url=reverse("location-detail", args=[permits[r.subject_id].location_id]),
        )
        for r in recs
        if r.subject_id in permits
    }


def _may_propose(user, council, key):
    return [] if key != "forbidden" else ["Nobody may ask for a forbidden permit."]


def _decided(*, rec, outcome, actor, on):
    CALLS.append({"rec": rec.pk, "outcome": outcome, "on": on})
    permit = Permit.objects.select_for_update().get(pk=int(rec.subject_id))
    if permit.refuse_when_decided:
        raise Conflict("The permit changed meanwhile: nothing was decided.")
    permit.status = "granted" if outcome == "approved" else outcome
    permit.decided_on = on
    permit.save()


def _decision_questions(rec, policy):
    """Asked of the decider when the proposal says so (as 004 18.4 asks the scope)."""
    if not rec.proposal.get("ask_scope"):
        return ()
    return (
        Field(
            key="scope",
            label="Apply it to",
            type="choice",
            required=True,
            choices=("This site", "Every site"),
        ),
    )


PERMIT = SubjectKind(
    name="permit",
    label="Permit",
    approval=_approval,
    describe=_describe,
    may_propose=_may_propose,
    on_decided=_decided,
    decision_questions=_decision_questions,
)


def register():
    subject_kind(PERMIT)


def propose(
    permit, actor, *, approval: dict, key="permit", exclusive=True, ask_scope=False, **kwargs
):
    return recommendation_propose(
        council=permit.council,
        actor=actor,
        kind="permit",
        key=key,
        label="Grant a permit",
        subject=permit,
        approval=Approval.from_pack(approval),
        provider=permit.location.provider,
        location=permit.location,
        reason=kwargs.pop("reason", "The provider asked"),
        evidence=kwargs.pop("evidence", []),
        details=kwargs.pop("details", {}),
        proposal={"approval": approval, "ask_scope": ask_scope},
        exclusive=exclusive,
        **kwargs,
    )
