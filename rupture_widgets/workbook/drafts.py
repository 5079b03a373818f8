"""Text the trainee is typing (a self-assessment note, a message to a reviewer), kept as they type
so that a reload or a lost connection loses nothing.

One small file beside the workbook (``paths.DRAFTS``), not the notebook: a draft is not yet part
of the record, and saving one on every keystroke must not rewrite a 400-attempt notebook. Each
save replaces the file atomically (``storage.atomic_write_text``) under its own lock
(``paths.DRAFTS_LOCK``), so two tabs typing at once both keep their text and a crash leaves the
old file or the new one (not fsynced: only a power cut could lose the last keystrokes). A save
whose text is unchanged writes nothing. Keys are the app's own
names (``KEY_RE``, e.g. ``self-assessment:<attempt_id>:note``); at most ``MAX_DRAFTS`` are
kept, the longest untouched dropped first. Losing the file loses only drafts.
"""
from __future__ import annotations

import logging
import re

from ..errors import InvalidRecord, StorageError
from ..storage import NotJSON, atomic_write_text, dumps, locked, parse_json, utc_now
from . import paths
from .records import check_text

log = logging.getLogger(__name__)

KEY_RE = re.compile(r"[a-z0-9:._-]{1,80}")
#: The longest text field a draft stands in for is a review's summary (20,000 in the schema).
MAX_DRAFT_CHARS = 20_000
MAX_DRAFTS = 200
_VERSION = 1


def check_key(key: object) -> str:
    if not isinstance(key, str) or not KEY_RE.fullmatch(key):
        raise InvalidRecord.bad("draft key", repr(key), "use 1-80 lowercase letters, digits, "
                                "':', '.', '_' or '-'")
    return key


def _read(folder: paths.TraineeFolder) -> dict[str, dict]:
    try:
        data = parse_json(folder.drafts.read_bytes())
    except FileNotFoundError:
        return {}
    except (OSError, NotJSON) as e:  # a draft is a convenience: never a reason to fail
        log.warning("Ignoring unreadable drafts %s: %s", folder.drafts, e)
        return {}
    return _valid(data)


def _valid(data: object) -> dict[str, dict]:
    drafts = data.get("drafts") if isinstance(data, dict) else None
    if not isinstance(drafts, dict):
        return {}
    return {k: d for k, d in drafts.items() if isinstance(k, str) and KEY_RE.fullmatch(k)
            and isinstance(d, dict) and isinstance(d.get("text"), str)
            and isinstance(d.get("at"), str)}


def drafts(folder: paths.TraineeFolder) -> dict[str, str]:
    """Every draft kept, by key."""
    return {k: d["text"] for k, d in _read(folder).items()}


def save(folder: paths.TraineeFolder, key: str, text: str) -> None:
    """Keep ``text`` as the draft ``key``; empty text clears it."""
    check_key(key)
    text = check_text(text, "draft", f"for {key!r}")
    if len(text) > MAX_DRAFT_CHARS:
        raise InvalidRecord.bad("draft", f"for {key!r}", f"it is {len(text):,} characters; a "
                                f"draft is kept up to {MAX_DRAFT_CHARS:,}")
    _change(folder, key, text)


def clear(folder: paths.TraineeFolder, key: str) -> None:
    _change(folder, check_key(key), "")


def _change(folder: paths.TraineeFolder, key: str, text: str) -> None:
    current = _read(folder)
    if current.get(key, {}).get("text", "") == text:
        return  # unchanged (a keystroke that moved the cursor): no lock, no write
    try:
        folder.dir.mkdir(parents=True, exist_ok=True)
        with locked(folder.drafts_lock):
            current = _read(folder)  # again, under the lock: another tab may have saved
            if text:
                current.pop(key, None)  # re-inserted last: the order is most recent last
                current[key] = {"text": text, "at": utc_now()}
            else:
                current.pop(key, None)
            kept = dict(list(current.items())[-MAX_DRAFTS:])
            # not fsynced: a reload or a dead kernel still finds it (it is atomic all the same);
            # only a power cut could lose the last keystrokes, and an fsync per keystroke costs
            # 5-10 ms on a busy disk (docs/decisions.md #21)
            atomic_write_text(folder.drafts, dumps({"v": _VERSION, "drafts": kept}),
                              durable=False)
    except OSError as e:
        raise StorageError.could_not_write(folder.drafts, e, "The text typed is still in the "
                                           "page; nothing saved before was lost.") from e


def merge_in(folder: paths.TraineeFolder, data: bytes) -> tuple[list[str], list[str]]:
    """Drafts from a copy of this folder (a bundle, rupture_widgets.bundles): a key not here is
    added with its text and time; a key here keeps its own text. Returns (keys added, keys
    whose text differs and was kept as it is here). An unreadable copy adds nothing."""
    try:
        incoming = _valid(parse_json(data))
    except NotJSON as e:
        log.warning("Ignoring unreadable drafts in a bundle: %s", e)
        return [], []
    current = _read(folder)
    differing = [k for k, d in incoming.items() if k in current
                 and current[k]["text"] != d["text"]]
    if not any(k not in current and d["text"] for k, d in incoming.items()):
        return [], differing  # nothing new: no lock, no write
    folder.dir.mkdir(parents=True, exist_ok=True)
    with locked(folder.drafts_lock):
        current = _read(folder)
        new = {k: d for k, d in incoming.items() if k not in current and d["text"]}
        kept = dict(list({**new, **current}.items())[-MAX_DRAFTS:])  # this folder's are newer
        atomic_write_text(folder.drafts, dumps({"v": _VERSION, "drafts": kept}), durable=False)
    return list(new), differing
