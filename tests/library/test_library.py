"""The shipped clip library covers what a training programme needs, measured from the files.

Every marker W1-W7 and C1-C7 at every level, at least two clips in each of the 42 cells by two
different personas; personas that vary in gender, age and skin tone within each level, every clip 10-40 s and at most 1 MB, two example responses with
strategies, and the script of every synthesised clip committed beside the library.
"""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from rupture_widgets.library.catalog import load_catalog
from rupture_widgets.library.check import check_library
from rupture_widgets.taxonomy import load_taxonomy

CLIPS = Path(__file__).resolve().parents[2] / "clips"
MAX_BYTES = 1_000_000


@pytest.fixture(scope="module")
def library():
    return load_catalog(CLIPS)


@pytest.fixture(scope="module")
def clips(library):
    # the synthesised library; `rupture clips add` may put other footage beside it
    return [c for c in library if (CLIPS / "scripts" / f"{c.id}.json").exists()]


def test_there_are_at_least_84_clips(clips):
    assert len(clips) >= 84


def test_every_marker_at_every_level_has_two_clips_by_different_personas(library):
    """The deliberate-practice loop moves a trainee a level down or up on the same marker: the
    next level must exist. Counted from the catalog, and each clip's files must be there."""
    tax = load_taxonomy()
    cells: dict[tuple[str, str], list] = {(m, lv): [] for m in tax.markers for lv in tax.level_ids}
    for c in library:
        if c.media_path.is_file() and c.captions_path.is_file() and c.poster_path.is_file():
            cells[(c.marker, c.level)].append(c)
    thin = {f"{m} {lv}": [c.id for c in cs] for (m, lv), cs in cells.items()
            if len({c.persona.id for c in cs}) < 2}
    assert len(cells) == 42 and not thin, f"cells without two clips by two personas: {thin}"


def test_every_marker_appears(clips):
    markers = Counter(c.marker for c in clips)
    missing = [m for m in load_taxonomy().markers if not markers[m]]
    assert not missing, f"no clip for markers {missing}"
    assert set(markers) <= {f"W{i}" for i in range(1, 8)} | {f"C{i}" for i in range(1, 8)}


def test_each_level_has_at_least_five_clips(clips):
    levels = Counter(c.level for c in clips)
    for level in load_taxonomy().level_ids:
        assert levels[level] >= 5, f"{level}: {levels[level]} clips"


def test_difficulty_rises_through_salience_and_target(clips):
    beginner = [c for c in clips if c.level == "beginner"]
    advanced = [c for c in clips if c.level == "advanced"]
    assert all(c.salience >= 4 for c in beginner), "beginner markers are explicit (3RS 4-5)"
    # advanced: aimed at the therapist, or subtle withdrawal that is easy to miss
    assert any(c.marker == "C1" for c in advanced)
    assert any(c.salience <= 3 and c.marker.startswith("W") for c in advanced)


@pytest.mark.parametrize("level", ["beginner", "intermediate", "advanced"])
def test_personas_vary_in_gender_age_skin_tone_and_setting_at_every_level(clips, level):
    at_level = [c for c in clips if c.level == level]
    personas = {c.persona.id: c.persona for c in at_level}
    assert len(personas) >= 10, sorted(personas)
    assert len({p.gender for p in personas.values()}) == 3
    assert len({p.skin_tone for p in personas.values()}) >= 5
    ages = [p.age for p in personas.values()]
    assert min(ages) <= 25 and max(ages) >= 65, ages
    rooms = {json.loads((CLIPS / "scripts" / "personas" / f"{p}.json").read_text())["room"]
             for p in personas}
    assert len(rooms) >= 4, rooms


def test_every_clip_has_two_examples_with_strategies_and_the_text_around_it(clips):
    strategies = set(load_taxonomy().strategies)
    for c in clips:
        assert len(c.examples) >= 2, c.id
        for ex in c.examples:
            assert ex.text.strip() and ex.strategies and set(ex.strategies) <= strategies, c.id
        assert c.context.startswith("Session"), c.id
        assert c.transcript.strip() and c.title.strip(), c.id


def test_every_clip_file_is_small_and_10_to_40_seconds_long(clips):
    import av

    for c in clips:
        size = c.media_path.stat().st_size
        assert size <= MAX_BYTES, f"{c.id}: {size} bytes"
        with av.open(str(c.media_path)) as container:
            seconds = container.duration / av.time_base
            video = container.streams.video[0]
            frames = sum(1 for _ in container.decode(video))
            fps = float(video.average_rate)
        assert 10 <= seconds <= 40, f"{c.id}: {seconds:.2f} s"
        assert abs(frames / fps - seconds) < 0.5, f"{c.id}: {frames} frames at {fps} fps"
        assert abs(c.duration_s - seconds) < 0.1, c.id
        assert c.captions_path.read_text(encoding="utf-8").startswith("WEBVTT"), c.id
        assert c.poster_path.stat().st_size > 1000, c.id


def test_the_shipped_library_passes_the_check(library):
    assert check_library(CLIPS) == []


def test_every_synthesised_clip_matches_its_committed_script(library, clips):
    from rupture_widgets.authoring.script import load_script

    scripts = {p.stem for p in (CLIPS / "scripts").glob("*.json")}
    unbuilt = scripts - {c.id for c in library}
    assert not unbuilt, f"scripts without a clip in the catalog: {sorted(unbuilt)}"
    for c in clips:
        s = load_script(CLIPS / "scripts" / f"{c.id}.json")
        assert (s.marker, s.level, s.salience, s.context, s.title, s.transcript) == (
            c.marker, c.level, c.salience, c.context, c.title, c.transcript), c.id
        assert [(e.text, e.strategies) for e in s.examples] == [
            (e.text, e.strategies) for e in c.examples], c.id
        assert s.trainer_note == c.trainer_note, c.id
        assert s.persona.catalog_entry() == {
            "name": c.persona.name, "age": c.persona.age, "gender": c.persona.gender,
            "skin_tone": c.persona.skin_tone, "description": c.persona.description}, c.id


def test_catalog_entries_point_back_to_their_scripts():
    data = json.loads((CLIPS / "catalog.json").read_text(encoding="utf-8"))
    for entry in data["clips"]:
        if "script" in entry:
            assert (CLIPS / entry["script"]).is_file(), entry["id"]
