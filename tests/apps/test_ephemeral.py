"""A throw-away server (Binder, or RUPTURE_EPHEMERAL=1): known from the environment, said at
the top of the practice app with Download / Restore, the name asked instead of Binder's random
hub user; and nothing of it on a server that keeps its files."""
from __future__ import annotations

from pathlib import Path

import pytest

from rupture_widgets.apps.ephemeral import EphemeralServer, ephemeral_server
from rupture_widgets.apps.identity import reviewer_from_environment, trainee_from_environment
from rupture_widgets.apps.practice import PracticeApp
from rupture_widgets.errors import ServerSettingError
from rupture_widgets.widgets.file_transfer import FileDownload, FileUpload
from rupture_widgets.widgets.leave_guard import LeaveGuard

ROOT = Path(__file__).resolve().parents[2]
#: what BinderHub's spawner put in a mybinder.org server's environment (its get_env)
BINDER = {"BINDER_LAUNCH_HOST": "https://mybinder.org/",
          "BINDER_REPO_URL": "https://github.com/example/rupture-widgets",
          "BINDER_REF_URL": "https://github.com/example/rupture-widgets/tree/main",
          "BINDER_REQUEST": "v2/gh/example/rupture-widgets/main",
          "BINDER_PERSISTENT_REQUEST": "v2/gh/example/rupture-widgets/0634891",
          "JUPYTERHUB_USER": "example-rupture-widgets-x1y2z3ab"}


@pytest.mark.parametrize("name", ["BINDER_LAUNCH_HOST", "BINDER_REQUEST", "BINDER_REPO_URL",
                                  "BINDER_REF_URL", "BINDER_PERSISTENT_REQUEST"])
def test_any_binder_launch_variable_means_a_server_idle_for_10_minutes_is_gone(name):
    server = ephemeral_server({name: BINDER[name]})
    assert server == EphemeralServer(idle_minutes=10, binder=True)
    assert server.notice() == (
        "This is a temporary server: it stops after about 10 minutes without use and keeps "
        "nothing. Download your work before you leave, and restore it next time.")


def test_a_host_that_says_so_is_ephemeral_with_its_own_idle_limit_or_none():
    assert ephemeral_server({"RUPTURE_EPHEMERAL": "1"}) == EphemeralServer(None, False)
    assert "may stop when it is not in use" in ephemeral_server(
        {"RUPTURE_EPHEMERAL": "yes"}).notice()
    server = ephemeral_server({"RUPTURE_EPHEMERAL": "1", "RUPTURE_IDLE_MINUTES": "30"})
    assert server.idle_minutes == 30 and "about 30 minutes without use" in server.notice()
    assert "about 1 minute without" in EphemeralServer(1, False).notice()
    assert ephemeral_server({**BINDER, "RUPTURE_IDLE_MINUTES": "45"}).idle_minutes == 45


def test_a_server_that_keeps_its_files_is_not_ephemeral():
    assert ephemeral_server({}) is None
    assert ephemeral_server({"JUPYTERHUB_USER": "alex", "RUPTURE_TRAINEE": "alex"}) is None
    assert ephemeral_server({"RUPTURE_EPHEMERAL": "0"}) is None
    assert ephemeral_server({**BINDER, "RUPTURE_EPHEMERAL": "0"}) is None  # a Binder with storage
    assert ephemeral_server({"BINDER_REQUEST": ""}) is None


@pytest.mark.parametrize("env,name", [({"RUPTURE_EPHEMERAL": "maybe"}, "RUPTURE_EPHEMERAL"),
                                      ({**BINDER, "RUPTURE_IDLE_MINUTES": "ten"},
                                       "RUPTURE_IDLE_MINUTES"),
                                      ({"RUPTURE_EPHEMERAL": "1", "RUPTURE_IDLE_MINUTES": "0"},
                                       "RUPTURE_IDLE_MINUTES")])
def test_a_setting_that_cannot_be_read_is_named_for_whoever_runs_the_server(env, name):
    with pytest.raises(ServerSettingError, match=name) as e:
        ephemeral_server(env)
    assert "Whoever runs this server" in str(e.value)


def test_on_binder_the_random_hub_user_is_not_taken_for_the_trainee():
    assert trainee_from_environment(BINDER) is None  # the app asks for the name
    assert reviewer_from_environment(BINDER) is None
    assert trainee_from_environment({**BINDER, "RUPTURE_TRAINEE": "alex"}) == "alex"
    assert trainee_from_environment({"RUPTURE_EPHEMERAL": "1", "JUPYTERHUB_USER": "u1"}) is None
    assert trainee_from_environment({"RUPTURE_EPHEMERAL": "?", "JUPYTERHUB_USER": "u1"}) is None
    # a hub that keeps its servers (or says so) still names the person
    assert trainee_from_environment({"JUPYTERHUB_USER": "alex.morgan"}) == "alex.morgan"
    assert trainee_from_environment({**BINDER, "RUPTURE_EPHEMERAL": "0"}) == BINDER[
        "JUPYTERHUB_USER"]


def _app(monkeypatch, workspace, catalog, env: dict):
    for name in ("JUPYTERHUB_USER", "RUPTURE_TRAINEE", "RUPTURE_EPHEMERAL",
                 "RUPTURE_IDLE_MINUTES", *BINDER):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("RUPTURE_SERVER_ROOT", str(ROOT))
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    return PracticeApp(workspace=workspace, catalog=catalog)


def _widgets(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _widgets(child)


def test_on_binder_the_app_asks_the_name_and_the_same_name_opens_the_same_workbook(
        monkeypatch, workspace, catalog):
    app = _app(monkeypatch, workspace, catalog, BINDER)
    assert app.view == "who" and app.workbook is None
    assert "Type the name you used last time" in app.gate.children[0].value
    app.gate.name.value = "Robin Lee"
    app.gate.submit()
    assert app.workbook.trainee_id == "robin.lee"
    again = _app(monkeypatch, workspace, catalog, {**BINDER, "JUPYTERHUB_USER": "another-x9"})
    again.gate.name.value = "Robin Lee"
    again.gate.submit()
    assert again.workbook.trainee_id == "robin.lee"
    assert workspace.trainees() == ["robin.lee"]  # no workbook for the hub's random users


def test_the_bar_is_at_the_top_of_every_view_on_an_ephemeral_server(monkeypatch, workspace,
                                                                     catalog):
    app = _app(monkeypatch, workspace, catalog, {"RUPTURE_EPHEMERAL": "1",
                                                 "RUPTURE_IDLE_MINUTES": "10"})
    bar = app.work_bar
    assert list(app.children[1:4]) == [bar.notice, bar, bar.status]  # above the header
    assert "stops after about 10 minutes without use and keeps nothing" in bar.notice.value
    assert bar.download.label == "Download my work" and bar.restore.label == "Restore my work"
    assert bar.download.disabled and bar.restore.disabled  # nobody's work yet: the name first
    assert bar.layout.display == "none"
    app.gate.name.value = "Robin Lee"
    app.gate.submit()
    assert not bar.download.disabled and not bar.restore.disabled and bar.layout.display is None
    for show in (app.show_progress, lambda: app.practise(catalog.clips[0]), app.show_library):
        show()
        assert list(app.children[1:4]) == [bar.notice, bar, bar.status], app.view
    assert bar.restore.accept == ".zip,application/zip"


def test_an_unreadable_setting_still_shows_the_bar_and_says_what_is_wrong(monkeypatch,
                                                                          workspace, catalog):
    app = _app(monkeypatch, workspace, catalog, {"RUPTURE_EPHEMERAL": "1",
                                                 "RUPTURE_IDLE_MINUTES": "<b>ten</b>"})
    assert "RUPTURE_IDLE_MINUTES=&#x27;&lt;b&gt;ten&lt;/b&gt;&#x27;" in app.work_bar.notice.value
    assert "<b>" not in app.work_bar.notice.value


def test_off_an_ephemeral_server_there_is_no_bar_and_no_reminder(monkeypatch, workspace,
                                                                 catalog):
    app = _app(monkeypatch, workspace, catalog, {"JUPYTERHUB_USER": "alex.morgan"})
    assert app.work_bar is None and app.workbook.trainee_id == "alex.morgan"
    kinds = {type(x) for x in _widgets(app)}
    assert not kinds & {FileDownload, FileUpload, LeaveGuard}
    local = _app(monkeypatch, workspace, catalog, {})
    assert local.work_bar is None
    assert local.gate.children[0].value.endswith("use the same name each time.</p>")
