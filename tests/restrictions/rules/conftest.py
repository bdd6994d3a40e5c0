"""The people of the service-level tests, declared once: each council's people by the posts
its pack names (`helpers`), and the clock. They stand for the API and page tests' `wb` and
`somerset` teams (../conftest.py) inside this folder."""

import pytest

from tests.restrictions.rules.helpers import Clock, somerset_people, wb_people


@pytest.fixture
def wb(load_pack, member):
    return wb_people(load_pack, member)


@pytest.fixture
def som(load_pack, member):
    return somerset_people(load_pack, member)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)
