"""Whether the library covers the marker x level grid: in every cell, enough clips, voiced by
different clients.

A trainee who practises one marker at one level should meet it from more than one client, or
they learn a face and a voice instead of a marker. Cells come from the taxonomy, so a marker the
library never shows is a gap, not an absence.
"""
from __future__ import annotations

from dataclasses import dataclass

from .catalog import Clip
from .thresholds import Thresholds


@dataclass(frozen=True)
class Cell:
    marker: str
    level: str
    clips: tuple[str, ...]      # clip ids
    personas: tuple[str, ...]   # distinct persona ids, in catalog order


def coverage_grid(clips, markers, levels) -> list[Cell]:
    """Every marker x level cell, markers in taxonomy order and levels within each."""
    cells = []
    for marker in markers:
        for level in levels:
            here: list[Clip] = [c for c in clips if c.marker == marker and c.level == level]
            personas = tuple(dict.fromkeys(c.persona.id for c in here))
            cells.append(Cell(marker, level, tuple(c.id for c in here), personas))
    return cells


def coverage_problems(cells: list[Cell], limits: Thresholds) -> list[str]:
    """One problem per cell short of clips or of different clients ('library: coverage: ...')."""
    need = limits.clips_per_cell
    if need <= 0:
        return []
    wanted = f"(at least {need}, by different personas)" if need > 1 else "(at least 1)"
    problems = []
    for cell in cells:
        n = len(cell.clips)
        where = f"{cell.marker} x {cell.level}"
        if n < need:
            has = "no clip" if n == 0 else f"{n} clip{'s' if n != 1 else ''}"
            problems.append(f"{where} has {has} {wanted}")
        elif len(cell.personas) == 1:
            problems.append(f"{where} has {n} clips, all by {cell.personas[0]} {wanted}")
        elif len(cell.personas) < need:
            problems.append(f"{where} has {n} clips by only {len(cell.personas)} personas "
                            f"({' and '.join(cell.personas)}) {wanted}")
    return problems


def grid_table(counts: dict[str, int], markers, levels) -> str:
    """Clip counts ({"W1 x beginner": 2, ...}) as a small table, markers down, levels across."""
    width = max(len(lv) for lv in levels) + 2
    rows = ["marker" + "".join(lv.rjust(width) for lv in levels)]
    for m in markers:
        rows.append(m.ljust(6) + "".join(str(counts.get(f"{m} x {lv}", 0)).rjust(width)
                                         for lv in levels))
    return "\n".join(rows)
