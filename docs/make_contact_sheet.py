"""The contact sheet in docs/clips.md: every clip's poster, by marker (rows) and level (columns).

    python docs/make_contact_sheet.py            # or: make clips-sheet
    python docs/make_contact_sheet.py --check    # exit 1 if docs/clips.md is out of date

Reads clips/catalog.json and the taxonomy, and rewrites only what lies between the two marker
comments in docs/clips.md, so the prose around it stays hand-written. Rerun it after building or
adding clips; tests/test_docs.py fails while the committed sheet differs from the catalog.
Needs only the standard library.
"""
from __future__ import annotations

import argparse
import html
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DOC = HERE / "clips.md"
CATALOG = ROOT / "clips" / "catalog.json"
TAXONOMY = ROOT / "rupture_widgets" / "data" / "taxonomy.json"
START, END = "<!-- contact-sheet:start -->", "<!-- contact-sheet:end -->"
WIDTH = 160  # px: three posters side by side fit a GitHub page


def contact_sheet(catalog: dict, taxonomy: dict, media_prefix: str = "../clips/") -> str:
    """The sheet as an HTML table (GitHub renders it inside Markdown), one line per element so
    a change to one clip is a small diff."""
    levels = [(lv["id"], lv["label"]) for lv in taxonomy["levels"]]
    personas = catalog.get("personas", {})
    cells: dict[tuple[str, str], list[dict]] = {}
    for clip in sorted(catalog["clips"], key=lambda c: c["id"]):
        cells.setdefault((clip["marker"], clip["level"]), []).append(clip)
    out = ["<table>", "<tr><th>marker</th>"
           + "".join(f"<th>{_text(label)}</th>" for _, label in levels) + "</tr>"]
    for marker in taxonomy["markers"]:
        out.append(f"<tr><th>{_text(marker['id'])}<br>{_text(marker['label'])}</th>")
        for level, _ in levels:
            clips = cells.get((marker["id"], level), [])
            out.append("<td>" + ("<br><br>".join(_card(c, personas.get(c["persona"], {}), media_prefix)
                                             for c in clips) or "–") + "</td>")
        out.append("</tr>")
    out.append("</table>")
    n = len(catalog["clips"])
    notes = sum(1 for c in catalog["clips"] if c.get("trainer_note"))
    out += ["", f"{n} clips. Each shows its id, client, 3RS salience (1-5) and title"
            + (f"; ✎ marks the {notes} with a trainer note." if notes else
               "; ✎ would mark a clip with a trainer note (none has one yet).")]
    return "\n".join(out)


def _card(clip: dict, persona: dict, media_prefix: str) -> str:
    name = persona.get("name", clip["persona"])
    src = _attr(media_prefix + clip["poster"])
    note = " ✎" if clip.get("trainer_note") else ""
    also = "".join(f" (also {_text(m)})" for m in clip.get("also_markers", []))
    return (f'<a href="{src}"><img src="{src}" width="{WIDTH}" '
            f'alt="{_attr(_alt(clip, persona))}"></a><br>'
            f"<code>{_text(clip['id'])}</code><br>"
            f"{_text(name)} · salience {clip['salience']}{also}<br>"
            f"<i>{_text(clip['title'])}</i>{note}")


def _alt(clip: dict, persona: dict) -> str:
    """Who is on screen and what they say first, for a reader who cannot see the poster."""
    facts = [str(persona["age"])] if persona.get("age") else []
    facts += [persona["gender"]] if persona.get("gender") else []
    facts += [f"{persona['skin_tone']} skin"] if persona.get("skin_tone") else []
    who = persona.get("name", clip["persona"]) + (f" ({', '.join(facts)})" if facts else "")
    line = ""
    for sentence in re.split(r"(?<=[.?!])\s+", clip["transcript"].strip()):
        line = f"{line} {sentence}".strip()
        if len(line) >= 40:
            break
    return f"{who} says: “{line}”"


def _text(s: str) -> str:
    return html.escape(s, quote=False)


def _attr(s: str) -> str:
    return html.escape(s, quote=False).replace('"', "&quot;")


def update(text: str, sheet: str) -> str:
    """``text`` with the sheet between the markers; both markers must be there, once each."""
    if text.count(START) != 1 or text.count(END) != 1 or text.index(START) > text.index(END):
        raise SystemExit(f"{DOC}: needs one {START} line and, after it, one {END} line")
    head, rest = text.split(START)
    _, tail = rest.split(END)
    return f"{head}{START}\n{sheet}\n{END}{tail}"


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 if docs/clips.md is out of date")
    args = parser.parse_args(argv)
    text = DOC.read_text(encoding="utf-8")
    new = update(text, contact_sheet(load(CATALOG), load(TAXONOMY)))
    if args.check:
        if new != text:
            print(f"{DOC} is out of date: run make clips-sheet")
            return 1
        return 0
    if new != text:
        DOC.write_text(new, encoding="utf-8", newline="\n")
        print(f"updated the contact sheet in {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
