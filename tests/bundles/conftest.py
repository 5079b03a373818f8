"""Fixtures of the bundle tests: two real answers, and a workspace where a trainee practised,
sent an attempt and got a review back (``_bundle_fixtures.practise``)."""
from __future__ import annotations

import pytest

from _bundle_fixtures import practise
from _workbook_fixtures import chunked_webm
from rupture_widgets.workbook import Workspace


@pytest.fixture(scope="session")
def answers(tmp_path_factory) -> list[bytes]:
    """Two different real MediaRecorder-style WebM answers."""
    d = tmp_path_factory.mktemp("answers")
    return [chunked_webm(d / "a.webm", seconds=1.5), chunked_webm(d / "b.webm", seconds=2.0)]


@pytest.fixture
def practised(tmp_path, answers):
    ws = Workspace(tmp_path / "server-1")
    wb, ids, review = practise(ws, answers)
    return ws, wb, ids, review
