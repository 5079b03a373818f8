"""Adding clips to a library's ``catalog.json``: replace by id, keep everything else as it was.

The catalog is rewritten atomically (temp file, fsync, replace) so an interrupted build or add
never leaves a half-written catalog; entries keep their order, new ones go at the end.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from .catalog import SCHEMA_VERSION, default_clips_dir, read_catalog
from ..errors import CatalogError


def clips_dir(path=None) -> Path:
    return Path(path) if path else default_clips_dir()


def read_raw(root: Path) -> dict:
    path = root / "catalog.json"
    if not path.exists():
        return {"schema_version": SCHEMA_VERSION, "personas": {}, "clips": []}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise CatalogError.problems_in(path, [f"catalog: file: not valid JSON ({e})"]) from None
    data.setdefault("personas", {})
    data.setdefault("clips", [])
    return data


def write_raw(root: Path, data: dict) -> None:
    root.mkdir(parents=True, exist_ok=True)
    path = root / "catalog.json"
    tmp = path.with_name(path.name + ".part")
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        f.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def put_clip(root: Path, entry: dict, persona_id: str | None = None,
             persona: dict | None = None) -> None:
    """Add ``entry`` (or replace the clip with its id) and, if given, its persona."""
    data = read_raw(root)
    if persona_id and persona is not None:
        data["personas"][persona_id] = persona
    clips = data["clips"]
    for i, old in enumerate(clips):
        if isinstance(old, dict) and old.get("id") == entry["id"]:
            clips[i] = entry
            break
    else:
        clips.append(entry)
    write_raw(root, data)


def problems_for(root: Path, clip_id: str) -> list[str]:
    """The catalog's problems that concern one clip (others are not this command's business)."""
    _, problems = read_catalog(root)
    return [p for p in problems if p.startswith(f"{clip_id}:") or p.startswith("catalog:")]
