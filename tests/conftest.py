"""Shared fixtures: fresh workspaces, the shipped clip library, and real WebM media made with PyAV."""
from __future__ import annotations

from pathlib import Path

import pytest

from webm_media import make_webm

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def webm_3s(tmp_path_factory) -> bytes:
    """Three seconds of noisy VP8/Opus WebM, as bytes."""
    return make_webm(tmp_path_factory.mktemp("media") / "answer.webm").read_bytes()


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    """A fresh, empty workspace (also the default for code reading $RUPTURE_WORKSPACE)."""
    from rupture_widgets.workbook import Workspace

    root = tmp_path / "workspace"
    monkeypatch.setenv("RUPTURE_WORKSPACE", str(root))
    return Workspace(root)


@pytest.fixture
def workbook(workspace):
    return workspace.workbook("alex.morgan")


@pytest.fixture(scope="session")
def catalog():
    from rupture_widgets.library.catalog import load_catalog

    return load_catalog(ROOT / "clips")


@pytest.fixture(scope="session")
def playwright_driver():
    """Playwright's sync API, once per session: a second one cannot start while the first
    runs, so the browser tests and the hub tests share this one."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p
