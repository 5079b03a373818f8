"""Many trainees' bundles into one review workspace: a refused bundle is named, the rest go in."""
from __future__ import annotations

import io
import zipfile

from _workbook_fixtures import ATTEMPT, recorded_attempt
from rupture_widgets.bundles import export_bundle
from rupture_widgets.workbook import Workspace
from rupture_widgets.workshop import Workshop, import_bundles, roster
from rupture_widgets.workshop.imports import summary


def test_one_corrupt_bundle_among_good_ones(tmp_path, webm_3s):
    source = Workspace(tmp_path / "laptops")
    out = tmp_path / "bundles"
    out.mkdir()
    for trainee in ("alex", "bo", "cy"):
        wb = source.workbook(trainee, display_name=trainee.title())
        wb.workshop = "wk-7"  # as the practice app sets it in workshop mode
        recorded_attempt(wb, webm_3s)
        export_bundle(source, out / f"{trainee}.zip", trainee=trainee)
    raw = bytearray((out / "bo.zip").read_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(raw))) as zf:  # flip a byte inside the recording
        info = next(i for i in zf.infolist() if i.filename.endswith(".webm"))
    at = info.header_offset + 30 + len(info.filename) + len(info.extra) + info.file_size // 2
    raw[at] ^= 0xFF
    (out / "bo.zip").write_bytes(bytes(raw))
    (out / "notes.txt").write_text("not a bundle")  # a folder holds other files too

    review = Workspace(tmp_path / "review")
    outcomes = import_bundles(review, [out, ("upload.zip", b"PK\x03\x04 truncated")])
    assert [o.name for o in outcomes] == ["alex.zip", "bo.zip", "cy.zip", "upload.zip"]
    assert [o.imported for o in outcomes] == [True, False, True, False]
    assert str(outcomes[1]).startswith("bo.zip: The bundle") and "not imported" in str(outcomes[1])
    assert review.trainees() == ["alex", "cy"]
    assert [r.attempts for r in roster(review)] == [1, 1]
    wk = Workshop("wk-7", [ATTEMPT["clip_id"]])
    assert [r.in_workshop for r in roster(review, wk)] == [1, 1]  # the code survived the trip
    assert "2 of 4 bundles imported." in summary(outcomes)

    again = import_bundles(review, [out / "alex.zip"])  # a second import adds nothing
    assert again[0].imported and review.workbook("alex").attempts() == \
        Workspace(tmp_path / "laptops").workbook("alex").attempts()
