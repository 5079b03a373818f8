"""notebooks/analysis.ipynb, executed headless by nbclient on a demo workspace: it runs, every
figure is drawn, and it holds no logic of its own (every cell is a call into research)."""
from __future__ import annotations

from pathlib import Path

import nbformat
from nbclient import NotebookClient

from rupture_widgets.research import demo

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "analysis.ipynb"
FIGURES = 5  # practice volume, two learning curves, difficulty over time, timing vs scores


def test_the_analysis_notebook_runs_on_demo_data_and_draws_every_figure(tmp_path, monkeypatch):
    demo.make_demo(tmp_path / "ws", trainees=4, attempts=8, seed=11)
    monkeypatch.setenv("RUPTURE_WORKSPACE", str(tmp_path / "ws"))
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    figures = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(figures) == FIGURES
    text = "".join(o.get("text", "") for o in outputs)
    assert "ICC" in text and "alpha" in text  # the plain-language reading of the agreement
    html = "".join(o.get("data", {}).get("text/html", "") for o in outputs)
    assert "bias" in html  # the calibration report against the expert panel


def test_the_notebook_is_stripped_and_holds_no_logic():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code)
    for c in code:  # calls and names only: no loops over data, no function definitions
        assert "def " not in c.source and "lambda" not in c.source, c.source
