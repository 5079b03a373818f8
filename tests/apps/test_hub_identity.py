"""Under JupyterHub the hub says who is practising or reviewing: no name box, and no name in
the URL, can open anyone else's work, even when the hub user's own workbook cannot be opened
(docs/hub.md). Regression: a hub user whose workbook failed to open was shown the name box, in
which any trainee's name opened that trainee's workbook."""
from __future__ import annotations

from pathlib import Path

import pytest

from rupture_widgets.apps.identity import WhoAreYou, identity_is_fixed
from rupture_widgets.apps.practice import PracticeApp
from rupture_widgets.apps.review import ReviewApp
from rupture_widgets.workbook import Workspace

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    monkeypatch.setenv("RUPTURE_SERVER_ROOT", str(ROOT))
    monkeypatch.delenv("RUPTURE_TRAINEE", raising=False)
    monkeypatch.delenv("RUPTURE_REVIEWER", raising=False)
    monkeypatch.delenv("RUPTURE_EXCHANGE_URL", raising=False)
    ws = Workspace(tmp_path / "workspace")
    ws.workbook("bob").save_draft("note", "bob's own words")  # someone else's workbook
    return ws


def _shows_a_name_box(app) -> bool:
    return any(isinstance(c, WhoAreYou) for c in app.body.children)


def test_identity_is_fixed_only_when_the_hub_says_who_this_is():
    assert identity_is_fixed({"JUPYTERHUB_USER": "alice"})
    assert not identity_is_fixed({"RUPTURE_TRAINEE": "alice"})
    assert not identity_is_fixed({})


def test_on_binder_the_hub_user_is_no_person_and_the_app_asks():
    """BinderHub's hub names every launch with a random user: there the name box must stay
    (docs/decisions.md #34), or a trainee could never come back to their own workbook."""
    assert not identity_is_fixed({"JUPYTERHUB_USER": "jovyan-abc12",
                                  "BINDER_LAUNCH_HOST": "https://mybinder.org/"})
    assert not identity_is_fixed({"JUPYTERHUB_USER": "alice", "RUPTURE_EPHEMERAL": "1"})
    assert identity_is_fixed({"JUPYTERHUB_USER": "alice", "RUPTURE_EPHEMERAL": "0"})


def test_a_hub_user_whose_workbook_cannot_open_gets_no_name_box(workspace, monkeypatch):
    monkeypatch.setenv("JUPYTERHUB_USER", "not/an id")
    app = PracticeApp(workspace=workspace)
    assert app.workbook is None
    assert "role='alert'" in app.notice.value
    assert not _shows_a_name_box(app)
    app._arrived({"trainee": "bob", "view": "library"})  # a URL naming another trainee
    assert app.workbook is None


def test_a_hub_user_practises_as_themselves_whatever_the_url_says(workspace, monkeypatch):
    monkeypatch.setenv("JUPYTERHUB_USER", "alice")
    app = PracticeApp(workspace=workspace)
    app._arrived({"trainee": "bob", "view": "library"})
    assert app.workbook.trainee_id == "alice"
    assert not _shows_a_name_box(app)


def test_the_review_app_under_the_hub_has_no_name_box_either(workspace, monkeypatch):
    monkeypatch.setenv("JUPYTERHUB_USER", "   ")  # set, but no name the exchange can use
    app = ReviewApp(workspace=workspace)
    assert app.reviewer is None and not _shows_a_name_box(app)
    app._arrived({"reviewer": "Dr Sam Rivera", "view": "queue"})
    assert app.reviewer is None
    monkeypatch.setenv("JUPYTERHUB_USER", "instructor")
    app = ReviewApp(workspace=workspace)
    app._arrived({"reviewer": "Dr Sam Rivera", "view": "queue"})
    assert app.reviewer == "instructor"
