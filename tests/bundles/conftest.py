"""A workspace where a trainee practised, sent an attempt and got a review back, built with the
shared fixtures through the real workbook and exchange APIs; and how to hash a whole tree."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from _workbook_fixtures import chunked_webm, recorded_attempt
from rupture_widgets.exchange import open_exchange
from rupture_widgets.taxonomy import load_taxonomy
from rupture_widgets.workbook import Workspace
from rupture_widgets.workbook.records import feedback_record

TRAINEE, REVIEWER = "alex.morgan", "Dr Sam Rivera"


@pytest.fixture(scope="session")
def answers(tmp_path_factory) -> list[bytes]:
    """Two different real MediaRecorder-style WebM answers."""
    d = tmp_path_factory.mktemp("answers")
    return [chunked_webm(d / "a.webm", seconds=1.5), chunked_webm(d / "b.webm", seconds=2.0)]


def practise(ws: Workspace, answers: list[bytes], trainee: str = TRAINEE, name="Alex Morgan"):
    """Two recorded attempts, a self-assessment, the first sent to REVIEWER, reviewed and
    returned (not yet collected), a draft being typed and feedback seen."""
    wb = ws.workbook(trainee, display_name=name)
    first = recorded_attempt(wb, answers[0])
    second = recorded_attempt(wb, answers[1])
    wb.set_self_assessment(second.id, difficulty=6, strategies=["S4"], note="Held the pause")
    wb.save_draft(f"self-assessment:{first.id}:note", "Half-typed thought")
    ex = open_exchange(ws)
    ex.send(wb, first.id, reviewer=REVIEWER, role="supervisor")
    review = feedback_record(load_taxonomy(), first.id, reviewer=REVIEWER, role="supervisor",
                             ratings={"empathy": 4}, strategies=["S4"],
                             comments=[{"t": 0.5, "text": "Good pause <b>here</b>."}],
                             summary="Warm and clear.")
    ex.return_feedback(REVIEWER, trainee, review)
    return wb, [first.id, second.id], review


@pytest.fixture
def practised(tmp_path, answers):
    ws = Workspace(tmp_path / "server-1")
    wb, ids, review = practise(ws, answers)
    return ws, wb, ids, review


def tree_hashes(root: Path) -> dict[str, str]:
    """Every file below ``root`` (links as their target text) by relative path -> SHA-256."""
    out = {}
    root = Path(root)
    if not root.exists():
        return out
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            rel = p.relative_to(root).as_posix()
            if p.is_symlink():
                out[rel] = "link:" + os.readlink(p)
            elif p.is_file():
                out[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
            else:
                out[rel + "/"] = "dir"
    return out
