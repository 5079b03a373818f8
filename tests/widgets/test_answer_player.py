"""AnswerPlayer's Python side, driven by simulated browser messages (no browser needed)."""
from __future__ import annotations

import pytest
import traitlets

from rupture_widgets.errors import RecordingError
from rupture_widgets.widgets import AnswerPlayer


def browser_says(widget, content, buffers=()):
    """Deliver a message as ipywidgets does when the front end calls model.send()."""
    widget._handle_custom_msg(content, list(buffers))


@pytest.fixture
def small_pieces(monkeypatch):
    import rupture_widgets.widgets.answer_player as module

    monkeypatch.setattr(module, "PLAYBACK_PART_BYTES", 50_000)


@pytest.fixture
def answer(tmp_path, webm_3s):
    path = tmp_path / "answer.webm"
    path.write_bytes(webm_3s)
    return path


@pytest.fixture
def player():
    p = AnswerPlayer()
    p.sent = []
    p.send = lambda content, buffers=None: p.sent.append((content, buffers))
    return p


def pieces(player):
    return [(m, b) for m, b in player.sent if m["kind"] == "piece"]


def ack_all(player, views=("a",)):
    """Ack each piece as the browser does, until the last one has been sent."""
    while pieces(player)[-1][0]["part"] < pieces(player)[-1][0]["parts"] - 1:
        last = pieces(player)[-1][0]
        for view in views:
            browser_says(player, {"kind": "piece-ack", "part": last["part"],
                                  "token": last["token"], "view": view})


def test_the_file_goes_one_piece_at_a_time_each_after_the_last_ack(player, answer,
                                                                    small_pieces):
    player.load(answer, label="Your answer to Maya")
    assert len(pieces(player)) == 1  # nothing more until the browser asks
    ack_all(player, views=("a", "b"))  # a widget shown twice acks twice; each piece goes once
    parts = pieces(player)[0][0]["parts"]
    assert parts > 1 and [m["part"] for m, _ in pieces(player)] == list(range(parts))
    assert b"".join(bytes(b[0]) for _, b in pieces(player)) == answer.read_bytes()
    assert all(len(b) == 1 and len(b[0]) <= 50_000 for _, b in pieces(player))
    assert all(m["to"] is None and m["mime_type"] == "video/webm" for m, _ in pieces(player))
    assert all("url" not in m and "path" not in m for m, _ in pieces(player))  # private file
    assert player.label == "Your answer to Maya"
    token = pieces(player)[-1][0]["token"]
    player.sent.clear()
    browser_says(player, {"kind": "piece-ack", "part": parts - 1, "token": token})
    assert player.sent == []  # the last piece's ack asks for nothing more


def test_a_new_load_replaces_the_one_in_flight(player, answer, small_pieces):
    player.load(answer)
    old = pieces(player)[-1][0]
    player.load(answer)
    new = pieces(player)[-1][0]
    assert new["token"] != old["token"] and new["part"] == 0
    player.sent.clear()
    browser_says(player, {"kind": "piece-ack", "part": 0, "token": old["token"]})
    assert player.sent == []  # the old transfer stopped
    browser_says(player, {"kind": "piece-ack", "part": 0, "token": new["token"]})
    assert [m["part"] for m, _ in pieces(player)] == [1]


def test_a_view_shown_after_load_gets_the_file_then(player, answer, small_pieces):
    player.load(answer)  # as a notebook does while it runs, before any page shows the widget
    ack_all(player)
    player.sent.clear()
    browser_says(player, {"kind": "ready", "view": "late"})
    first = pieces(player)[0][0]
    assert (first["part"], first["to"]) == (0, ["late"])  # the other views keep their video
    browser_says(player, {"kind": "ready", "view": "later"})  # joins while that is in flight
    assert pieces(player)[-1][0]["part"] == 0
    assert pieces(player)[-1][0]["to"] == ["late", "later"]


def test_ready_before_any_load_sends_nothing(player):
    browser_says(player, {"kind": "ready", "view": "a"})
    assert player.sent == []


def test_a_missing_file_is_refused_in_plain_words(player, tmp_path):
    with pytest.raises(RecordingError, match="no such file"):
        player.load(tmp_path / "gone.webm")
    (tmp_path / "empty.webm").write_bytes(b"")
    with pytest.raises(RecordingError, match="empty"):
        player.load(tmp_path / "empty.webm")
    assert player.sent == [] and not player.loaded


def test_seek_clamps_and_is_sent_to_the_browser(player, answer):
    player.seek(-4)
    player.seek(2.5)
    assert [m for m, _ in player.sent] == [{"kind": "seek", "seconds": 0.0},
                                           {"kind": "seek", "seconds": 2.5}]
    player.load(answer)
    browser_says(player, {"kind": "loaded", "load": pieces(player)[-1][0]["load"],
                          "duration": 3.0})
    player.seek(99)
    assert player.sent[-1][0] == {"kind": "seek", "seconds": 3.0}  # no further than the end
    with pytest.raises(ValueError):
        player.seek(float("nan"))


def test_a_seek_before_the_file_is_loaded_travels_with_it(player, answer, small_pieces):
    player.load(answer)
    player.seek(1.5)
    browser_says(player, {"kind": "ready", "view": "late"})  # a view that missed the seek
    assert pieces(player)[-1][0]["start_at"] == 1.5
    browser_says(player, {"kind": "loaded", "load": pieces(player)[-1][0]["load"],
                          "duration": 3.0})
    ack_all(player)
    player.sent.clear()
    browser_says(player, {"kind": "ready", "view": "next"})
    assert pieces(player)[-1][0]["start_at"] is None  # once loaded, played from wherever


def test_play_and_pause_are_commands_to_the_browser(player):
    player.play()
    player.pause()
    assert [m["kind"] for m, _ in player.sent] == ["play", "pause"]


def test_loaded_and_duration_come_from_the_browser_for_the_latest_load_only(player, answer):
    player.load(answer)
    first = pieces(player)[-1][0]["load"]
    browser_says(player, {"kind": "loaded", "load": first, "duration": 3.02})
    assert (player.loaded, player.duration) == (True, 3.02)
    player.load(answer)
    assert (player.loaded, player.duration, player.current_time) == (False, None, 0.0)
    browser_says(player, {"kind": "loaded", "load": first, "duration": 3.02})  # late, old file
    assert not player.loaded
    browser_says(player, {"kind": "loaded", "load": first + 1, "duration": None})
    assert (player.loaded, player.duration) == (True, None)  # a file that does not say


def test_current_time_follows_the_browser(player):
    seen = []
    player.on_time(seen.append)
    player.set_state({"current_time": 1.25, "playing": True})  # what a browser update does
    player.set_state({"current_time": 1.5})
    assert (player.current_time, player.playing, seen) == (1.5, True, [1.25, 1.5])
    player.on_time(seen.append, remove=True)
    player.set_state({"current_time": 2.0, "playing": False})
    assert seen == [1.25, 1.5] and not player.playing
    with pytest.raises(traitlets.TraitError):
        player.current_time = -1.0


def test_every_synced_trait_has_a_default_and_help():
    player = AnswerPlayer()
    names = {name for name in AnswerPlayer.class_traits(sync=True)
             if not name.startswith("_") and name not in {"layout", "tabbable", "tooltip"}}
    assert {"current_time", "duration", "playing", "loaded", "label"} <= names
    for name in names:
        trait = AnswerPlayer.class_traits()[name]
        assert trait.help, f"AnswerPlayer.{name} has no help"
        getattr(player, name)  # a default exists (no TraitError for a missing value)
    assert (player.label, player.current_time, player.duration, player.playing,
            player.loaded) == ("Your recorded answer", 0.0, None, False, False)
    assert AnswerPlayer("Your answer to Sam").label == "Your answer to Sam"


def test_the_first_piece_is_small_so_playing_can_start_at_once(player, tmp_path, monkeypatch):
    import rupture_widgets.widgets.answer_player as module

    monkeypatch.setattr(module, "FIRST_PIECE_BYTES", 1000)
    monkeypatch.setattr(module, "PLAYBACK_PART_BYTES", 4000)
    data = bytes(range(256)) * 40  # 10,240 bytes: 1000, then 4000, 4000, 1240
    path = tmp_path / "answer.webm"
    path.write_bytes(data)
    player.load(path)
    ack_all(player)
    got = pieces(player)
    assert [len(b[0]) for _, b in got] == [1000, 4000, 4000, 1240]
    assert {m["parts"] for m, _ in got} == {4}
    assert b"".join(bytes(b[0]) for _, b in got) == data
