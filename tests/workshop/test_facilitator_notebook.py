"""notebooks/facilitator.ipynb executed headless by nbclient on demo bundles: its links decode to
the practice notebook with the workshop's clips in order, its roster lists every trainee."""
from __future__ import annotations

import html
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from rupture_widgets.workshop import practice_target

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "facilitator.ipynb"
CLIPS = ["w1-intermediate-maya", "c3-beginner-maya", "c1-beginner-kwame"]


def test_the_notebook_is_thin_and_stripped():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code)
    assert sum(len(c.source.splitlines()) for c in code) <= 20
    assert "parameters" in code[0].metadata.get("tags", [])


def run(monkeypatch, **env) -> list[dict]:
    """Execute the notebook with ``env``; the widgets' state as it was at the end."""
    for name in ("RUPTURE_WORKSPACE", "RUPTURE_WORKSHOP_CLIPS", "RUPTURE_WORKSHOP_CODE",
                 "RUPTURE_WORKSHOP_TITLE", "RUPTURE_BINDER_REPO", "RUPTURE_JUPYTERHUB",
                 "RUPTURE_BUNDLES"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, str(value))
    monkeypatch.setenv("RUPTURE_SERVER_ROOT", str(ROOT))
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", store_widget_state=True,
                   resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"], outputs
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outputs)
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    return [m["state"] for m in state.values()]


def values(states, prefix: str) -> list[str]:
    return [s["value"] for s in states
            if isinstance(s.get("value"), str) and s["value"].startswith(prefix)]


def test_the_notebook_makes_links_that_open_the_workshop(tmp_path, monkeypatch):
    states = run(monkeypatch, RUPTURE_WORKSPACE=tmp_path / "review",
                 RUPTURE_WORKSHOP_CLIPS=",".join(CLIPS), RUPTURE_WORKSHOP_CODE="spring-26",
                 RUPTURE_WORKSHOP_TITLE="Spring <workshop>", RUPTURE_BINDER_REPO="jane/rw",
                 RUPTURE_JUPYTERHUB="https://hub.example.org")
    [binder] = values(states, "https://mybinder.org/v2/gh/jane/rw/main?urlpath=")
    [hub] = values(states, "https://hub.example.org/hub/user-redirect/git-pull?")
    for link, notebook in ((binder, "notebooks/practice.ipynb"),
                           (hub, "rw/notebooks/practice.ipynb")):
        target = practice_target(link)
        assert target.notebook == notebook and target.workshop == "spring-26"
        assert list(target.clips) == CLIPS and target.title == "Spring <workshop>"
    [roster] = values(states, "<p>No trainee")  # nothing imported into the new workspace yet
    assert roster


def test_a_bad_code_is_explained_not_a_traceback(tmp_path, monkeypatch):
    states = run(monkeypatch, RUPTURE_WORKSPACE=tmp_path / "review",
                 RUPTURE_WORKSHOP_CLIPS="c3-beginner-maya,no-such-clip",
                 RUPTURE_WORKSHOP_CODE="spring-26")
    [problem] = values(states, "<p role='alert'>")
    assert "no-such-clip" in problem and not values(states, "https://mybinder.org/v2/")


@pytest.fixture(scope="module")
def demo_bundles(tmp_path_factory):
    """A demo workspace exported as one bundle per trainee, plus one corrupt bundle."""
    from rupture_widgets import bundles
    from rupture_widgets.research import demo
    from rupture_widgets.workbook import Workspace

    base = tmp_path_factory.mktemp("demo")
    demo.make_demo(base / "ws", trainees=3, attempts=4, seed=5)
    ws = Workspace(base / "ws")
    out = base / "bundles"
    out.mkdir()
    names = {}
    for trainee in ws.trainees():
        bundles.export_bundle(ws, out / f"{trainee}.zip", trainee=trainee)
        names[trainee] = ws.workbook(trainee).display_name
    broken = bytearray((out / f"{ws.trainees()[0]}.zip").read_bytes())
    broken[len(broken) // 2] ^= 0xFF
    (out / "zz-broken.zip").write_bytes(bytes(broken))
    return out, names


def test_the_notebook_imports_demo_bundles_and_lists_every_trainee(tmp_path, monkeypatch,
                                                                   demo_bundles):
    folder, names = demo_bundles
    states = run(monkeypatch, RUPTURE_WORKSPACE=tmp_path / "review", RUPTURE_BUNDLES=folder,
                 RUPTURE_WORKSHOP_CLIPS=",".join(CLIPS), RUPTURE_WORKSHOP_CODE="spring-26")
    assert practice_target(values(states, "https://mybinder.org/v2/")[0]).clips == tuple(CLIPS)
    [report] = values(states, "<pre role='status'")
    report = html.unescape(report)
    assert report.split(">", 1)[1].startswith(f"{len(names)} of {len(names) + 1} bundles imported")
    assert "zz-broken.zip: The bundle" in report and "was not imported" in report
    [table] = values(states, "<table class='rw-roster'>")
    assert table.count("<tr>") == len(names) + 1
    for trainee, name in names.items():
        assert html.escape(name) in table, trainee
