"""The audio hook calls research.timing's measure_recording once per recording, and says what
is missing without it; the trainee app and the server never import the research packages."""
from __future__ import annotations

import subprocess
import sys

import pytest

from rupture_widgets.errors import ResearchError
from rupture_widgets.research import load_attempts
from rupture_widgets.workbook import Workspace

TIMING = "rupture_widgets.research.timing"


def test_audio_timing_fills_the_vad_columns_from_each_recording(tmp_path, caplog):
    """load_attempts(audio=True) on a demo workspace whose answers have speech at known moments
    (research.demo writes them): latency from the cue and speaking time, as generated."""
    from rupture_widgets.research import demo

    result = demo.make_demo(tmp_path / "ws", trainees=2, attempts=4, seed=5)
    truth = {r["attempt_id"]: r for r in result.attempts}
    broken = sorted(truth)[0]  # one damaged recording must not stop the load
    ws = Workspace(tmp_path / "ws")
    path = next(ws.workbook(t).recording_path(broken) for t in ws.trainees()
                if ws.workbook(t).recording_path(broken) is not None)
    path.write_bytes(path.read_bytes()[:200])
    df = load_attempts(ws, audio=True).set_index("attempt_id")
    assert str(df.vad_latency_s.dtype) == "Float64" and len(df) == 8
    assert df.loc[broken, ["vad_latency_s", "vad_speaking_s"]].isna().all()
    assert "Could not measure" in caplog.text
    for aid, t in truth.items():
        if aid == broken:
            continue
        assert df.loc[aid, "vad_latency_s"] == pytest.approx(t["cue_s"] + t["onset_s"], abs=0.1)
        assert df.loc[aid, "vad_speaking_s"] == pytest.approx(t["speaking_s"], rel=0.1)


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
