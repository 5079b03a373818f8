"""The facilitator's widgets driven from Python: order, links, a problem, an upload."""
from __future__ import annotations

from datetime import datetime, timezone

from rupture_widgets.workshop import practice_target
from rupture_widgets.workshop.facilitator import FacilitatorApp

CLIPS = ["w1-intermediate-maya", "c3-beginner-maya", "c1-beginner-kwame"]


def test_clips_are_chosen_by_marker_and_level_and_ordered(workspace, catalog):
    app = FacilitatorApp(workspace, catalog)
    chooser = app.chooser
    chooser.marker.value, chooser.level.value = "C3", "beginner"
    assert {c.marker for c in catalog.clips if c.id in dict(
        (v, k) for k, v in chooser.available.options)} == {"C3"}
    assert all(catalog.get(v).level == "beginner" for _, v in chooser.available.options)
    chooser.add(CLIPS)
    chooser.order.value = CLIPS[2]
    chooser._move(-1)
    chooser._move(-1)
    chooser._move(-1)  # already first: stays
    assert chooser.chosen == [CLIPS[2], CLIPS[0], CLIPS[1]]
    chooser.order.value = CLIPS[0]
    chooser._remove()
    assert chooser.chosen == [CLIPS[2], CLIPS[1]]
    app.code.value, app.repo.value = "wk-3", "jane/rw"
    app.make_links()
    assert practice_target(app.binder_out.value).clips == (CLIPS[2], CLIPS[1])
    assert app.hub_out.value == ""  # no hub given: no hub link

    app.code.value = "bad code"  # a problem clears the links it made before
    app.make_links()
    assert "cannot be a workshop code" in app.problem.value and app.binder_out.value == ""


def test_an_upload_that_is_not_a_bundle_is_named(workspace, catalog):
    app = FacilitatorApp(workspace, catalog)
    app.upload.value = ({"name": "alex.zip", "type": "application/zip", "size": 3,
                         "content": memoryview(b"not a zip"),
                         "last_modified": datetime.now(timezone.utc)},)
    app.import_now()
    assert "0 of 1 bundle imported." in app.import_out.value
    assert "alex.zip: " in app.import_out.value and "not imported" in app.import_out.value
    app.bundles.value = str(workspace.root / "missing")
    app.import_now()
    assert "There is no folder" in app.import_out.value
