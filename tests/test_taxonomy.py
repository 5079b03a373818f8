import json

import pytest

from rupture_widgets.errors import TaxonomyError
from rupture_widgets.taxonomy import DEFAULT_PATH, load_taxonomy


def test_default_taxonomy_has_the_3rs_markers_strategies_fis_and_levels():
    t = load_taxonomy()
    assert sorted(t.markers) == sorted([f"W{i}" for i in range(1, 8)] + [f"C{i}" for i in range(1, 8)])
    assert {m.family for m in t.markers.values()} == {"W", "C"}
    assert sorted(t.strategies) == [f"S{i}" for i in range(1, 10)]
    assert len(t.rubric_items) == 8 and (t.rubric_min, t.rubric_max) == (1, 5)
    assert t.level_ids == ["beginner", "intermediate", "advanced"]
    assert t.roles == ("instructor", "supervisor", "peer")


@pytest.mark.parametrize("current,difficulty,expected", [
    ("intermediate", 9, "beginner"), ("intermediate", 8, "beginner"),
    ("intermediate", 5, None), ("intermediate", 3, "advanced"),
    ("beginner", 10, None), ("advanced", 0, None),
])
def test_level_suggestion_follows_thresholds(current, difficulty, expected):
    assert load_taxonomy().suggest_level(current, difficulty) == expected


def test_programme_can_point_to_its_own_file(tmp_path, monkeypatch):
    data = json.loads(DEFAULT_PATH.read_text())
    data["markers"] = data["markers"][:2]
    data["difficulty"]["move_down_at_or_above"] = 9
    own = tmp_path / "ours.json"
    own.write_text(json.dumps(data))
    monkeypatch.setenv("RUPTURE_TAXONOMY", str(own))
    t = load_taxonomy()
    assert sorted(t.markers) == ["W1", "W2"]
    assert t.suggest_level("intermediate", 8) is None


def test_every_problem_in_a_broken_taxonomy_is_reported(tmp_path):
    data = json.loads(DEFAULT_PATH.read_text())
    data["markers"].append({"id": "W1", "family": "X", "label": "dup"})
    data["strategies"][0].pop("label")
    data["difficulty"]["move_up_at_or_below"] = 9
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    with pytest.raises(TaxonomyError) as e:
        load_taxonomy(bad)
    text = str(e.value)
    assert "duplicate marker id 'W1'" in text
    assert "family 'X'" in text
    assert "strategies[0]: missing 'label'" in text
    assert "move_up_at_or_below" in text
    assert str(bad.resolve()) in text


def test_unreadable_taxonomy_names_the_file(tmp_path):
    bad = tmp_path / "t.json"
    bad.write_text("{not json")
    with pytest.raises(TaxonomyError, match="not valid JSON"):
        load_taxonomy(bad)
    with pytest.raises(TaxonomyError, match="file not found"):
        load_taxonomy(tmp_path / "missing.json")
