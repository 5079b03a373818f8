"""The work bar's kernel side with real bundles: Download my work makes the trainee's bundle
and sends it in pieces; Restore my work imports one, refuses a damaged one and anyone else's
in plain words; the reminder follows work not yet downloaded."""
from __future__ import annotations

import hashlib
from datetime import datetime, timezone

import pytest

from _workbook_fixtures import recorded_attempt
from rupture_widgets.apps.ephemeral import EphemeralServer
from rupture_widgets.apps.practice.work_bar import WorkBar, bundle_name
from rupture_widgets.bundles import export_bundle
from rupture_widgets.widgets.file_transfer import PIECE_BYTES
from rupture_widgets.workbook import Workspace

WHEN = datetime(2026, 12, 1, 19, 5, tzinfo=timezone.utc)


def browser_says(widget, content, buffers=()):
    widget._handle_custom_msg(content, list(buffers))


def capture(widget):
    widget.sent = []
    widget.send = lambda content, buffers=None: widget.sent.append((content, buffers))


def bar_for(workbook):
    bar = WorkBar(EphemeralServer(10, True), workbook.workspace, clock=lambda: WHEN)
    capture(bar.download)
    capture(bar.restore)
    bar.attach(workbook)
    return bar


def download(bar) -> tuple[str, bytes]:
    """Press Download my work and be the browser: acknowledge each piece, then say saved."""
    browser_says(bar.download, {"kind": "request"})
    begin = next(m for m, _ in bar.download.sent if m["kind"] == "begin")
    got = {}
    while len(got) < begin["pieces"]:
        content, buffers = [m for m in bar.download.sent if m[0]["kind"] == "piece"][len(got)]
        got[content["index"]] = bytes(buffers[0])
        browser_says(bar.download, {"kind": "ack", "id": begin["id"], "index": content["index"]})
    data = b"".join(got[i] for i in range(begin["pieces"]))
    browser_says(bar.download, {"kind": "saved", "id": begin["id"], "name": begin["name"],
                                "size": len(data)})
    bar.download.sent.clear()
    return begin["name"], data


def upload(bar, name: str, data: bytes) -> None:
    """Choose a file in the browser: it arrives in pieces, then the bar imports it."""
    browser_says(bar.restore, {"kind": "begin", "id": "u1", "name": name, "size": len(data)})
    for i in range(0, -(-len(data) // PIECE_BYTES)):
        browser_says(bar.restore, {"kind": "piece", "id": "u1", "index": i},
                     [data[i * PIECE_BYTES:(i + 1) * PIECE_BYTES]])
    browser_says(bar.restore, {"kind": "end", "id": "u1"})


def work(workbook) -> tuple[list, dict]:
    return ([dict(r) for r in workbook.records().attempts],
            {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
             for p in sorted(workbook.recordings_dir.glob("*"))})


def test_download_then_restore_elsewhere_gives_the_same_work_and_the_reminder_follows(
        workbook, webm_3s, tmp_path):
    bar = bar_for(workbook)
    assert not bar.guard.active
    recorded_attempt(workbook, webm_3s)
    recorded_attempt(workbook, webm_3s, pieces=3)
    bar.check()
    assert bar.guard.active  # work the server would lose
    name, data = download(bar)
    assert name == bundle_name("alex.morgan", WHEN) == "rupture-alex.morgan-2026-12-01.zip"
    assert not bar.guard.active and "Saved rupture-alex.morgan-2026-12-01.zip" in (
        bar.status.value)
    assert not bar.download.busy

    fresh = Workspace(tmp_path / "next-launch").workbook("alex.morgan")
    other = bar_for(fresh)
    shown = []
    other.on_restored(lambda: shown.append(True))
    upload(other, name, data)
    assert "Restored from rupture-alex.morgan-2026-12-01.zip: 2 attempts and 2 recordings " \
           "added." in other.status.value and "role='status'" in other.status.value
    assert shown == [True] and work(fresh) == work(workbook)
    assert not other.guard.active  # what was restored is in the trainee's hands already
    upload(other, name, data)  # again: nothing changes
    assert "is here already" in other.status.value and work(fresh) == work(workbook)


def test_a_restore_on_top_of_new_work_still_reminds(workbook, webm_3s, tmp_path):
    recorded_attempt(workbook, webm_3s)
    name, data = download(bar_for(workbook))
    fresh = Workspace(tmp_path / "next").workbook("alex.morgan")
    recorded_attempt(fresh, webm_3s)  # recorded here before restoring: not in any bundle
    bar = bar_for(fresh)
    assert bar.guard.active
    upload(bar, name, data)
    assert len(fresh.attempts()) == 2 and bar.guard.active


def test_someone_elses_bundle_and_a_reviewers_are_refused_and_nothing_is_imported(
        workbook, webm_3s, tmp_path):
    recorded_attempt(workbook, webm_3s)
    theirs = tmp_path / "theirs.zip"
    export_bundle(workbook.workspace, theirs, trainee="alex.morgan")
    mine = Workspace(tmp_path / "mine").workbook("sam.lee")
    bar = bar_for(mine)
    upload(bar, "theirs.zip", theirs.read_bytes())
    assert "theirs.zip holds the work of alex.morgan, not yours (sam.lee), so nothing was " \
           "restored." in bar.status.value and "role='alert'" in bar.status.value
    assert not (tmp_path / "mine" / "trainees" / "alex.morgan").exists()

    from rupture_widgets.exchange import open_exchange

    attempt = workbook.attempts()[0]
    open_exchange(workbook.workspace).send(workbook, attempt.id, reviewer="Dr Kim",
                                           role="supervisor")
    review = tmp_path / "review.zip"
    export_bundle(workbook.workspace, review, reviewer="dr.kim")
    upload(bar, "review.zip", review.read_bytes())
    assert "review.zip holds a reviewer's work (dr.kim)" in bar.status.value
    assert not (tmp_path / "mine" / "exchange" / "inbox" / "dr.kim").exists()


@pytest.mark.parametrize("damage", ["flip", "cut", "not a zip"])
def test_a_damaged_bundle_is_refused_in_plain_words_and_the_bar_works_after(
        workbook, webm_3s, tmp_path, damage):
    recorded_attempt(workbook, webm_3s)
    name, data = download(bar_for(workbook))
    bad = {"flip": data[:len(data) // 2] + bytes([data[len(data) // 2] ^ 0xFF])
           + data[len(data) // 2 + 1:], "cut": data[:len(data) - 300],
           "not a zip": b"PK but not really"}[damage]
    fresh = Workspace(tmp_path / "next").workbook("alex.morgan")
    bar = bar_for(fresh)
    upload(bar, "my work.zip", bad)
    assert "The bundle my work.zip was not imported:" in bar.status.value
    assert "Nothing in the workspace was changed" in bar.status.value
    assert "role='alert'" in bar.status.value and "Traceback" not in bar.status.value
    assert fresh.attempts() == [] and not bar.restore.busy
    upload(bar, name, data)
    assert len(fresh.attempts()) == 1


def test_typed_names_in_messages_are_escaped(workbook, webm_3s, tmp_path):
    recorded_attempt(workbook, webm_3s)
    name, data = download(bar_for(workbook))
    bar = bar_for(Workspace(tmp_path / "x").workbook("sam.lee"))
    upload(bar, "<img src=x onerror=alert(1)>.zip", data)
    assert "<img" not in bar.status.value and "&lt;img src=x" in bar.status.value
