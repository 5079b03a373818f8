"""Attempt and feedback records: their ids, their typed form, and the checks on the way in.

Every function here raises ``InvalidRecord`` naming the entry and the bad value, before anything
reaches the journal; the JSON schema (data/*.schema.json) is checked last (``validate_record``).
Records written by an older version are brought up to date by the ``UPGRADES`` chain.
"""
from __future__ import annotations

import json
import math
import re
import uuid
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable

from ..errors import InvalidRecord, InvalidTraineeId
from ..storage import utc_now
from ..taxonomy import load_taxonomy

TRAINEE_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
# Record ids become cell ids ('feedback-' + id must fit nbformat's 64 characters) and file names.
RECORD_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,54}")
#: File names Windows reserves for devices (also with any extension): a trainee folder named
#: CON cannot be created, copied or unzipped there.
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
                     *(f"LPT{i}" for i in range(1, 10))}
#: Timestamps outside these years are a broken clock or a hand-edited file, not a practice.
_YEARS = (1970, 2999)
#: The schema's maxLength for a self-assessment note, checked here so the message is plain.
MAX_NOTE_CHARS = 10_000


@dataclass(frozen=True)
class Attempt:
    id: str
    trainee_id: str
    clip_id: str
    marker: str
    level: str
    created_at: str
    recording: str | None = None
    duration_s: float | None = None
    latency_s: float | None = None
    speaking_s: float | None = None
    status: str = "complete"
    self_assessment: dict | None = None
    sent_to: tuple = ()
    best: bool = False  # the trainee's pick for the clip; records from before it read False
    #: seconds from the answer's cue (the clip's end) to the start of recording, when the
    #: recorder knew it: latency from the audio is this plus the speech onset (research/timing)
    cue_s: float | None = None
    #: the workshop code of the link the app was opened with (decisions #35); None outside one
    workshop: str | None = None

    @classmethod
    def from_record(cls, rec: dict) -> "Attempt":
        # Copies: the records are shared with the journal cache, which must never change.
        sa = rec.get("self_assessment")
        return cls(**{**rec, "sent_to": tuple(dict(s) for s in rec.get("sent_to", ())),
                      "self_assessment": None if sa is None else
                      {**sa, "strategies": list(sa.get("strategies", ()))}})

    def to_record(self) -> dict:
        rec = {**asdict(self), "sent_to": [dict(s) for s in self.sent_to]}
        # optional: a record without them round-trips unchanged
        return {k: v for k, v in rec.items() if v is not None or k not in ("cue_s", "workshop")}


@dataclass(frozen=True)
class Feedback:
    id: str
    attempt_id: str
    reviewer: str
    role: str
    created_at: str
    ratings: dict = field(default_factory=dict)
    strategies: tuple = ()
    comments: tuple = ()
    summary: str = ""

    @classmethod
    def from_record(cls, rec: dict) -> "Feedback":
        return cls(**{**rec, "ratings": dict(rec.get("ratings", {})),
                      "strategies": tuple(rec.get("strategies", ())),
                      "comments": tuple(dict(c) for c in rec.get("comments", ()))})

    def to_record(self) -> dict:
        return {**asdict(self), "strategies": list(self.strategies),
                "comments": [dict(c) for c in self.comments]}


# -- ids -------------------------------------------------------------------------------------

def check_trainee_id(trainee_id: object) -> str:
    if not isinstance(trainee_id, str):
        raise InvalidTraineeId.because(trainee_id, "it is not text")
    if not trainee_id:
        raise InvalidTraineeId.because(trainee_id, "it is empty")
    if len(trainee_id) > 64:
        raise InvalidTraineeId.because(trainee_id, f"it is {len(trainee_id)} characters long")
    if ".." in trainee_id:
        raise InvalidTraineeId.because(trainee_id, "it contains '..'")
    if trainee_id.split(".")[0].upper() in _WINDOWS_RESERVED:
        raise InvalidTraineeId.because(trainee_id, "it is a name Windows reserves for a device, "
                                       "so its folder could not be copied to Windows")
    if not TRAINEE_ID_RE.fullmatch(trainee_id):
        raise InvalidTraineeId.because(trainee_id, "it contains characters that are not allowed "
                                       "(such as '/', '\\', spaces or control characters)")
    return trainee_id


def new_record_id() -> str:
    """Unguessable: recordings are private (docs/decisions.md #7), so ids must not be sequential."""
    return uuid.uuid4().hex


def check_record_id(record_id: object, what: str = "attempt id") -> str:
    if not isinstance(record_id, str) or not RECORD_ID_RE.fullmatch(record_id):
        raise InvalidRecord.bad(what, repr(record_id), "use 1-55 letters, digits, '_' or '-', "
                                "starting with a letter or digit")
    return record_id


# -- attempts ----------------------------------------------------------------------------------

def attempt_record(tax, trainee_dir: Path, trainee_id: str, attempt_id: str, where: str, *,
                   clip_id: str, marker: str, level: str, recording, duration_s, started_at,
                   latency_s, speaking_s, self_assessment: dict | None, status: str,
                   cue_s=None, workshop: str | None = None) -> dict:
    """A new attempt, checked; ``recording`` may be absolute but must be inside ``trainee_dir``."""
    if marker not in tax.markers:
        raise InvalidRecord.bad("attempt", where, f"marker {marker!r} is not one of "
                                f"{sorted(tax.markers)}")
    if level not in tax.level_ids:
        raise InvalidRecord.bad("attempt", where, f"level {level!r} is not one of "
                                f"{tax.level_ids}")
    try:
        created_at = utc_iso(started_at)
    except InvalidRecord:
        raise InvalidRecord.bad("attempt", where, f"started_at should be a datetime or ISO-8601 "
                                f"text between the years {_YEARS[0]} and {_YEARS[1]}, got "
                                f"{started_at!r}") from None
    rec = {"id": attempt_id, "trainee_id": trainee_id, "clip_id": clip_id, "marker": marker,
           "level": level, "created_at": created_at,
           "recording": _relative_recording(trainee_dir, recording, where),
           "duration_s": _seconds(duration_s, "duration_s", where),
           "latency_s": _seconds(latency_s, "latency_s", where),
           "speaking_s": _seconds(speaking_s, "speaking_s", where), "status": status,
           "self_assessment": (None if self_assessment is None
                               else _self_assessment_dict(tax, where, self_assessment)),
           "sent_to": [], "best": False}
    if cue_s is not None:  # optional, so records without it stay exactly as they were
        rec["cue_s"] = _seconds(cue_s, "cue_s", where)
    if workshop is not None:  # checked by the schema's pattern, below
        rec["workshop"] = workshop
    validate_record("attempt", rec, where)
    return rec


def orphan_record(trainee_dir: Path, trainee_id: str, attempt_id: str, path: Path,
                  sidecar: dict) -> dict:
    """An 'incomplete' attempt for a recording never logged, from what its sidecar says."""
    try:
        created = utc_iso(sidecar.get("started_at"))
    except InvalidRecord:
        created = None
    if not sidecar.get("started_at") or created is None:
        created = utc_iso(datetime.fromtimestamp(path.stat().st_mtime, timezone.utc))

    def text(key: str) -> str:  # the sidecar is a hint; a bad one must not lose the file
        value = sidecar.get(key)
        return value if isinstance(value, str) and 0 < len(value) <= 200 else "unknown"

    rec = {"id": attempt_id, "trainee_id": trainee_id, "clip_id": text("clip_id"),
           "marker": text("marker"), "level": text("level"), "created_at": created,
           "recording": path.relative_to(trainee_dir).as_posix(), "duration_s": None,
           "latency_s": None, "speaking_s": None, "status": "incomplete",
           "self_assessment": None, "sent_to": [], "best": False}
    validate_record("attempt", rec, f"for the orphaned recording {path}")
    return rec


def utc_iso(value: datetime | str | None) -> str:
    if value is None:
        return utc_now()
    given = value
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise InvalidRecord.bad("timestamp", repr(value), "expected ISO-8601") from None
    if not isinstance(value, datetime):
        raise InvalidRecord.bad("timestamp", repr(value), "expected a datetime or ISO-8601 text")
    try:
        value = value.astimezone(timezone.utc)  # naive datetimes are taken as local time
    except (OverflowError, ValueError):
        value = None
    if value is None or not _YEARS[0] <= value.year <= _YEARS[1]:
        raise InvalidRecord.bad("timestamp", repr(given), f"expected a time between the years "
                                f"{_YEARS[0]} and {_YEARS[1]}")
    return value.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def check_text(value: object, what: str, where: str) -> str:
    """Text that can be written: a lone surrogate (half an emoji, from a broken paste or
    client) cannot be stored as UTF-8 and would fail the write with a raw UnicodeEncodeError."""
    if not isinstance(value, str):
        raise InvalidRecord.bad("record", where, f"{what} should be text, got {value!r:.80}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as e:
        raise InvalidRecord.bad("record", where, f"the {what} contains characters that are not "
                                f"valid Unicode (at position {e.start}); retype that part (an "
                                "emoji or a symbol may have been pasted in half)") from None
    return value


def _relative_recording(trainee_dir: Path, recording, where: str) -> str | None:
    if recording is None:
        return None
    p = Path(recording)
    full = (p if p.is_absolute() else trainee_dir / p).resolve()
    if not full.is_relative_to(trainee_dir.resolve()) or full == trainee_dir.resolve():
        raise InvalidRecord.bad("attempt", where, f"recording {str(recording)!r} is not inside "
                                f"the trainee's folder {trainee_dir}")
    return full.relative_to(trainee_dir.resolve()).as_posix()


def _seconds(value, name: str, where: str) -> float | None:
    if value is None:
        return None
    if (isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value)
            or value < 0):
        raise InvalidRecord.bad("attempt", where, f"{name} should be a finite number of seconds "
                                f"(0 or more), got {value!r}")
    return float(value)


def _strategies(tax, strategies: Iterable[str] | None, where: str) -> list[str]:
    if strategies is None:
        return []
    if isinstance(strategies, str):
        strategies = [strategies]
    if not isinstance(strategies, (list, tuple, set, frozenset)):
        raise InvalidRecord.bad("record", where, f"strategies should be a list of strategy ids, "
                                f"got {strategies!r:.80}")
    out = []
    for s in strategies:
        if s not in tax.strategies:
            raise InvalidRecord.bad("record", where, f"strategy {s!r} is not one of "
                                    f"{sorted(tax.strategies)}")
        if s not in out:
            out.append(s)
    return out


def self_assessment_record(tax, where: str, difficulty: Any = None, strategies=(),
                           note: str = "") -> dict:
    if isinstance(difficulty, bool) or not isinstance(difficulty, int) or not 0 <= difficulty <= 10:
        raise InvalidRecord.bad("self-assessment", where, f"difficulty should be a whole number "
                                f"from 0 to 10, got {difficulty!r}")
    note = check_text(note, "self-assessment note", where)
    if len(note) > MAX_NOTE_CHARS:
        raise InvalidRecord.bad("self-assessment", where, f"the note is {len(note):,} "
                                f"characters; keep it to {MAX_NOTE_CHARS:,} or fewer")
    return {"difficulty": difficulty, "strategies": _strategies(tax, strategies, where),
            "note": note}


def _self_assessment_dict(tax, where: str, value: object) -> dict:
    keys = {"difficulty", "strategies", "note"}
    if not isinstance(value, dict) or not set(value) <= keys:
        raise InvalidRecord.bad("self-assessment", where, f"expected a dict with keys "
                                f"{sorted(keys)}, got {value!r}")
    return self_assessment_record(tax, where, **value)


# -- feedback and reviewers ------------------------------------------------------------------

def check_reviewer(reviewer: Any, role: Any, where: str) -> str:
    roles = load_taxonomy().roles
    if not isinstance(reviewer, str) or not reviewer.strip():
        raise InvalidRecord.bad("reviewer", where, f"a reviewer name is needed, got {reviewer!r}")
    check_text(reviewer, "reviewer's name", where)
    if role not in roles:
        raise InvalidRecord.bad("reviewer role", where, f"{role!r} is not one of {list(roles)}")
    return reviewer.strip()


def feedback_record(tax, attempt_id: str, *, reviewer: str, role: str, ratings,
                    strategies, comments, summary: str) -> dict:
    """A reviewer's feedback on one attempt, checked against the rubric and the strategies."""
    where = f"for attempt {attempt_id!r}"
    reviewer = check_reviewer(reviewer, role, where)
    ratings = dict(ratings or {})
    items = {it.id for it in tax.rubric_items}
    for item, value in ratings.items():
        if item not in items:
            raise InvalidRecord.bad("feedback", where, f"rating {item!r} is not a rubric item "
                                    f"({', '.join(sorted(items))})")
        if (isinstance(value, bool) or not isinstance(value, int)
                or not tax.rubric_min <= value <= tax.rubric_max):
            raise InvalidRecord.bad("feedback", where, f"rating {item}={value!r} should be a "
                                    f"whole number from {tax.rubric_min} to {tax.rubric_max}")
    clean_comments = []
    for c in comments:
        t, text = (c.get("t"), c.get("text")) if isinstance(c, dict) else (None, None)
        if (isinstance(t, bool) or not isinstance(t, (int, float)) or not math.isfinite(t)
                or t < 0):
            raise InvalidRecord.bad("feedback", where, f"comment {c!r:.120} needs 't', the "
                                    "moment in seconds (a finite number, 0 or more)")
        if not isinstance(text, str) or not text.strip():
            raise InvalidRecord.bad("feedback", where, f"comment {c!r:.120} needs some 'text'")
        check_text(text, "comment", where)
        clean_comments.append({"t": float(t), "text": text})
    summary = check_text(summary, "summary", where)
    rec = {"id": new_record_id(), "attempt_id": attempt_id, "reviewer": reviewer,
           "role": role, "created_at": utc_now(), "ratings": ratings,
           "strategies": _strategies(tax, strategies, where), "comments": clean_comments,
           "summary": summary}
    validate_record("feedback", rec, where)
    return rec


# -- the record format: schema, validation, upgrades -------------------------------------------

SCHEMA_VERSION = 1
SCHEMA_PATH = Path(__file__).resolve().parents[1] / "data" / "attempt.schema.json"

#: Upgrade hook, nbgrader-style: ``UPGRADES[n]`` turns cell metadata at schema_version n into
#: schema_version n + 1. Version 1 is the first, so it is empty; a future v2 adds ``{1: fn}``.
UPGRADES: dict = {}

_validators: dict = {}


def _validator(definition: str):
    """A compiled checker for ``$defs/<definition>``.

    fastjsonschema (an nbformat dependency) rather than jsonschema: importing jsonschema costs
    ~2.5 s here (its format checkers build grammars), which a trainee would feel on the first
    logged attempt; a compiled fastjsonschema check takes ~10 us.
    """
    v = _validators.get(definition)
    if v is None:
        import fastjsonschema

        schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
        v = fastjsonschema.compile({"$ref": f"#/$defs/{definition}", "$defs": schema["$defs"]})
        _validators[definition] = v
    return v


def validate_record(definition: str, record: object, where: str) -> None:
    """Check ``record`` against ``$defs/<definition>`` of the schema; InvalidRecord names the
    record, the field and the bad value."""
    import fastjsonschema

    try:
        _validator(definition)(record)
    except fastjsonschema.JsonSchemaValueException as e:
        field = ".".join(str(p) for p in e.path[1:]) or "the record"
        message = e.message.replace(e.name, field, 1) if e.name else e.message
        raise InvalidRecord.bad(definition.replace("_", " "), where,
                                f"{message} (got {e.value!r:.200})") from None


def upgrade_metadata(meta: dict, where: str) -> dict:
    """Bring ``cell.metadata['rupture']`` up to SCHEMA_VERSION through the UPGRADES chain."""
    version = meta.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool) or version > SCHEMA_VERSION:
        raise InvalidRecord.bad("cell metadata", where, f"schema_version {version!r} is not "
                                f"understood by this version (up to {SCHEMA_VERSION})")
    while version < SCHEMA_VERSION:
        if version not in UPGRADES:
            raise InvalidRecord.bad("cell metadata", where, f"no upgrade from schema_version "
                                    f"{version}")
        meta = UPGRADES[version](dict(meta))
        if meta.get("schema_version", version) <= version:
            raise RuntimeError(f"UPGRADES[{version}] did not raise schema_version")
        version = meta["schema_version"]
    return meta


def upgrade_event(event: dict) -> dict:
    """Journal events carry 'v'; upgrade their records with the same hook as cell metadata."""
    version = event.get("v", SCHEMA_VERSION)
    if version == SCHEMA_VERSION or event.get("event") not in ("attempt", "feedback"):
        return event
    if event["event"] == "attempt":
        meta = upgrade_metadata({"kind": "attempt", "schema_version": version,
                                 "attempt": event["attempt"]}, "in the journal")
        return {**event, "v": SCHEMA_VERSION, "attempt": meta["attempt"]}
    fb = event["feedback"]
    meta = upgrade_metadata({"kind": "feedback", "schema_version": version,
                             "attempt_id": fb.get("attempt_id"), "feedback": [fb]},
                            "in the journal")
    return {**event, "v": SCHEMA_VERSION, "feedback": meta["feedback"][0]}
