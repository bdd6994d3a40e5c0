"""Quorum from attendance by the pack's rule (issue 12, must hold), Somerset's Commissioning &
Quality Board: "not less than three members and shall include" its three named posts
(003 Appendix 4 ToR 5); a meeting that is not quorate keeps notes, not minutes."""

import pytest

from boards.pack import Boards
from boards.quorum import NOTES, Present, quorum_of

pytestmark = pytest.mark.django_db

CCG = "ccg_safeguarding_commissioning"
QP = "la_quality_performance_manager"
SC = "la_strategic_commissioner"


@pytest.fixture
def board(load_pack):
    return Boards.of(load_pack("somerset")).get("commissioning_quality_board")


def present(*posts_per_member):
    return [Present(member_id=n, posts=frozenset(p)) for n, p in enumerate(posts_per_member)]


def test_the_three_named_posts_and_three_members_are_quorate(board):  # 003 ToR 5
    q = quorum_of(board, present({CCG}, {QP}, {SC}))
    assert q.quorate and q.record == "minutes"
    assert q.seed.startswith("003")


def test_two_members_are_not_quorate_and_keep_notes(board):  # 003 ToR 5
    q = quorum_of(board, present({CCG}, {QP, SC}))
    assert not q.quorate and q.record == NOTES
    assert "Only 2 members present: at least 3 are needed" in q.reasons


def test_three_without_a_quality_and_performance_manager_are_not_quorate(board):
    q = quorum_of(board, present({CCG}, {SC}, {"deputy_director_quality"}))
    assert not q.quorate
    assert any("Quality & Performance" in r and r.startswith("No ") for r in q.reasons)


def test_a_member_counts_once_however_many_posts(board):
    q = quorum_of(board, [Present(1, frozenset({CCG, QP, SC})), Present(1, frozenset({SC}))])
    assert not q.quorate and q.reasons[0].startswith("Only 1 member")


def test_every_pack_names_its_boards_with_seeds(load_pack):
    for code in ("bromley", "bedford", "bradford", "somerset", "west-berkshire"):
        boards = Boards.of(load_pack(code)).boards
        assert boards, code
        assert all(b.seed and b.name for b in boards)
