"""The audio hook calls research.timing's measure_recording once per recording, and says what
is missing without it; the trainee app and the server never import the research packages."""
from __future__ import annotations

import subprocess
import sys
import types

import pytest

from rupture_widgets.errors import ResearchError
from rupture_widgets.research import load_attempts

TIMING = "rupture_widgets.research.timing"


def test_audio_timing_fills_the_vad_columns_from_each_recording(study, monkeypatch):
    measured, broken = [], study.attempts["alex-c3-2"].id

    def measure_recording(path):
        measured.append(path)
        if path.stem == broken:  # one bad recording must not stop the load
            raise ValueError("no audio track")
        return 0.5 + len(measured), 10.0

    fake = types.ModuleType(TIMING)
    fake.measure_recording = measure_recording
    monkeypatch.setitem(sys.modules, TIMING, fake)
    df = load_attempts(study.ws, audio=True).set_index("attempt_id")
    with_recording = [a.id for a in study.attempts.values() if a.recording]
    assert len(measured) == len(with_recording) == 6
    assert all(p.is_file() and p.parent.name == "recordings" for p in measured)
    measurable = [a for a in with_recording if a != broken]
    assert df.loc[measurable, "vad_speaking_s"].eq(10.0).all()
    assert sorted(df.loc[measurable, "vad_latency_s"]) == sorted(
        0.5 + i for i, p in enumerate(measured, 1) if p.stem != broken)
    incomplete = study.attempts["alex-c3-3"].id  # no recording: nothing to measure
    assert df.loc[[incomplete, broken], ["vad_latency_s", "vad_speaking_s"]].isna().all(axis=None)
    assert str(df.vad_latency_s.dtype) == "Float64"


def test_audio_timing_without_the_timing_module_says_so(study, monkeypatch):
    monkeypatch.setitem(sys.modules, TIMING, None)  # as if it were not installed
    with pytest.raises(ResearchError, match="research.timing"):
        load_attempts(study.ws, audio=True)


@pytest.mark.parametrize("module", ["rupture_widgets.apps.practice", "rupture_widgets.server",
                                    "rupture_widgets.research"])
def test_the_trainee_app_and_the_server_import_no_research_dependency(module):
    code = (f"import sys, {module}; "
            "print(sorted(m for m in ('pandas', 'pyarrow', 'tqdm', 'rupture_widgets.research."
            "tables') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"
