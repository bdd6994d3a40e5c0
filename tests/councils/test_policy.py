"""Policy packs: validated whole, loaded as immutable versions, shown in plain words, and
compared version to version."""

import pytest
import yaml
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from core.errors import ValidationFailed
from core.models import AuditEntry
from councils.models import Area, Council, PolicyVersion, Role
from councils.policy import Policy, diff, parse_pack
from councils.services import policy_load
from tests.factories import policy_text

pytestmark = pytest.mark.django_db

CODES = ["bromley", "bedford", "bradford", "somerset", "west-berkshire"]


@pytest.mark.parametrize("code", CODES)
def test_each_seed_councils_pack_is_valid(code):
    content = parse_pack(policy_text(code))
    assert content["council"]["code"] == code
    for limit in Policy(content).time_limits:
        assert limit.seed[:3] == content["council"]["seed"][:3], limit


def test_time_limits_from_the_seeds():
    """domain.md's table: each limit is in the pack of the council whose seed says it."""
    wb = Policy(parse_pack(policy_text("west-berkshire")))
    # 004 19.1: "the provider told of a restriction decision within 5 working days"
    notice = wb.time_limit("restriction_decision_notice")
    assert (notice.amount, notice.unit, notice.seed) == (5, "working_days", "004 19.1")
    # 004 8.1: self-certification within 14 working days
    assert wb.time_limit("self_certification_return").unit == "working_days"
    somerset = Policy(parse_pack(policy_text("somerset")))
    # 003: "6 months maximum under a Final Warning"
    assert somerset.time_limit("final_warning_max").in_words == "6 months"
    # 003 ToR 2: board papers at least a week before the meeting
    assert somerset.time_limit("board_papers_issued").in_words == "at least 1 week before"
    bromley = Policy(parse_pack(policy_text("bromley")))
    # 000 4.v: 6 months' monitoring of a provider rated Requires Improvement
    assert bromley.time_limit("requires_improvement_monitoring").amount == 6
    bedford = Policy(parse_pack(policy_text("bedford")))
    # 001 App. 2: 12 weeks for PAMMS "Requires Improvement" to improve
    assert bedford.time_limit("pamms_requires_improvement").in_words == "12 weeks"


def test_somerset_areas_from_the_managed_placements_memo():
    """003 Managed Placements Memo groups by Taunton, Mendip, Sedgemoor and West Somerset,
    South Somerset."""
    names = [a["name"] for a in parse_pack(policy_text("somerset"))["areas"]]
    assert names == ["Taunton", "Mendip", "Sedgemoor and West Somerset", "South Somerset"]


def test_decision_makers_and_delegates_from_the_seeds():
    bromley = parse_pack(policy_text("bromley"))["decision_makers"]
    dass = next(m for m in bromley if m["key"] == "dass")
    # 000 4: "In the absence of the DASS ... delegated to the Head of Assessment & Care Management"
    assert dass["delegate_title"] == "Head of Assessment & Care Management"
    wb = parse_pack(policy_text("west-berkshire"))["decision_makers"]
    hoc = next(m for m in wb if m["key"] == "head_of_commissioning")
    # 004 21.3: the Head of Adult Social Care substitutes for the Head of Commissioning
    assert hoc["delegate_title"] == "Head of Adult Social Care"


def _broken(code="bromley"):
    content = yaml.safe_load(policy_text(code))
    content["time_limits"]["requires_improvement_monitoring"]["amount"] = "six"
    content["time_limits"]["requires_improvement_monitoring"]["unit"] = "fortnights"
    content["areas"].append({"code": content["areas"][0]["code"], "name": "Twice"})
    content["calendar"]["working_days"] = ["mon", "funday"]
    del content["council"]["name"]
    return yaml.safe_dump(content)


def test_an_invalid_pack_is_refused_whole_with_every_problem_by_path():
    with pytest.raises(ValidationFailed) as caught:
        policy_load(text=_broken(), source_name="bad.yaml")
    errors = caught.value.errors
    assert "time_limits.requires_improvement_monitoring.amount" in errors
    assert "time_limits.requires_improvement_monitoring.unit" in errors
    assert "calendar.working_days[1]" in errors
    assert "council" in errors and "name" in errors["council"][0]
    assert not Council.objects.exists() and not PolicyVersion.objects.exists()


def test_a_duplicate_area_is_a_problem_too():
    content = yaml.safe_load(policy_text("somerset"))
    content["areas"].append(dict(content["areas"][0]))
    with pytest.raises(ValidationFailed) as caught:
        parse_pack(yaml.safe_dump(content))
    assert "areas[4].code" in caught.value.errors


def test_a_weight_or_amount_that_is_not_a_number_is_named():
    with pytest.raises(ValidationFailed) as caught:
        parse_pack(_broken())
    assert (
        "not of type 'integer'"
        in caught.value.errors["time_limits.requires_improvement_monitoring.amount"][0]
    )


def test_not_yaml_is_refused_with_its_line():
    with pytest.raises(ValidationFailed) as caught:
        parse_pack("council: [unclosed\n")
    assert any(k.startswith("line ") for k in caught.value.errors)


def test_loading_makes_an_immutable_version_and_identical_content_makes_none():
    first = policy_load(text=policy_text("bromley"), source_name="bromley.yaml")
    assert first.created and first.version.number == 1
    again = policy_load(text=policy_text("bromley"), source_name="bromley.yaml")
    assert not again.created and again.version.pk == first.version.pk
    changed = policy_text("bromley").replace("amount: 6", "amount: 7", 1)
    second = policy_load(text=changed, source_name="bromley.yaml")
    assert second.created and second.version.number == 2
    council = Council.objects.get(code="bromley")
    assert council.active_policy == second.version
    with pytest.raises(PermissionError):
        first.version.save()
    entries = AuditEntry.objects.filter(action="policy.loaded", council=council)
    assert [e.policy_version.number for e in entries.order_by("id")] == [1, 2]


def test_areas_follow_the_pack():
    policy_load(text=policy_text("somerset"), source_name="somerset.yaml")
    content = yaml.safe_load(policy_text("somerset"))
    content["areas"] = content["areas"][:2]
    policy_load(text=yaml.safe_dump(content), source_name="somerset.yaml")
    active = Area.objects.filter(council__code="somerset", is_active=True)
    assert sorted(a.name for a in active) == ["Mendip", "Taunton"]


def test_diff_reports_added_removed_and_changed_by_path():
    old = parse_pack(policy_text("bromley"))
    new = yaml.safe_load(policy_text("bromley"))
    new["time_limits"]["requires_improvement_monitoring"]["amount"] = 7
    new["time_limits"]["extra_limit"] = {
        "label": "New",
        "amount": 3,
        "unit": "days",
        "seed": "000 9",
    }
    new["areas"] = []
    found = {(d.path, d.kind) for d in diff(old, new)}
    assert ("time_limits.requires_improvement_monitoring.amount", "changed") in found
    assert ("time_limits.extra_limit.amount", "added") in found
    assert any(kind == "removed" and path.startswith("areas[") for path, kind in found)


def test_policy_page_in_plain_words_and_diff_page(council_a, member, signed_in):
    client = signed_in(member(council_a, Role.PLACEMENT))
    page = client.get("/council/policy/").content.decode()
    assert "Director of Adult Social Services" in page
    assert "6 months" in page
    # Cited by the council's document, not the seed's number (issue 13).
    assert (
        "Protocol for agreement of service provider where CQC ratings fall below Good, 4.v" in page
    )
    changed = policy_text("bromley").replace("amount: 6", "amount: 7", 1)
    policy_load(text=changed, source_name="bromley.yaml")
    diff_page = client.get("/council/policy/diff/?from=1&to=2")
    assert diff_page.status_code == 200
    assert "time_limits.requires_improvement_monitoring.amount" in diff_page.content.decode()
    assert client.get("/council/policy/diff/?from=1&to=9").status_code == 400


def test_load_policy_command(capsys, tmp_path):
    call_command("load_policy", str(settings.POLICY_DIR / "bedford.yaml"))
    assert "version 1 loaded" in capsys.readouterr().out
    bad = tmp_path / "bad.yaml"
    bad.write_text(_broken())
    with pytest.raises(CommandError):
        call_command("load_policy", str(bad))
    err = capsys.readouterr().err
    assert "time_limits.requires_improvement_monitoring.amount" in err
