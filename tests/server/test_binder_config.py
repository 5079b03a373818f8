"""binder/jupyter_server_config.json is made from notebooks/voila.json and cannot drift from it;
every setting of voila.json is either carried over or named as `rupture serve`'s own. What each
carried setting does on a real server is proven in tests/browser/test_binder.py."""
from __future__ import annotations

import json

import pytest

from rupture_widgets.server import binder_config as bc


def _leaves(config: dict, prefix=()):
    for key, value in config.items():
        if isinstance(value, dict) and key != "headers":  # the headers are one setting
            yield from _leaves(value, prefix + (key,))
        else:
            yield prefix + (key,)


def uncovered(voila: dict) -> set:
    """Settings of ``voila`` neither carried over by binder_config nor in NOT_CARRIED."""
    carried = {("VoilaConfiguration", k) for k in bc.VOILA_KEYS}
    carried |= {("Voila", "tornado_settings", k) for k in bc.TORNADO_KEYS}
    carried |= {("MappingKernelManager", k) for k in voila["MappingKernelManager"]}
    assert carried & set(bc.NOT_CARRIED) == set()
    return set(_leaves(voila)) - carried - set(bc.NOT_CARRIED)


def test_the_shipped_binder_config_is_the_one_made_from_voila_json():
    assert bc.BINDER_CONFIG.read_text(encoding="utf-8") == bc.rendered(), (
        "binder/jupyter_server_config.json differs from notebooks/voila.json: run "
        "`python -m rupture_widgets.server.binder_config`")


def test_every_setting_of_voila_json_is_carried_over_or_named_as_rupture_serves():
    assert uncovered(json.loads(bc.CONFIG.read_text(encoding="utf-8"))) == set()


def test_a_new_setting_in_voila_json_is_noticed():
    voila = json.loads(bc.CONFIG.read_text(encoding="utf-8"))
    voila["Voila"]["tornado_settings"]["new_setting"] = 1
    voila["VoilaConfiguration"]["another"] = True
    assert uncovered(voila) == {("Voila", "tornado_settings", "new_setting"),
                                ("VoilaConfiguration", "another")}


def test_the_carried_values_are_voila_jsons():
    voila = json.loads(bc.CONFIG.read_text(encoding="utf-8"))
    config = bc.binder_config(voila)
    assert config["ServerApp"]["tornado_settings"]["websocket_max_message_size"] == (
        voila["Voila"]["tornado_settings"]["websocket_max_message_size"])
    assert config["VoilaConfiguration"]["file_allowlist"] == (
        voila["VoilaConfiguration"]["file_allowlist"])
    assert config["MappingKernelManager"] == voila["MappingKernelManager"]
    assert config["ServerApp"]["jpserver_extensions"] == {bc.EXTENSION: True}


def test_a_hubs_settings_name_the_folder_the_repository_is_pulled_into():
    import re

    voila = json.loads(bc.CONFIG.read_text(encoding="utf-8"))
    [pattern] = bc.binder_config(voila, "rupture-widgets")["VoilaConfiguration"]["file_allowlist"]
    assert re.fullmatch(pattern, "rupture-widgets/clips/media/c3-beginner-maya.mp4")
    assert not re.fullmatch(pattern, "clips/media/c3-beginner-maya.mp4")
    assert not re.fullmatch(pattern, "rupture-widgetsXclips/media/c3-beginner-maya.mp4")
    assert bc.binder_config(voila, "rupture-widgets")["ServerApp"] == (
        bc.binder_config(voila)["ServerApp"])


@pytest.mark.parametrize("folder", ["../elsewhere", "a/b", ".hidden", "/home/x"])
def test_a_hub_folder_that_is_not_one_folder_name_is_refused(folder, capsys):
    with pytest.raises(SystemExit):
        bc.main(["--hub-folder", folder])
    assert "give the folder name only" in capsys.readouterr().err
