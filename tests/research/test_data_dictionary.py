"""docs/data-dictionary.md documents every column of every table, in order, with the dtype the
code produces on a real workspace: the document and the code are kept in step here."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from rupture_widgets.research import load_tables
from rupture_widgets.research.columns import TABLES

DOC = Path(__file__).resolve().parents[2] / "docs" / "data-dictionary.md"
HEADER = ["column", "dtype", "meaning", "from", "missing when"]


def documented() -> dict[str, list[list[str]]]:
    """``## table`` -> the rows of the table below it, as lists of cells."""
    out: dict[str, list[list[str]]] = {}
    table = None
    for line in DOC.read_text(encoding="utf-8").splitlines():
        heading = re.fullmatch(r"## (\w+)", line)
        if heading:
            table = heading.group(1)
            continue
        if table and line.startswith("|") and not line.startswith("|---"):
            cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
            if cells == HEADER:
                out[table] = []
            else:
                assert len(cells) == len(HEADER), line
                out[table].append(cells)
    return out


def test_the_document_has_a_section_for_every_table_and_no_other():
    assert list(documented()) == list(TABLES)


@pytest.mark.parametrize("table", list(TABLES))
def test_every_column_is_documented_in_order_with_the_dtype_produced(study, table):
    df = load_tables(study.ws).as_dict()[table]
    assert len(df) > 0  # a real table, so the dtypes below are those of real data
    rows = documented()[table]
    names = [re.fullmatch(r"`(\w+)`", r[0]).group(1) for r in rows]
    assert names == list(df.columns)
    dtypes = {n: re.fullmatch(r"`([^`]+)`", r[1]).group(1) for n, r in zip(names, rows)}
    assert dtypes == {c: str(t) for c, t in df.dtypes.items()}
    empty = [(r[0], HEADER[i]) for r in rows for i, cell in enumerate(r) if not cell]
    assert not empty


def test_the_meanings_in_the_code_name_the_same_columns():
    """columns.py's one-line meanings go into the export's README; same names, same order."""
    doc = documented()
    for table, cols in TABLES.items():
        assert [f"`{c}`" for c, _, _ in cols] == [r[0] for r in doc[table]]
