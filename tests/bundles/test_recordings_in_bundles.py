"""Which recordings a bundle carries: those the attempts point at, finalised or, for an
incomplete answer, the part file as it is; never one still being recorded, nor a sidecar."""
from __future__ import annotations

import io

from _bundle_fixtures import TRAINEE
from _workbook_fixtures import split
from rupture_widgets.bundles import export_bundle, import_bundle
from rupture_widgets.workbook import Workspace, paths


def test_an_incomplete_answer_travels_and_one_being_recorded_does_not(practised, tmp_path,
                                                                      answers):
    ws, wb, ids, _ = practised
    cut_off = wb.start_recording(clip_id="c3-beginner-maya")  # the tab was closed mid-answer
    cut_off.append(split(answers[1], 3)[0])
    [incomplete] = wb.incomplete_recordings(min_age_s=0)     # adopted, as the app does
    live = wb.start_recording(clip_id="c3-beginner-maya")    # being recorded right now
    live.append(split(answers[0], 3)[0])

    out = io.BytesIO()
    manifest = export_bundle(ws, out, trainee=TRAINEE)
    names = [f.path.rsplit("/", 1)[-1] for f in manifest.files]
    part = paths.part_file(wb.recordings_dir, incomplete.id)
    assert part.name in names
    assert not any(live.attempt_id in n for n in names)
    assert paths.sidecar_file(wb.recordings_dir, live.attempt_id).exists()  # still there...
    assert not any(n.endswith(".json") and n.startswith(live.attempt_id) for n in names)

    fresh = Workspace(tmp_path / "fresh")
    import_bundle(fresh, out.getvalue())
    restored = fresh.workbook(TRAINEE)
    assert restored.attempt(incomplete.id).status == "incomplete"
    assert restored.recording_path(incomplete.id).read_bytes() == part.read_bytes()
    assert {a.id for a in restored.attempts()} == {*ids, incomplete.id}
