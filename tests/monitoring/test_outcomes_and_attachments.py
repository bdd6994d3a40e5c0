"""An item's outcome (004 11.1: "provider not liable" is off the risk figures) and its files."""

import datetime as dt

import pytest

from core.models import AuditEntry
from monitoring.models import (
    Intelligence,
    IntelligenceAttachment,
    IntelligenceCorrection,
    Outcome,
    Source,
)
from monitoring.services import attachment_add, intelligence_set_outcome
from tests.monitoring.helpers import errors_of, log, pack_with, today

pytestmark = pytest.mark.django_db


# === intelligence_set_outcome (004 11.1) =================================================


def test_provider_not_liable_keeps_the_item_off_the_risk_figures(council_a, officer_a):
    """004 11.1 (West Berkshire): "If, following investigation of a CQ1 originally included on
    the risk matrix, it is found the Provider was in no way liable then it will be removed
    from the risk matrix". The item is kept (never deleted), with the outcome recorded as a
    correction."""
    item = log(council_a, source=Source.CQ1, received_on=today() - dt.timedelta(days=3))
    done = intelligence_set_outcome(
        item=item, actor=officer_a, outcome=Outcome.NOT_LIABLE, reason="Outcome letter received"
    )
    assert done.counts_toward_risk is False
    assert (done.outcome, done.outcome_on) == (Outcome.NOT_LIABLE, today())
    assert Intelligence.objects.filter(pk=item.pk).exists()
    row = IntelligenceCorrection.objects.get(item=item)
    assert (row.field, row.old_value, row.new_value, row.reason) == (
        "outcome",
        "Open",
        "Provider not liable",
        "Outcome letter received",
    )
    entry = AuditEntry.objects.get(action="intelligence.outcome")
    assert entry.reason == "Outcome letter received"
    assert entry.summary == f"{item.reference}: Provider not liable"


@pytest.mark.parametrize(
    "outcome", [Outcome.OPEN, Outcome.UNDER_ENQUIRY, Outcome.UPHELD, Outcome.NOT_UPHELD]
)
def test_other_outcomes_still_count(outcome, council_a, officer_a):
    item = log(council_a)
    done = intelligence_set_outcome(item=item, actor=officer_a, outcome=outcome, reason="r")
    assert done.counts_toward_risk is True


def test_an_outcome_before_the_item_was_received_is_refused(council_a, officer_a):
    item = log(council_a, received_on=today() - dt.timedelta(days=5))
    errors = errors_of(
        lambda: intelligence_set_outcome(
            item=item,
            actor=officer_a,
            outcome=Outcome.UPHELD,
            reason="r",
            outcome_on=today() - dt.timedelta(days=6),
        )
    )
    assert errors == {"outcome_on": ["The outcome cannot come before the item was received."]}
    same_day = intelligence_set_outcome(
        item=item,
        actor=officer_a,
        outcome=Outcome.UPHELD,
        reason="r",
        outcome_on=today() - dt.timedelta(days=5),
    )
    assert same_day.outcome_on == item.received_on


def test_an_outcome_in_the_future_is_refused(council_a, officer_a):
    item = log(council_a)
    errors = errors_of(
        lambda: intelligence_set_outcome(
            item=item,
            actor=officer_a,
            outcome=Outcome.UPHELD,
            reason="r",
            outcome_on=today() + dt.timedelta(days=1),
        )
    )
    assert list(errors) == ["outcome_on"]
    item.refresh_from_db()
    assert item.outcome == Outcome.OPEN and not IntelligenceCorrection.objects.exists()


def test_an_outcome_needs_a_known_outcome_and_a_reason(council_a, officer_a):
    item = log(council_a)
    errors = errors_of(
        lambda: intelligence_set_outcome(item=item, actor=officer_a, outcome="guilty", reason="")
    )
    assert set(errors) == {"outcome", "reason"}


def test_the_same_outcome_twice_records_it_once(council_a, officer_a):
    item = log(council_a)
    for _ in range(2):
        intelligence_set_outcome(item=item, actor=officer_a, outcome=Outcome.UPHELD, reason="r")
    assert IntelligenceCorrection.objects.filter(field="outcome").count() == 1


# === attachment_add ======================================================================


def test_attaching_a_file(council_a, officer_a):
    item = log(council_a)
    attachment = attachment_add(
        item=item, actor=officer_a, filename="Visit notes.PDF", content=b"%PDF-1.4 notes"
    )
    assert (attachment.original_name, attachment.size) == ("Visit notes.PDF", 14)
    assert attachment.council == council_a
    with attachment.file.open("rb") as fh:
        assert fh.read() == b"%PDF-1.4 notes"
    assert AuditEntry.objects.get(action="intelligence.attachment").summary == (
        f"{item.reference}: Visit notes.PDF attached"
    )


@pytest.mark.parametrize("filename", ["payload.exe", "notes", "archive.tar.gz", "script.js"])
def test_attaching_a_type_the_pack_does_not_allow(filename, council_a, officer_a):
    item = log(council_a)
    errors = errors_of(
        lambda: attachment_add(item=item, actor=officer_a, filename=filename, content=b"x")
    )
    assert list(errors) == ["file"] and errors["file"][0].startswith("The file must be one of:")
    assert not IntelligenceAttachment.objects.exists()


def test_the_packs_types_decide(council_a, officer_a):
    council = pack_with(
        "bromley",
        (
            "types: [pdf, docx, doc, xlsx, xls, odt, txt, eml, msg, png, jpg, jpeg]",
            "types: [txt]",
        ),
    )
    item = log(council)
    assert errors_of(
        lambda: attachment_add(item=item, actor=officer_a, filename="a.pdf", content=b"x")
    ) == {"file": ["The file must be one of: txt."]}
    assert attachment_add(item=item, actor=officer_a, filename="a.txt", content=b"x").size == 1


def test_attaching_an_empty_file(council_a, officer_a):
    item = log(council_a)
    errors = errors_of(
        lambda: attachment_add(item=item, actor=officer_a, filename="empty.txt", content=b"")
    )
    assert errors == {"file": ["The file is empty."]}


def test_attaching_a_file_larger_than_the_packs_limit(council_a, officer_a):
    """`intelligence.attachments.max_megabytes` from the pack: 1 MB loaded, 1 MB + 1 byte is
    refused and exactly 1 MB accepted."""
    council = pack_with("bromley", ("max_megabytes: 10", "max_megabytes: 1"))
    item = log(council)
    errors = errors_of(
        lambda: attachment_add(
            item=item, actor=officer_a, filename="big.txt", content=b"x" * (1024 * 1024 + 1)
        )
    )
    assert errors == {"file": ["The file must be no larger than 1 MB."]}
    ok = attachment_add(item=item, actor=officer_a, filename="ok.txt", content=b"x" * 1024 * 1024)
    assert ok.size == 1024 * 1024


def test_a_fractional_size_limit_is_worded_as_loaded(council_a, officer_a):
    council = pack_with("bromley", ("max_megabytes: 10", "max_megabytes: 0.5"))
    item = log(council)
    errors = errors_of(
        lambda: attachment_add(
            item=item, actor=officer_a, filename="big.txt", content=b"x" * (600 * 1024)
        )
    )
    assert errors["file"] == ["The file must be no larger than 0.5 MB."]
