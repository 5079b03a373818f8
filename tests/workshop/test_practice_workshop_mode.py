"""The practice app opened from a workshop link: only its clips, in its order, its code on
attempts; a link naming clips this library lacks still opens the app."""
from __future__ import annotations

from pathlib import Path

import pytest

from rupture_widgets.apps.practice import PracticeApp
from rupture_widgets.workbook import Attempt
from rupture_widgets.workshop import page_query

ROOT = Path(__file__).resolve().parents[2]
CLIPS = ["w1-intermediate-maya", "c3-beginner-maya", "c1-beginner-kwame"]
QUERY = "workshop=rupture-101&clips=" + ",".join(CLIPS) + "&title=Week%201%20%3Cb%3E"


@pytest.fixture(autouse=True)
def environment(monkeypatch):
    monkeypatch.setenv("RUPTURE_SERVER_ROOT", str(ROOT))
    for name in ("JUPYTERHUB_USER", "RUPTURE_TRAINEE", "QUERY_STRING", "VOILA_PREHEAT"):
        monkeypatch.delenv(name, raising=False)


def cards(app):
    return [c["id"] for s in app.browser.grid.sections for c in s["cards"]]


def test_workshop_mode_from_the_kernels_query_string(workspace, catalog, monkeypatch):
    monkeypatch.setenv("QUERY_STRING", QUERY)  # a kernel Voilà started for the page
    app = PracticeApp(workspace=workspace, catalog=catalog, trainee="alex")
    assert cards(app) == CLIPS
    assert app.browser.grid.recommended["card"]["id"] == CLIPS[0]
    assert "Week 1 &lt;b&gt;" in app.browser.heading.value  # typed by a facilitator: escaped
    assert app.workbook.workshop == "rupture-101"


def test_the_filters_narrow_the_workshop_and_keep_its_order(workspace, catalog):
    app = PracticeApp(workspace=workspace, catalog=catalog, trainee="alex", workshop=QUERY)
    app.show_library("beginner")  # what "Show beginner clips" after a self-assessment does
    assert cards(app) == [c for c in CLIPS if catalog.get(c).level == "beginner"] == CLIPS[1:]
    assert "Clip 2 of 3" in app.browser.grid.recommended["reason"]  # numbered in the workshop
    app.browser.set_filters()  # back to all
    assert cards(app) == CLIPS


def test_the_recommended_clip_is_the_first_not_yet_practised(workspace, catalog):
    wb = workspace.workbook("alex")
    first = catalog.get(CLIPS[0])
    wb.log_attempt(clip_id=first.id, marker=first.marker, level=first.level)
    app = PracticeApp(workspace=workspace, catalog=catalog, trainee="alex", workshop=QUERY)
    rec = app.browser.grid.recommended
    assert rec["card"]["id"] == CLIPS[1] and "Clip 2 of 3" in rec["reason"]


def test_attempts_made_in_a_workshop_carry_its_code_and_old_ones_read_as_before(workspace,
                                                                               catalog):
    app = PracticeApp(workspace=workspace, catalog=catalog, trainee="alex", workshop=QUERY)
    clip = catalog.get(CLIPS[1])
    made = app.workbook.log_attempt(clip_id=clip.id, marker=clip.marker, level=clip.level)
    assert made.workshop == "rupture-101"
    assert workspace.workbook("alex").attempt(made.id).workshop == "rupture-101"
    outside = workspace.workbook("sam")
    plain = outside.log_attempt(clip_id=clip.id, marker=clip.marker, level=clip.level)
    assert plain.workshop is None and "workshop" not in plain.to_record()
    assert Attempt.from_record(plain.to_record()) == plain


def test_unknown_clips_in_the_link_are_left_out_with_a_notice(workspace, catalog):
    app = PracticeApp(workspace=workspace, catalog=catalog, trainee="alex",
                      workshop="workshop=w2&clips=gone-clip," + CLIPS[2])
    assert cards(app) == [CLIPS[2]]
    assert "gone-clip" in app.browser.heading.value and "left out" in app.browser.heading.value


def test_a_link_with_no_known_clip_shows_the_whole_library(workspace, catalog):
    app = PracticeApp(workspace=workspace, catalog=catalog, trainee="alex",
                      workshop="workshop=w2&clips=gone-clip")
    assert len(cards(app)) == len(catalog.clips)
    assert "whole library" in app.browser.heading.value and app.workbook.workshop is None


def test_a_preheated_kernel_reads_the_page_query_when_the_page_arrives(workspace, catalog,
                                                                        monkeypatch):
    monkeypatch.setenv("VOILA_PREHEAT", "True")  # ran before any page: no QUERY_STRING yet
    app = PracticeApp(workspace=workspace, catalog=catalog, trainee="alex")
    assert len(cards(app)) == len(catalog.clips)
    received = []

    def wait_for_request():  # what Voilà's websocket hands over when the page takes the kernel
        received.append(True)
        monkeypatch.setenv("QUERY_STRING", QUERY)
    monkeypatch.setattr("voila.utils.wait_for_request", wait_for_request)
    app._arrived({"view": "library"})
    assert received and cards(app) == CLIPS
    app._arrived({"view": "library"})  # a later hash change does not ask again
    assert len(received) == 1


def test_a_preheated_kernel_with_no_page_request_does_not_hang(monkeypatch):
    monkeypatch.setenv("VOILA_PREHEAT", "True")
    monkeypatch.setattr("voila.utils.wait_for_request", lambda: __import__("time").sleep(30))
    assert page_query.query_string(wait_s=0.2) == ""
