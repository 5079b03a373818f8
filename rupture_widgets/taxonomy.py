"""The rupture taxonomy as data: markers, repair strategies, rubric, levels, difficulty thresholds.

Programmes substitute their own file (``load_taxonomy(path)`` or ``RUPTURE_TAXONOMY``); nothing in
the widgets hard-codes these lists.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .errors import TaxonomyError

DEFAULT_PATH = Path(__file__).parent / "data" / "taxonomy.json"


@dataclass(frozen=True)
class Marker:
    id: str
    family: str
    label: str
    example: str = ""


@dataclass(frozen=True)
class Strategy:
    id: str
    label: str
    kind: str = "other"


@dataclass(frozen=True)
class RubricItem:
    id: str
    label: str


@dataclass(frozen=True)
class Level:
    id: str
    label: str
    description: str = ""


@dataclass(frozen=True)
class Taxonomy:
    path: str
    families: dict[str, str]
    markers: dict[str, Marker]
    strategies: dict[str, Strategy]
    rubric_name: str
    rubric_items: tuple[RubricItem, ...]
    rubric_min: int
    rubric_max: int
    levels: tuple[Level, ...]
    move_down_at_or_above: int
    move_up_at_or_below: int
    roles: tuple[str, ...]
    #: Words for some points of the rubric scale, e.g. {1: "not characteristic", 5: "..."}
    rubric_anchors: dict = field(default_factory=dict)

    @property
    def level_ids(self) -> list[str]:
        return [lv.id for lv in self.levels]

    def suggest_level(self, current: str, difficulty: int) -> str | None:
        """The level to move to after a self-rated difficulty, or None to stay."""
        ids = self.level_ids
        i = ids.index(current)
        if difficulty >= self.move_down_at_or_above and i > 0:
            return ids[i - 1]
        if difficulty <= self.move_up_at_or_below and i < len(ids) - 1:
            return ids[i + 1]
        return None


def _require(obj: dict, key: str, where: str, problems: list[str], kind=None):
    if key not in obj:
        problems.append(f"{where}: missing '{key}'")
        return None
    if kind is not None and not isinstance(obj[key], kind):
        problems.append(f"{where}: '{key}' should be {kind.__name__}, got {obj[key]!r}")
        return None
    return obj[key]


def parse_taxonomy(data: dict, path: str = "<taxonomy>") -> Taxonomy:
    """Validate a taxonomy mapping, reporting every problem at once."""
    problems: list[str] = []
    if not isinstance(data, dict):
        raise TaxonomyError.problems_in(path, ["top level should be an object"])
    families = {f.get("id"): f.get("label", "") for f in data.get("families", [])}
    markers: dict[str, Marker] = {}
    for i, m in enumerate(_require(data, "markers", "taxonomy", problems, list) or []):
        where = f"markers[{i}]"
        mid, fam, label = (_require(m, k, where, problems, str) for k in ("id", "family", "label"))
        if mid in markers:
            problems.append(f"{where}: duplicate marker id {mid!r}")
        if fam is not None and fam not in families:
            problems.append(f"{where}: family {fam!r} is not one of {sorted(families)}")
        if mid and fam and label:
            markers[mid] = Marker(mid, fam, label, m.get("example", ""))
    strategies: dict[str, Strategy] = {}
    for i, s in enumerate(_require(data, "strategies", "taxonomy", problems, list) or []):
        where = f"strategies[{i}]"
        sid, label = (_require(s, k, where, problems, str) for k in ("id", "label"))
        if sid in strategies:
            problems.append(f"{where}: duplicate strategy id {sid!r}")
        if sid and label:
            strategies[sid] = Strategy(sid, label, s.get("kind", "other"))
    rubric = _require(data, "rubric", "taxonomy", problems, dict) or {}
    scale = rubric.get("scale", {"min": 1, "max": 5})
    items = []
    for i, it in enumerate(rubric.get("items", [])):
        iid, label = (_require(it, k, f"rubric.items[{i}]", problems, str) for k in ("id", "label"))
        if iid and label:
            items.append(RubricItem(iid, label))
    if rubric and not items:
        problems.append("rubric: needs at least one item")
    levels = []
    for i, lv in enumerate(_require(data, "levels", "taxonomy", problems, list) or []):
        lid, label = (_require(lv, k, f"levels[{i}]", problems, str) for k in ("id", "label"))
        if lid and label:
            levels.append(Level(lid, label, lv.get("description", "")))
    if not levels:
        problems.append("levels: needs at least one level")
    diff = data.get("difficulty", {})
    down, up = diff.get("move_down_at_or_above", 8), diff.get("move_up_at_or_below", 3)
    if not (isinstance(down, int) and isinstance(up, int) and up < down):
        problems.append(f"difficulty: move_up_at_or_below ({up!r}) must be an integer below "
                        f"move_down_at_or_above ({down!r})")
    if problems:
        raise TaxonomyError.problems_in(path, problems)
    return Taxonomy(
        path=path, families=families, markers=markers, strategies=strategies,
        rubric_name=rubric.get("name", rubric.get("id", "rubric")), rubric_items=tuple(items),
        rubric_min=int(scale.get("min", 1)), rubric_max=int(scale.get("max", 5)),
        levels=tuple(levels), move_down_at_or_above=down, move_up_at_or_below=up,
        roles=tuple(data.get("roles", ["instructor", "supervisor", "peer"])),
        rubric_anchors={int(k): str(v) for k, v in (scale.get("anchors") or {}).items()
                        if str(k).lstrip("-").isdigit()},
    )


@lru_cache(maxsize=8)
def _load(path: str) -> Taxonomy:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TaxonomyError.problems_in(path, ["file not found"]) from None
    except json.JSONDecodeError as e:
        raise TaxonomyError.problems_in(path, [f"not valid JSON: {e}"]) from None
    return parse_taxonomy(data, path)


def load_taxonomy(path: str | os.PathLike | None = None) -> Taxonomy:
    """Load the programme's taxonomy: ``path``, else ``$RUPTURE_TAXONOMY``, else the default."""
    chosen = path or os.environ.get("RUPTURE_TAXONOMY")
    if not chosen:  # the package's own file: resolved once (~0.2 ms; a store read asks per file)
        return _load(_default_resolved())
    return _load(str(Path(chosen).resolve()))


@lru_cache(maxsize=1)
def _default_resolved() -> str:
    return str(DEFAULT_PATH.resolve())
