"""The roster of a known workspace, exactly; names typed with markup are shown as text."""
from __future__ import annotations

import pytest

from rupture_widgets.exchange import open_exchange
from rupture_widgets.taxonomy import load_taxonomy
from rupture_widgets.workbook.records import feedback_record
from rupture_widgets.workshop import Workshop, roster, roster_html

CLIPS = ["w1-intermediate-maya", "c3-beginner-maya"]


def attempt(wb, catalog, clip_id, workshop=None):
    clip = catalog.get(clip_id)
    return wb.log_attempt(clip_id=clip.id, marker=clip.marker, level=clip.level,
                          workshop=workshop)


@pytest.fixture
def known(workspace, catalog, webm_3s, tmp_path):
    """alex: 2 x clip 2, 1 x clip 1 (in the workshop), 1 x another clip, one sent to Dr Lee and
    returned, one sent to Sam and waiting; <script> person: 1 attempt, nothing sent."""
    from _workbook_fixtures import recorded_attempt

    alex = workspace.workbook("alex", display_name="Alex Morgan")
    for clip_id, code in [(CLIPS[1], "wk-1"), (CLIPS[1], "wk-1"), (CLIPS[0], "wk-1"),
                          ("c1-beginner-kwame", None)]:
        attempt(alex, catalog, clip_id, workshop=code)
    sent = recorded_attempt(alex, webm_3s)  # a real recording: the exchange sends files
    ex = open_exchange(workspace)
    ex.send(alex, sent.id, reviewer="Dr Lee", role="supervisor")
    ex.return_feedback("Dr Lee", "alex", feedback_record(
        load_taxonomy(), sent.id, reviewer="Dr Lee", role="supervisor", ratings={}, strategies=[],
        comments=[], summary="Good repair."))
    ex.collect(alex)
    waiting = recorded_attempt(alex, webm_3s)
    ex.send(alex, waiting.id, reviewer="Sam", role="peer")
    mallory = workspace.workbook("mallory", display_name="<script>alert(1)</script>")
    attempt(mallory, catalog, CLIPS[0])
    return workspace, sent, waiting


def test_the_roster_counts_exactly(known, catalog):
    workspace, sent, waiting = known
    w = Workshop("wk-1", CLIPS, title="Week 1", catalog=catalog)
    alex, mallory = roster(workspace, w)
    assert alex.trainee_id == "alex" and alex.display_name == "Alex Morgan"
    recorded_clip = sent.clip_id
    expected = {CLIPS[0]: 1, CLIPS[1]: 2, "c1-beginner-kwame": 1}
    expected[recorded_clip] = expected.get(recorded_clip, 0) + 2
    assert dict(alex.clips) == expected
    assert [c for c, _ in alex.clips][:2] == CLIPS  # the workshop's order first
    assert alex.attempts == 6 and alex.in_workshop == 3
    by_reviewer = {s.reviewer: s for s in alex.sent}
    assert set(by_reviewer) == {"Dr Lee", "Sam"}
    assert by_reviewer["Dr Lee"].status == "feedback returned"
    assert by_reviewer["Dr Lee"].attempt_id == sent.id
    assert by_reviewer["Sam"].status == "waiting for the reviewer"
    assert alex.last_activity >= by_reviewer["Sam"].at
    assert mallory.clips == ((CLIPS[0], 1),) and mallory.sent == () and mallory.in_workshop == 0


def test_names_typed_with_markup_are_escaped(known, catalog):
    workspace, _, _ = known
    html = roster_html(roster(workspace), None)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert html.count("<tr>") == 3  # the header and two trainees
    assert "Dr Lee (supervisor), feedback returned" in html
    assert "<summary>2: 1 feedback returned, 1 waiting for the reviewer</summary>" in html
