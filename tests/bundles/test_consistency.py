"""An export taken while the app writes is consistent, and one taken while JupyterLab saves the
notebook in place (truncate, then write) still carries a readable notebook."""
from __future__ import annotations

import io
import threading
import time
import zipfile

from _bundle_fixtures import TRAINEE
from _workbook_fixtures import recorded_attempt
from rupture_widgets.bundles import export_bundle, import_bundle
from rupture_widgets.storage import parse_json
from rupture_widgets.workbook import Workspace


def test_exports_while_attempts_are_logged_hold_every_recording_they_name(practised, tmp_path,
                                                                          answers):
    ws, wb, ids, _ = practised
    stop = threading.Event()
    errors, logged = [], []

    def practise_on():
        try:
            while not stop.is_set():
                logged.append(recorded_attempt(wb, answers[0], pieces=4).id)
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    writer = threading.Thread(target=practise_on)
    writer.start()
    bundles = []
    try:  # until a few attempts were logged while exporting (however busy the machine is)
        deadline = time.monotonic() + 120
        while (len(logged) < 4 or len(bundles) < 3) and time.monotonic() < deadline:
            out = io.BytesIO()
            export_bundle(ws, out, trainee=TRAINEE)
            bundles.append(out.getvalue())
    finally:
        stop.set()
        writer.join()
    assert not errors and len(bundles) >= 3
    counts = []
    step = max(1, len(bundles) // 10)  # ten or so of them, the first and the last included
    for n, data in enumerate([*bundles[:-1:step], bundles[-1]]):
        fresh = Workspace(tmp_path / f"fresh-{n}")
        report = import_bundle(fresh, data)
        restored = fresh.workbook(TRAINEE)
        attempts = restored.attempts()
        assert report.attempts_added == len(attempts)
        assert all(restored.recording_path(a.id) is not None for a in attempts), n
        counts.append(len(attempts))
    assert counts[-1] > counts[0]  # the exports really were taken while work was logged


def test_an_export_during_an_in_place_save_waits_for_a_readable_notebook(practised, tmp_path):
    ws, wb, ids, _ = practised
    text = wb.path.read_bytes()
    stop = threading.Event()

    def jupyterlab_saving():  # jupyter_server rewrites the file in place: truncate, write
        while not stop.is_set():  # a slow save (50 ms half-written) every 100 ms
            with open(wb.path, "wb") as f:
                f.write(text[: len(text) // 2])
                f.flush()
                time.sleep(0.05)
                f.write(text[len(text) // 2:])
            time.sleep(0.05)

    saver = threading.Thread(target=jupyterlab_saving)
    saver.start()
    try:
        bundles = []
        for _ in range(15):
            out = io.BytesIO()
            export_bundle(ws, out, trainee=TRAINEE)
            bundles.append(out.getvalue())
    finally:
        stop.set()
        saver.join()
    for n, data in enumerate(bundles):
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            parse_json(zf.read(f"trainees/{TRAINEE}/{wb.path.name}"))  # never half a file
        assert import_bundle(Workspace(tmp_path / f"fresh-{n}"), data).attempts_added == 2


def test_a_notebook_that_stays_unreadable_is_left_out_and_the_journal_restores_it(practised,
                                                                                   tmp_path):
    ws, wb, ids, _ = practised
    wb.path.write_text('{"cells": [')  # a broken save, never finished
    out = io.BytesIO()
    manifest = export_bundle(ws, out, trainee=TRAINEE)
    assert f"trainees/{TRAINEE}/{wb.path.name}" not in [f.path for f in manifest.files]
    fresh = Workspace(tmp_path / "fresh")
    assert import_bundle(fresh, out.getvalue()).attempts_added == 2
    assert {a.id for a in fresh.workbook(TRAINEE).attempts()} == set(ids)


def test_an_import_while_the_trainee_practises_loses_nothing_of_either(practised, tmp_path,
                                                                      answers):
    """Restore my work, clicked while an answer is being logged on the new server."""
    ws, wb, ids, _ = practised
    data = io.BytesIO()
    export_bundle(ws, data, trainee=TRAINEE)
    server2 = Workspace(tmp_path / "server-2")
    here = server2.workbook(TRAINEE)
    logged, errors = [], []

    def practise_on():
        try:
            for _ in range(6):
                logged.append(recorded_attempt(here, answers[0], pieces=3).id)
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    writer = threading.Thread(target=practise_on)
    writer.start()
    report = import_bundle(server2, data.getvalue())
    writer.join()
    assert not errors and report.attempts_added == 2
    assert {a.id for a in server2.workbook(TRAINEE).attempts()} == {*ids, *logged}
    assert {a.id for a in Workspace(server2.root).workbook(TRAINEE).attempts()} == \
        {*ids, *logged}  # on disk, as another process would read it
