"""The clip library: ``clips/catalog.json`` -> typed, validated ``Clip`` records.

This is on the trainee app's start-up path, so it uses only json + dataclasses and a few ``stat``
calls: no media library is imported here (the media itself is checked by ``library.check``).
Every problem in the file is collected before raising, so an author fixes them in one pass.
"""
from __future__ import annotations

import json
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ..errors import CatalogError, UnknownClip
from ..taxonomy import Taxonomy, load_taxonomy

SCHEMA_VERSION = 1
SALIENCE_MIN, SALIENCE_MAX = 1, 5  # the 3RS salience scale
# Clip ids end up in file names, URLs and attempt records, so keep them to a portable alphabet.
_CLIP_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")  # fullmatch: '$' would allow a '\n'

_FILE_FIELDS = ("media", "captions", "poster")


def default_clips_dir() -> Path:
    """``$RUPTURE_CLIPS``, else the ``clips/`` folder next to the package (a source checkout)."""
    env = os.environ.get("RUPTURE_CLIPS")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "clips"


@dataclass(frozen=True)
class Persona:
    id: str
    name: str
    age: int | None = None
    gender: str = ""
    skin_tone: str = ""
    description: str = ""


@dataclass(frozen=True)
class Example:
    """A model response, revealed only after an attempt, with the repair strategies it uses."""
    text: str
    strategies: tuple[str, ...] = ()


@dataclass(frozen=True)
class Clip:
    id: str
    title: str
    persona: Persona
    marker: str
    salience: int
    level: str
    context: str
    duration_s: float
    media: str          # paths relative to the catalog folder, as the browser fetches them
    captions: str
    poster: str
    transcript: str = ""
    examples: tuple[Example, ...] = ()
    # for the trainer and, after an attempt, the trainee: e.g. content that calls for a risk check
    trainer_note: str = ""
    # Filled in by the loader; kept out of equality so two loads of one catalog compare equal.
    root: Path = field(default=Path("."), repr=False, compare=False)
    family: str = field(default="", repr=False, compare=False)

    @property
    def marker_family(self) -> str:
        """"W" (withdrawal) or "C" (confrontation), as the taxonomy defines the marker."""
        return self.family or self.marker.rstrip("0123456789")

    @property
    def media_path(self) -> Path:
        return self.root / self.media

    @property
    def captions_path(self) -> Path:
        return self.root / self.captions

    @property
    def poster_path(self) -> Path:
        return self.root / self.poster


@dataclass(frozen=True)
class Catalog:
    root: Path
    path: Path
    clips: tuple[Clip, ...]
    personas: dict[str, Persona]

    def __iter__(self):
        return iter(self.clips)

    def __len__(self) -> int:
        return len(self.clips)

    def get(self, clip_id: str) -> Clip:
        for clip in self.clips:
            if clip.id == clip_id:
                return clip
        raise UnknownClip.named(clip_id)

    def filter(self, family: str | None = None, marker: str | None = None,
               level: str | None = None) -> list[Clip]:
        """Clips matching every given criterion, in catalog order (None means any)."""
        return [c for c in self.clips
                if (family is None or c.marker_family == family)
                and (marker is None or c.marker == marker)
                and (level is None or c.level == level)]


def load_catalog(dir: str | os.PathLike | None = None,
                 taxonomy: Taxonomy | str | os.PathLike | None = None) -> Catalog:
    """Read ``<dir>/catalog.json``; raise ``CatalogError`` listing every problem found."""
    catalog, problems = read_catalog(dir, taxonomy)
    if problems:
        raise CatalogError.problems_in(catalog.path, problems)
    return catalog


def _strict_json(text: str):
    def refuse(name: str):
        raise ValueError(f"{name} is not a number JSON allows")
    return json.loads(text, parse_constant=refuse)


def read_catalog(dir=None, taxonomy=None) -> tuple[Catalog, list[str]]:
    """Lenient load: the clips that are valid plus every problem, as 'clip-id: field: what'.

    ``rupture clips check`` uses this so it can go on to check the media of the valid clips.
    """
    root = Path(dir) if dir is not None else default_clips_dir()
    path = root / "catalog.json"
    tax = taxonomy if isinstance(taxonomy, Taxonomy) else load_taxonomy(taxonomy)
    empty = Catalog(root=root, path=path, clips=(), personas={})
    try:
        data = _strict_json(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return empty, [f"catalog: file: {path} not found"]
    except RecursionError:
        return empty, ["catalog: file: nested too deeply to read (thousands of levels)"]
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError) as e:
        return empty, [f"catalog: file: not valid JSON ({e})"]
    if not isinstance(data, dict):
        return empty, ["catalog: file: the top level should be an object"]

    problems: list[str] = []
    version = data.get("schema_version")
    if version != SCHEMA_VERSION:
        problems.append(f"catalog: schema_version: expected {SCHEMA_VERSION}, got {version!r}")
    personas = _personas(data.get("personas"), problems)
    clips: list[Clip] = []
    seen: set[str] = set()
    raw_clips = data.get("clips")
    if not isinstance(raw_clips, list):
        problems.append("catalog: clips: should be a list of clips")
        raw_clips = []
    for i, raw in enumerate(raw_clips):
        clip_problems: list[str] = []
        clip = _clip(raw, i, root, tax, personas, clip_problems)
        if clip is not None and clip.id in seen:
            clip_problems.append(f"{clip.id}: id: duplicate id (clips[{i}])")
        if clip is not None:
            seen.add(clip.id)
        problems += clip_problems
        if clip is not None and not clip_problems:
            clips.append(clip)
    return Catalog(root=root, path=path, clips=tuple(clips), personas=personas), problems


def _personas(raw, problems: list[str]) -> dict[str, Persona]:
    if not isinstance(raw, dict):
        problems.append("catalog: personas: should be an object of persona id -> persona")
        return {}
    out = {}
    for pid, p in raw.items():
        where = f"persona {pid}"
        if not isinstance(p, dict):
            problems.append(f"{where}: persona: should be an object")
            continue
        ok = True
        for key, kind in (("name", str), ("age", int), ("gender", str), ("skin_tone", str)):
            ok &= _check_type(p, key, kind, where, problems)
        if "description" in p and not isinstance(p["description"], str):
            problems.append(f"{where}: description: should be text")
            ok = False
        if ok:
            out[pid] = Persona(pid, p["name"], p["age"], p["gender"], p["skin_tone"],
                               p.get("description", ""))
    return out


def _check_type(obj: dict, key: str, kind: type, where: str, problems: list[str]) -> bool:
    if key not in obj:
        problems.append(f"{where}: {key}: missing")
        return False
    value = obj[key]
    # bool is an int subclass, but `"salience": true` is a typo, not a rating.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        problems.append(f"{where}: {key}: should be {'text' if kind is str else 'a whole number'}, "
                        f"got {value!r}")
        return False
    return True


def _clip(raw, i: int, root: Path, tax: Taxonomy, personas: dict[str, Persona],
          problems: list[str]) -> Clip | None:
    if not isinstance(raw, dict):
        problems.append(f"clips[{i}]: clip: should be an object")
        return None
    cid = raw.get("id")
    if not isinstance(cid, str) or not _CLIP_ID.fullmatch(cid):
        problems.append(f"clips[{i}]: id: {cid!r} is missing or not 1-64 letters, digits, "
                        "'.', '_' or '-'")
        return None
    ok = all([_check_type(raw, k, str, cid, problems) for k in
              ("title", "persona", "marker", "level", "context", "transcript") + _FILE_FIELDS])
    ok &= _check_type(raw, "salience", int, cid, problems)
    if "duration_s" not in raw:
        problems.append(f"{cid}: duration_s: missing")
        ok = False
    elif not _positive_number(raw["duration_s"]):
        problems.append(f"{cid}: duration_s: should be a positive number of seconds, "
                        f"got {raw['duration_s']!r}")
        ok = False
    if isinstance(raw.get("persona"), str) and raw["persona"] not in personas:
        problems.append(f"{cid}: persona: unknown persona {raw['persona']!r} "
                        f"(known: {sorted(personas)})")
        ok = False
    marker = raw.get("marker")
    if isinstance(marker, str) and marker not in tax.markers:
        problems.append(f"{cid}: marker: unknown marker {marker!r} (known: {sorted(tax.markers)})")
        ok = False
    level = raw.get("level")
    if isinstance(level, str) and level not in tax.level_ids:
        problems.append(f"{cid}: level: unknown level {level!r} (known: {tax.level_ids})")
        ok = False
    sal = raw.get("salience")
    if isinstance(sal, int) and not isinstance(sal, bool) \
            and not SALIENCE_MIN <= sal <= SALIENCE_MAX:
        problems.append(f"{cid}: salience: {sal} is not on the 3RS scale "
                        f"{SALIENCE_MIN}-{SALIENCE_MAX}")
        ok = False
    for key in _FILE_FIELDS:
        if isinstance(raw.get(key), str):
            ok &= _check_file(root, raw[key], cid, key, problems)
    examples = _examples(raw.get("examples", []), cid, tax, problems)
    note = raw.get("trainer_note", "")
    if not isinstance(note, str):
        problems.append(f"{cid}: trainer_note: should be text, got {note!r}")
        ok = False
    if not ok or examples is None:
        return None
    return Clip(
        id=cid, title=raw["title"], persona=personas[raw["persona"]], marker=marker,
        salience=sal, level=level, context=raw["context"], duration_s=float(raw["duration_s"]),
        media=raw["media"], captions=raw["captions"], poster=raw["poster"],
        transcript=raw["transcript"], examples=examples, trainer_note=note.strip(), root=root,
        family=tax.markers[marker].family,
    )


def _positive_number(v) -> bool:
    return (isinstance(v, (int, float)) and not isinstance(v, bool)
            and math.isfinite(v) and v > 0)


def _check_file(root: Path, rel: str, cid: str, key: str, problems: list[str]) -> bool:
    # Paths are served by URL under the clips folder, so they must stay inside it: an absolute
    # path or '..' would either break in the browser or expose files outside the allow-list.
    pure = PurePosixPath(rel)
    windows_style = "\\" in rel or re.match(r"^[A-Za-z]:", rel)
    if not rel or pure.is_absolute() or windows_style or ".." in pure.parts:
        problems.append(f"{cid}: {key}: {rel!r} must be a relative path inside the catalog folder")
        return False
    full = root / rel
    try:
        inside = full.resolve().is_relative_to(root.resolve())
    except OSError:
        inside = False
    if not inside:  # e.g. a symlink pointing out of the library
        problems.append(f"{cid}: {key}: {rel!r} leads outside the catalog folder")
        return False
    if not full.is_file():
        problems.append(f"{cid}: {key}: file {rel!r} not found in {root}")
        return False
    return True


def _examples(raw, cid: str, tax: Taxonomy, problems: list[str]) -> tuple[Example, ...] | None:
    if not isinstance(raw, list):
        problems.append(f"{cid}: examples: should be a list")
        return None
    out, ok = [], True
    for j, ex in enumerate(raw):
        where = f"examples[{j}]"
        text = ex.get("text") if isinstance(ex, dict) else None
        if not isinstance(text, str) or not text.strip():
            problems.append(f"{cid}: {where}: needs a non-empty 'text'")
            ok = False
            continue
        strategies = ex.get("strategies", [])
        if not isinstance(strategies, list) or not all(isinstance(s, str) for s in strategies):
            problems.append(f"{cid}: {where}.strategies: should be a list of strategy ids")
            ok = False
            continue
        unknown = [s for s in strategies if s not in tax.strategies]
        if unknown:
            problems.append(f"{cid}: {where}.strategies: unknown strategy {', '.join(unknown)} "
                            f"(known: {sorted(tax.strategies)})")
            ok = False
            continue
        out.append(Example(text, tuple(strategies)))
    return tuple(out) if ok else None
