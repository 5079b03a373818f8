"""docs/clips.md shows every clip's poster by marker and level, generated from the catalog, so
the committed sheet can never drift from the library (docs/make_contact_sheet.py)."""
from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _sheet_module():
    spec = importlib.util.spec_from_file_location("make_contact_sheet",
                                                  ROOT / "docs" / "make_contact_sheet.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


sheet = _sheet_module()


def _committed() -> str:
    text = (ROOT / "docs" / "clips.md").read_text(encoding="utf-8")
    return text.split(sheet.START, 1)[1].split(sheet.END, 1)[0].strip("\n")


def test_the_committed_contact_sheet_is_what_the_catalog_gives():
    generated = sheet.contact_sheet(sheet.load(sheet.CATALOG), sheet.load(sheet.TAXONOMY))
    assert _committed() == generated, "docs/clips.md is out of date: run make clips-sheet"


def test_every_clip_has_a_poster_in_its_marker_row_and_level_column():
    catalog = sheet.load(sheet.CATALOG)
    taxonomy = sheet.load(sheet.TAXONOMY)
    rows = re.findall(r"<tr><th>(\w+)<br>.*?</th>\n(.*?)</tr>", _committed(), re.S)
    assert [marker for marker, _ in rows] == [m["id"] for m in taxonomy["markers"]]
    levels = [lv["id"] for lv in taxonomy["levels"]]
    for marker, cells in rows:
        for level, cell in zip(levels, re.findall(r"<td>(.*?)</td>", cells)):
            ids = re.findall(r"<code>(.*?)</code>", cell)
            assert ids == sorted(c["id"] for c in catalog["clips"]
                                 if (c["marker"], c["level"]) == (marker, level))
    for src in re.findall(r'<img src="([^"]+)"', _committed()):
        assert (ROOT / "docs" / src).resolve().is_file(), src


def test_posters_are_described_and_trainer_notes_are_marked():
    catalog = json.loads(json.dumps(sheet.load(sheet.CATALOG)))
    for clip in catalog["clips"]:  # start from a library without notes
        clip.pop("trainer_note", None)
    first = catalog["clips"][0]
    text = sheet.contact_sheet(catalog, sheet.load(sheet.TAXONOMY))
    assert "✎</td>" not in text and "✎<br>" not in text
    first["trainer_note"] = "Check for risk if the client mentions hopelessness."
    marked = sheet.contact_sheet(catalog, sheet.load(sheet.TAXONOMY))
    card = marked.split(f"<code>{first['id']}</code>", 1)[1].split("</td>", 1)[0]
    assert card.split("<br>")[2].endswith(" ✎")  # on that clip's title, and only there
    assert marked.count(" ✎") == 1 + marked.count("✎ marks")
    alts = re.findall(r'alt="([^"]+)"', text)
    assert len(alts) == len(catalog["clips"])
    name = catalog["personas"][first["persona"]]["name"]
    assert any(a.startswith(f"{name} (") and "says: “" in a for a in alts)
