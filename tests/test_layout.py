"""The layout explains the architecture (docs/decisions.md #13): these checks keep it that way."""
from __future__ import annotations

import importlib
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "rupture_widgets"
MAX_LINES = 400  # "a few hundred lines": above this a module is doing two jobs


@pytest.mark.parametrize("name", ["Workspace", "Workbook", "Attempt", "Feedback", "ClipPlayer",
                                  "Recorder", "load_catalog", "Catalog", "Clip", "load_taxonomy"])
def test_the_public_names_import_from_the_package(name):
    import rupture_widgets
    assert getattr(rupture_widgets, name).__name__ == name


def test_the_workbook_names_documented_in_architecture_md_import():
    import rupture_widgets.workbook as wb
    for name in wb.__all__:
        assert getattr(wb, name) is not None, name
    assert wb.Workspace is importlib.import_module("rupture_widgets").Workspace


def test_importing_the_package_imports_no_part_of_it():
    code = ("import sys, rupture_widgets; "
            "print(sorted(m for m in sys.modules if m.startswith('rupture_widgets.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def _modules():
    return sorted(p for p in PACKAGE.rglob("*") if p.suffix in (".py", ".js", ".css")
                  and "__pycache__" not in p.parts)


def test_no_module_is_over_400_lines():
    long = {p.relative_to(ROOT).as_posix(): n for p in _modules()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long


#: Every file name in a trainee's folder; only workbook/paths.py may spell one.
TRAINEE_FILE_NAMES = ["workbook.ipynb", "workbook.journal.jsonl", "workbook.ipynb.lock",
                      ".part.webm", ".part.json", ".finalising"]


@pytest.mark.parametrize("name", TRAINEE_FILE_NAMES)
def test_each_trainee_folder_file_name_is_spelled_in_exactly_one_module(name):
    where = [p.relative_to(PACKAGE).as_posix() for p in _modules()
             if name in p.read_text(encoding="utf-8")]
    assert where == ["workbook/paths.py"]


def test_nothing_in_the_repository_points_outside_it():
    pattern = re.compile(r"DESIGN\.md|RECIPES\.md|REFERENCES\.md|DOMAIN\.md|STYLE\.md|\.\./shared")
    files = [p for d in ("rupture_widgets", "tests", "bench", "docs", "notebooks", "binder")
             for p in (ROOT / d).rglob("*") if p.is_file() and p.suffix in (
                 ".py", ".js", ".md", ".json", ".ipynb", ".txt", ".css", "")]
    files += [ROOT / "README.md", ROOT / "Makefile", ROOT / "pyproject.toml", ROOT / ".ci" / "run"]
    hits = [f"{p.relative_to(ROOT)}:{i}" for p in files if p != Path(__file__).resolve()
            for i, line in enumerate(p.read_text(encoding="utf-8", errors="replace")
                                     .splitlines(), 1) if pattern.search(line)]
    assert not hits


def test_every_decision_the_code_cites_is_recorded():
    recorded = set(re.findall(r"^## (\d+)\. ", (ROOT / "docs" / "decisions.md")
                              .read_text(encoding="utf-8"), re.M))
    cited = {n for p in _modules() for n in re.findall(r"decisions\.md #(\d+)(?:, #(\d+))?",
                                                       p.read_text(encoding="utf-8"))
             for n in n if n}
    assert cited and cited <= recorded, cited - recorded


def test_the_architecture_page_names_every_package_and_module():
    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    missing = [p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*.py")
               if p.name != "__init__.py" and "__pycache__" not in p.parts
               and p.name not in page]
    assert not missing
