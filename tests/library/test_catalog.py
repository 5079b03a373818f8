"""The clip catalog: the shipped library loads, and a broken one is reported in full."""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from _media_fixtures import clip_entry, touch_clip_files, write_catalog
from rupture_widgets.library.catalog import Catalog, Clip, default_clips_dir, load_catalog
from rupture_widgets.errors import CatalogError, UnknownClip
from rupture_widgets.taxonomy import load_taxonomy

REPO_CLIPS = Path(__file__).resolve().parents[2] / "clips"


@pytest.fixture(autouse=True)
def _no_clips_env(monkeypatch):
    monkeypatch.delenv("RUPTURE_CLIPS", raising=False)


def test_the_shipped_catalog_loads_into_typed_records_whose_files_exist():
    tax = load_taxonomy()
    cat = load_catalog()
    assert isinstance(cat, Catalog) and cat.root == REPO_CLIPS
    assert cat.path == REPO_CLIPS / "catalog.json"
    assert len(cat.clips) >= 1 and isinstance(cat.clips, tuple)
    for clip in cat.clips:
        assert isinstance(clip, Clip)
        assert clip.marker in tax.markers and clip.level in tax.level_ids
        assert clip.marker_family == tax.markers[clip.marker].family
        assert 1 <= clip.salience <= 5 and clip.duration_s > 0
        assert clip.persona is cat.personas[clip.persona.id]
        for p in (clip.media_path, clip.captions_path, clip.poster_path):
            assert p.is_absolute() and p.is_file()
        assert clip.context and clip.transcript
        assert all(set(ex.strategies) <= set(tax.strategies) for ex in clip.examples)
        assert cat.get(clip.id) is clip


def test_loading_the_catalog_does_not_import_the_media_library():
    code = ("import sys; from rupture_widgets.library.catalog import load_catalog; load_catalog(); "
            "print(sorted(m for m in ('av', 'PIL', 'numpy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_broken_catalog_names_every_clip_and_field_at_once(tmp_path):
    lib = tmp_path / "clips"
    shutil.copytree(REPO_CLIPS, lib)
    data = json.loads((lib / "catalog.json").read_text())
    good = data["clips"][0]
    bad = {
        ("bad-marker", "marker"): {"marker": "X9"},
        ("missing-file", "media"): {"media": "media/not-there.mp4"},
        ("bad-level", "level"): {"level": "expert"},
        ("bad-salience", "salience"): {"salience": 7},
        ("bad-strategy", "examples[1].strategies"): {
            "examples": [{"text": "Fine.", "strategies": ["S1"]},
                         {"text": "Tell me more.", "strategies": ["S99"]}]},
        ("stranger", "persona"): {"persona": "nobody"},
        ("negative", "duration_s"): {"duration_s": -3},
        ("escapes", "poster"): {"poster": "../../etc/passwd"},
        ("no-caption-file", "captions"): {"captions": "media/missing.vtt"},
    }
    for (cid, _), change in bad.items():
        data["clips"].append({**good, "id": cid, **change})
    untitled = {k: v for k, v in good.items() if k != "title"}
    data["clips"].append({**untitled, "id": "untitled"})
    data["clips"].append(dict(good))  # the same id twice
    (lib / "catalog.json").write_text(json.dumps(data))

    with pytest.raises(CatalogError) as info:
        load_catalog(lib)
    problems = info.value.problems
    expected = [f"{cid}: {field}:" for cid, field in bad] + [
        "untitled: title: missing", f"{good['id']}: id: duplicate"]
    for prefix in expected:
        assert any(p.startswith(prefix) for p in problems), (prefix, problems)
    assert len(problems) == len(expected), problems
    assert str(lib / "catalog.json") in str(info.value) and "X9" in str(info.value)


@pytest.mark.parametrize("text,what", [
    (None, "not found"), ("{not json", "not valid JSON"), ("[1, 2]", "top level"),
    ('{"schema_version": 2, "personas": {}, "clips": []}', "schema_version"),
])
def test_an_unreadable_catalog_file_is_a_catalog_error(tmp_path, text, what):
    if text is not None:
        (tmp_path / "catalog.json").write_text(text)
    with pytest.raises(CatalogError) as info:
        load_catalog(tmp_path)
    assert what in info.value.problems[0]


@pytest.fixture
def small_library(tmp_path):
    specs = [("a-c3", "C3", "beginner"), ("b-w1", "W1", "intermediate"),
             ("c-c1", "C1", "advanced"), ("d-c3", "C3", "advanced")]
    for cid, *_ in specs:
        touch_clip_files(tmp_path, cid)
    write_catalog(tmp_path, [clip_entry(cid, marker=m, level=lv) for cid, m, lv in specs])
    return tmp_path


def test_filter_by_family_marker_and_level(small_library):
    cat = load_catalog(small_library)
    ids = lambda clips: [c.id for c in clips]  # noqa: E731
    assert ids(cat.filter()) == ["a-c3", "b-w1", "c-c1", "d-c3"]
    assert ids(cat.filter(family="W")) == ["b-w1"]
    assert ids(cat.filter(family="C")) == ["a-c3", "c-c1", "d-c3"]
    assert ids(cat.filter(marker="C3")) == ["a-c3", "d-c3"]
    assert ids(cat.filter(level="advanced")) == ["c-c1", "d-c3"]
    assert ids(cat.filter(family="C", marker="C3", level="advanced")) == ["d-c3"]
    assert cat.filter(marker="W7") == []


def test_get_an_unknown_clip_raises_a_readable_key_error(small_library):
    cat = load_catalog(small_library)
    assert cat.get("b-w1").persona.name == "Alex"
    with pytest.raises(UnknownClip, match="no clip 'nope'") as info:
        cat.get("nope")
    assert isinstance(info.value, KeyError)


def test_paths_are_relative_in_the_record_and_absolute_through_properties(small_library):
    clip = load_catalog(small_library).get("a-c3")
    assert clip.media == "media/a-c3.mp4"
    assert clip.media_path == small_library / "media" / "a-c3.mp4"
    assert clip.captions_path.name == "a-c3.vtt" and clip.poster_path.name == "a-c3.jpg"


def test_default_dir_is_the_repo_clips_folder_unless_rupture_clips_is_set(small_library,
                                                                          monkeypatch):
    assert default_clips_dir() == REPO_CLIPS
    monkeypatch.setenv("RUPTURE_CLIPS", str(small_library))
    assert default_clips_dir() == small_library
    assert [c.id for c in load_catalog()][:2] == ["a-c3", "b-w1"]


def test_a_clip_id_ending_in_a_newline_is_refused(tmp_path):
    lib = tmp_path / "clips"
    shutil.copytree(REPO_CLIPS, lib)
    data = json.loads((lib / "catalog.json").read_text())
    data["clips"][0]["id"] += "\n"
    (lib / "catalog.json").write_text(json.dumps(data))
    with pytest.raises(CatalogError) as e:
        load_catalog(lib)
    assert any(p.startswith(repr(data["clips"][0]["id"])) or "id" in p for p in e.value.problems)
    assert len(e.value.problems) == 1


def test_a_catalog_nested_1000_deep_is_reported_not_a_crash(tmp_path):
    lib = tmp_path / "clips"
    shutil.copytree(REPO_CLIPS, lib)
    text = (lib / "catalog.json").read_text().rstrip()
    (lib / "catalog.json").write_text(text[:-1] + ', "x": ' + "[" * 100_000 + "]" * 100_000 + "}")
    with pytest.raises(CatalogError, match="nested too deeply"):
        load_catalog(lib)
