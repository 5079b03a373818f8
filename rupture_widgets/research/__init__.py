"""For researchers: attempts and ratings as tidy pandas tables, and a de-identified export.

Needs the research extra (``pip install 'rupture-widgets[research]'``: pandas, pyarrow, tqdm);
the trainee app never imports this package (docs/decisions.md #8).

sources.py     what the tables are read from: a workspace, workbooks, an exchange folder
columns.py     every table's columns: name, dtype, meaning (docs/data-dictionary.md)
tables.py      load_attempts, load_ratings, load_reviews, load_comments, load_strategies_heard
audio.py       the vad_* columns, filled by research.timing's measure_recording
pseudonyms.py  the keyed hash (HMAC-SHA256) and its key, kept outside any export
export.py      `rupture export --deidentify OUT`: CSV + Parquet + README, no names, no media

The names below are imported on first use, so ``import rupture_widgets.research.timing`` (say)
does not import pandas.
"""
from __future__ import annotations

__all__ = ["load_tables", "load_attempts", "load_ratings", "load_reviews", "load_comments",
           "load_strategies_heard", "Tables"]
_TABLES = frozenset(__all__)


def __getattr__(name: str):
    if name in _TABLES:
        from . import tables

        return getattr(tables, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
