"""Work not yet downloaded: the folder's state against the state at the last download, kept in
a file beside the workbook so a reload (a new kernel) still knows."""
from __future__ import annotations

import json

from _workbook_fixtures import recorded_attempt
from rupture_widgets.workbook import downloaded, paths

AT = "2026-12-01T19:00:00+00:00"


def test_an_empty_workbook_has_nothing_to_download(workbook):
    assert not downloaded.has_work(workbook)
    assert not downloaded.not_downloaded(workbook)
    workbook.set_display_name("Alex Morgan")  # a name alone is not work
    assert not downloaded.not_downloaded(workbook)


def test_every_kind_of_work_counts_until_downloaded(workbook, webm_3s):
    before = downloaded.work_state(workbook)
    rec = workbook.start_recording(clip_id="c3-beginner-maya")
    rec.append(webm_3s[:5000])
    recording = downloaded.work_state(workbook)
    assert recording != before and downloaded.not_downloaded(workbook)  # a recording under way
    rec.append(webm_3s[5000:])
    assert downloaded.work_state(workbook) != recording  # it grows
    duration = rec.finalise()
    attempt = workbook.log_attempt(clip_id="c3-beginner-maya", marker="C3", level="beginner",
                                   attempt_id=rec.attempt_id, recording=rec.final_path,
                                   duration_s=duration)
    state = downloaded.work_state(workbook)
    downloaded.mark_downloaded(workbook, state, at=AT)
    assert not downloaded.not_downloaded(workbook)
    assert downloaded.work_state(workbook) == state  # reading changes nothing
    workbook.attempts(), workbook.snapshot()
    assert not downloaded.not_downloaded(workbook)

    for change in (lambda: workbook.set_self_assessment(attempt.id, difficulty=3),
                   lambda: workbook.mark_best(attempt.id),
                   lambda: paths.TraineeFolder(workbook.dir).seen.write_text('["x"]'),
                   lambda: recorded_attempt(workbook, webm_3s),
                   lambda: workbook.delete_attempt(attempt.id)):  # another attempt remains
        change()
        assert downloaded.not_downloaded(workbook)
        downloaded.mark_downloaded(workbook, downloaded.work_state(workbook), at=AT)
        assert not downloaded.not_downloaded(workbook)
    # the last attempt deleted: nothing is left that the server could lose
    workbook.delete_attempt(workbook.attempts()[0].id)
    assert not downloaded.has_work(workbook) and not downloaded.not_downloaded(workbook)


def test_the_mark_outlives_the_kernel_and_a_bad_one_counts_as_not_downloaded(workbook,
                                                                               webm_3s):
    recorded_attempt(workbook, webm_3s)
    downloaded.mark_downloaded(workbook, downloaded.work_state(workbook), at=AT)
    again = workbook.workspace.workbook(workbook.trainee_id)  # another kernel, same folder
    assert not downloaded.not_downloaded(again)
    mark = paths.TraineeFolder(workbook.dir).downloaded
    assert mark.name == "downloaded.json" and json.loads(mark.read_text())["at"] == AT
    for bad in ("{", "[]", '{"state": 3}'):
        mark.write_text(bad)
        assert downloaded.last_downloaded(again) is None
        assert downloaded.not_downloaded(again)
    mark.unlink()
    assert downloaded.not_downloaded(again)
