"""The research tests share one study workspace (made once: it records real WebM answers)."""
from __future__ import annotations

import shutil

import pytest

from _study import make_study
from _workbook_fixtures import chunked_webm


@pytest.fixture(scope="session")
def _study_template(tmp_path_factory):
    answer = chunked_webm(tmp_path_factory.mktemp("answer") / "a.webm", seconds=1.0)
    return make_study(tmp_path_factory.mktemp("study") / "workspace", answer)


@pytest.fixture
def study(_study_template, tmp_path):
    """A private copy of the study, so a test may change or export it freely."""
    from rupture_widgets.workbook import Workspace

    root = tmp_path / "workspace"
    shutil.copytree(_study_template.ws.root, root)
    return type(_study_template)(**{**_study_template.__dict__, "ws": Workspace(root)})
