"""Clip scripts: the editable source of every synthesised clip.

A script (``clips/scripts/<clip-id>.json``) names a persona, the marker it trains, the context line,
what the client says (each line with an emotion and a gaze cue) and two example repair responses.
A persona (``clips/scripts/personas/<persona-id>.json``) says who the client is, how they look and
how their voice is derived from the base voice. Both are validated here, every problem at once, so
an author fixes a script in one pass. Nothing in this module needs the authoring extra.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ScriptError
from ..taxonomy import load_taxonomy

SCHEMA_VERSION = 1

#: Emotion cues a line may carry. voice.PROSODY and avatar.FACES give each one a voice and a face.
EMOTIONS = ("neutral", "calm", "hesitant", "doubtful", "guarded", "flat", "appeasing", "anxious",
            "frustrated", "angry", "contemptuous", "sad", "despairing", "amused")
#: Where the client looks while saying a line ("therapist" = into the camera).
GAZES = ("therapist", "down", "left", "right", "up")
HAIR_STYLES = ("cropped", "short", "wavy", "bob", "long", "bun", "curly", "afro", "bald")
TOPS = ("crew", "collar", "cardigan", "hoodie", "blouse")
BEARDS = ("none", "stubble", "full")
ROOMS = ("sage", "sand", "slate", "blush", "study")
GENDERS = ("woman", "man", "non-binary")

_HEX = re.compile(r"#[0-9a-fA-F]{6}")
_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")  # always fullmatch ('$' allows a newline)
MAX_LINE_CHARS = 240
MAX_NOTE_CHARS = 600


@dataclass(frozen=True)
class Look:
    skin: str
    hair: str
    hair_style: str
    top: str
    top_colour: str
    glasses: bool = False
    beard: str = "none"
    grey: float = 0.0  # 0 = none, 1 = fully grey/white hair


@dataclass(frozen=True)
class Voice:
    """How the persona's voice is derived from the base voice (Praat PSOLA 'Change gender')."""

    base: str = "joe"
    f0_hz: float = 110.0
    formant_shift: float = 1.0
    pitch_range: float = 1.0
    length_scale: float = 1.0


@dataclass(frozen=True)
class Persona:
    id: str
    name: str
    age: int
    gender: str
    skin_tone: str
    description: str
    look: Look
    voice: Voice
    room: str = "sage"

    def catalog_entry(self) -> dict:
        """What the clip catalog's ``personas`` map holds for this persona."""
        return {"name": self.name, "age": self.age, "gender": self.gender,
                "skin_tone": self.skin_tone, "description": self.description}


@dataclass(frozen=True)
class Line:
    text: str
    emotion: str = "neutral"
    gaze: str = "therapist"
    pause_before: float = 0.0
    pause_after: float = 0.5


@dataclass(frozen=True)
class Example:
    text: str
    strategies: tuple[str, ...]


@dataclass(frozen=True)
class ClipScript:
    path: str
    id: str
    title: str
    persona: Persona
    marker: str
    salience: int
    level: str
    context: str
    lines: tuple[Line, ...]
    examples: tuple[Example, ...]
    seed: int = 0
    room: str = "sage"
    also_markers: tuple[str, ...] = field(default_factory=tuple)
    #: for the trainer and, after an attempt, the trainee: e.g. content that calls for a risk check
    trainer_note: str = ""

    @property
    def transcript(self) -> str:
        return " ".join(line.text for line in self.lines)


def _get(obj: dict, key: str, kind, where: str, problems: list[str], default=...):
    if key not in obj:
        if default is ...:
            problems.append(f"{where}: missing '{key}'")
        return None if default is ... else default
    value = obj[key]
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if isinstance(value, bool) and bool not in kinds or not isinstance(value, kinds):
        names = " or ".join(k.__name__ for k in kinds)
        problems.append(f"{where}: '{key}' should be {names}, got {value!r}")
        return None
    return value


def _choice(value, allowed, where: str, key: str, problems: list[str]):
    if value is not None and value not in allowed:
        problems.append(f"{where}: '{key}' is {value!r}; use one of {', '.join(allowed)}")
        return None
    return value


def _colour(value, where: str, key: str, problems: list[str]):
    if value is not None and not _HEX.fullmatch(value):
        problems.append(f"{where}: '{key}' should be a colour like '#a0663f', got {value!r}")
        return None
    return value


def _read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ScriptError.problems_in(path, ["file not found"]) from None
    except json.JSONDecodeError as e:
        raise ScriptError.problems_in(path, [f"not valid JSON: {e}"]) from None
    if not isinstance(data, dict):
        raise ScriptError.problems_in(path, ["the top level should be an object"])
    return data


def parse_persona(data: dict, where: str, problems: list[str]) -> Persona | None:
    n = len(problems)
    pid = _get(data, "id", str, where, problems)
    if pid is not None and not _ID.fullmatch(pid):
        problems.append(f"{where}: 'id' {pid!r} should be lower-case letters, digits and '-'")
    name = _get(data, "name", str, where, problems)
    age = _get(data, "age", int, where, problems)
    if age is not None and not 16 <= age <= 95:
        problems.append(f"{where}: 'age' {age} should be between 16 and 95")
    gender = _choice(_get(data, "gender", str, where, problems), GENDERS, where, "gender", problems)
    skin_tone = _get(data, "skin_tone", str, where, problems)
    description = _get(data, "description", str, where, problems, default="")
    room = _choice(_get(data, "room", str, where, problems, default="sage"), ROOMS, where, "room",
                   problems)
    lk = _get(data, "look", dict, where, problems) or {}
    lw = f"{where}: look"
    look = dict(
        skin=_colour(_get(lk, "skin", str, lw, problems), lw, "skin", problems),
        hair=_colour(_get(lk, "hair", str, lw, problems), lw, "hair", problems),
        hair_style=_choice(_get(lk, "hair_style", str, lw, problems), HAIR_STYLES, lw,
                           "hair_style", problems),
        top=_choice(_get(lk, "top", str, lw, problems, default="crew"), TOPS, lw, "top", problems),
        top_colour=_colour(_get(lk, "top_colour", str, lw, problems), lw, "top_colour", problems),
        glasses=_get(lk, "glasses", bool, lw, problems, default=False),
        beard=_choice(_get(lk, "beard", str, lw, problems, default="none"), BEARDS, lw, "beard",
                      problems),
        grey=float(_get(lk, "grey", (int, float), lw, problems, default=0.0) or 0.0),
    )
    vc = _get(data, "voice", dict, where, problems) or {}
    vw = f"{where}: voice"
    voice = dict(
        base=_choice(_get(vc, "base", str, vw, problems, default="joe"), ("joe",), vw, "base",
                     problems),
        f0_hz=float(_get(vc, "f0_hz", (int, float), vw, problems) or 0),
        formant_shift=float(_get(vc, "formant_shift", (int, float), vw, problems, default=1.0)
                            or 1.0),
        pitch_range=float(_get(vc, "pitch_range", (int, float), vw, problems, default=1.0) or 1.0),
        length_scale=float(_get(vc, "length_scale", (int, float), vw, problems, default=1.0)
                           or 1.0),
    )
    if voice["f0_hz"] and not 70 <= voice["f0_hz"] <= 300:
        problems.append(f"{vw}: 'f0_hz' {voice['f0_hz']} should be between 70 and 300")
    if not 0.8 <= voice["formant_shift"] <= 1.3:
        problems.append(f"{vw}: 'formant_shift' {voice['formant_shift']} should be 0.8-1.3")
    if not 0.6 <= voice["length_scale"] <= 1.6:
        problems.append(f"{vw}: 'length_scale' {voice['length_scale']} should be 0.6-1.6")
    if len(problems) > n:
        return None
    return Persona(pid, name, age, gender, skin_tone, description, Look(**look), Voice(**voice),
                   room)


def load_persona(path: Path | str) -> Persona:
    path = Path(path)
    problems: list[str] = []
    persona = parse_persona(_read_json(path), "persona", problems)
    if persona is not None and persona.id != path.stem:
        problems.append(f"persona: 'id' {persona.id!r} should match the file name {path.stem!r}")
    if problems:
        raise ScriptError.problems_in(path, problems)
    return persona


def load_script(path: Path | str) -> ClipScript:
    """Read and validate one clip script; its persona is resolved from ``personas/`` beside it
    (or given inline as an object)."""
    path = Path(path)
    data = _read_json(path)
    problems: list[str] = []
    tax = load_taxonomy()
    w = "script"
    version = _get(data, "schema_version", int, w, problems)
    if version is not None and version != SCHEMA_VERSION:
        problems.append(f"script: 'schema_version' is {version}; this version reads "
                        f"{SCHEMA_VERSION}")
    cid = _get(data, "id", str, w, problems)
    if cid is not None and not _ID.fullmatch(cid):
        problems.append(f"script: 'id' {cid!r} should be lower-case letters, digits and '-'")
    title = _get(data, "title", str, w, problems)
    marker = _choice(_get(data, "marker", str, w, problems), tuple(tax.markers), w, "marker",
                     problems)
    also = _get(data, "also_markers", list, w, problems, default=[]) or []
    for m in also:
        _choice(m, tuple(tax.markers), w, "also_markers", problems)
    salience = _get(data, "salience", int, w, problems)
    if salience is not None and not 1 <= salience <= 5:
        problems.append(f"script: 'salience' {salience} should be 1-5 (3RS)")
    level = _choice(_get(data, "level", str, w, problems), tuple(tax.level_ids), w, "level",
                    problems)
    context = _get(data, "context", str, w, problems)
    seed = _get(data, "seed", int, w, problems, default=0)
    trainer_note = (_get(data, "trainer_note", str, w, problems, default="") or "").strip()
    if len(trainer_note) > MAX_NOTE_CHARS:
        problems.append(f"script: 'trainer_note' has {len(trainer_note)} characters; keep it to "
                        f"{MAX_NOTE_CHARS}")

    persona = None
    pref = data.get("persona")
    if isinstance(pref, dict):
        persona = parse_persona(pref, "script: persona", problems)
    elif isinstance(pref, str):
        ppath = path.parent / "personas" / f"{pref}.json"
        try:
            persona = load_persona(ppath)
        except ScriptError as e:
            problems.extend(f"persona {pref!r} ({ppath}): {p}" for p in e.problems)
    else:
        problems.append("script: 'persona' should name a file in personas/ or be an object")
    room = _choice(_get(data, "room", str, w, problems,
                        default=persona.room if persona else "sage"), ROOMS, w, "room", problems)

    lines = []
    raw_lines = _get(data, "lines", list, w, problems) or []
    if not raw_lines:
        problems.append("script: 'lines' needs at least one line")
    for i, ln in enumerate(raw_lines):
        lw = f"lines[{i}]"
        if not isinstance(ln, dict):
            problems.append(f"{lw}: should be an object with 'text', 'emotion', 'gaze'")
            continue
        text = _get(ln, "text", str, lw, problems)
        if text is not None and not text.strip():
            problems.append(f"{lw}: 'text' is empty")
        if text is not None and len(text) > MAX_LINE_CHARS:
            problems.append(f"{lw}: 'text' has {len(text)} characters; split it into lines of at "
                            f"most {MAX_LINE_CHARS}")
        emotion = _choice(_get(ln, "emotion", str, lw, problems, default="neutral"), EMOTIONS, lw,
                          "emotion", problems)
        gaze = _choice(_get(ln, "gaze", str, lw, problems, default="therapist"), GAZES, lw,
                       "gaze", problems)
        before = _get(ln, "pause_before", (int, float), lw, problems, default=0.0)
        after = _get(ln, "pause_after", (int, float), lw, problems, default=0.5)
        for key, val in (("pause_before", before), ("pause_after", after)):
            if val is not None and not 0 <= val <= 6:
                problems.append(f"{lw}: '{key}' {val} should be 0-6 seconds")
        if None not in (text, emotion, gaze, before, after):
            lines.append(Line(text.strip(), emotion, gaze, float(before), float(after)))

    examples = []
    raw_examples = _get(data, "examples", list, w, problems) or []
    if len(raw_examples) < 2:
        problems.append(f"script: 'examples' has {len(raw_examples)}; give two example repair "
                        "responses")
    for i, ex in enumerate(raw_examples):
        ew = f"examples[{i}]"
        if not isinstance(ex, dict):
            problems.append(f"{ew}: should be an object with 'text' and 'strategies'")
            continue
        text = _get(ex, "text", str, ew, problems)
        strategies = _get(ex, "strategies", list, ew, problems) or []
        if not strategies:
            problems.append(f"{ew}: 'strategies' should name at least one of "
                            f"{', '.join(tax.strategies)}")
        for s in strategies:
            _choice(s, tuple(tax.strategies), ew, "strategies", problems)
        if text:
            examples.append(Example(text, tuple(strategies)))
    if problems:
        raise ScriptError.problems_in(path, problems)
    return ClipScript(str(path), cid, title, persona, marker, salience, level, context,
                      tuple(lines), tuple(examples), seed, room, tuple(also), trainer_note)
