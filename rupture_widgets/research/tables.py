"""Attempts, ratings, reviews, comments and strategies heard as tidy pandas tables.

One row per thing counted (an attempt, a rubric score, a comment, ...), with the dtypes of
``columns``: ids and taxonomy values as categoricals whose categories are the same in every
table of one load (so ``ratings.merge(attempts, on="attempt_id")`` keeps them), timestamps in
UTC, nullable numbers where a value can be missing. Every column is described in
docs/data-dictionary.md. ``source``: see ``sources`` (a workspace, a workspace or exchange
folder, or a list of workbooks).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from itertools import repeat
from operator import itemgetter

from ..errors import ResearchError
from ..taxonomy import load_taxonomy
from . import columns
from .sources import TraineeRecords, collector_paused, read_source

try:
    import numpy as np
    import pandas as pd
except ImportError:  # the trainee install leaves the research extra out
    raise ResearchError.unavailable("pandas") from None

log = logging.getLogger(__name__)

#: What an incomplete attempt's lost hints read as (workbook/records.py, orphan_record).
_UNKNOWN = "unknown"


@dataclass(frozen=True)
class Tables:
    """Every research table from one read of the source."""
    attempts: pd.DataFrame
    ratings: pd.DataFrame
    reviews: pd.DataFrame
    comments: pd.DataFrame
    strategies_heard: pd.DataFrame

    def as_dict(self) -> dict[str, pd.DataFrame]:
        return {name: getattr(self, name) for name in columns.TABLES}


def load_tables(source, *, audio: bool = False, catalog=None,
                progress: bool | None = None) -> Tables:
    """All five tables from one read of ``source``.

    ``audio``: also measure latency and speaking time from each recording's audio (the
    vad_* columns; needs ``rupture_widgets.research.timing``), else those columns are missing.
    ``catalog``: the clip library for salience (a ``Catalog`` or its folder; default the
    installed one). ``progress``: a progress bar; None shows one for more than a handful of
    workbooks.
    """
    with collector_paused():  # read and built in one pause (sources.collector_paused)
        tables = tables_from(read_source(source, progress=progress), audio=audio,
                             catalog=catalog, progress=progress)
    return tables  # (the records were freed with the call, before the collector resumed)


def tables_from(records: list[TraineeRecords], *, audio: bool = False, catalog=None,
                progress: bool | None = None) -> Tables:
    """The tables of records already read (``sources.read_source``)."""
    cats = _categories(records, load_taxonomy())
    attempts = _attempts_table(records, cats, audio=audio, catalog=catalog, progress=progress)
    rows = _review_rows(records)
    return Tables(attempts=attempts, **{name: _frame(name, rows[name], cats)
                                        for name in ("ratings", "reviews", "comments",
                                                     "strategies_heard")})


def load_attempts(source, *, audio: bool = False, catalog=None,
                  progress: bool | None = None) -> pd.DataFrame:
    """One row per attempt (deleted attempts excluded), in trainee then time order: the
    attempts table of ``load_tables``, without building the other four."""
    with collector_paused():
        records = read_source(source, progress=progress)
        table = _attempts_table(records, _categories(records, load_taxonomy(), reviews=False),
                                audio=audio, catalog=catalog, progress=progress)
        del records  # freed before the collector resumes, which would walk them all once more
    return table


def _attempts_table(records: list[TraineeRecords], cats: dict, *, audio: bool, catalog,
                    progress: bool | None) -> pd.DataFrame:
    attempts = _attempts(records, load_taxonomy(), cats, _salience(catalog))
    if audio:
        from .audio import add_audio_timing

        add_audio_timing(attempts, records, progress)
    return attempts


def load_ratings(source, *, progress: bool | None = None) -> pd.DataFrame:
    """One row per rubric score a reviewer gave."""
    return load_tables(source, progress=progress).ratings


def load_reviews(source, *, progress: bool | None = None) -> pd.DataFrame:
    """One row per review (a reviewer's feedback on an attempt)."""
    return load_tables(source, progress=progress).reviews


def load_comments(source, *, progress: bool | None = None) -> pd.DataFrame:
    """One row per comment pinned to a moment of an answer."""
    return load_tables(source, progress=progress).comments


def load_strategies_heard(source, *, progress: bool | None = None) -> pd.DataFrame:
    """One row per repair strategy a reviewer ticked as heard."""
    return load_tables(source, progress=progress).strategies_heard


# -- building ----------------------------------------------------------------------------------

def _categories(records: list[TraineeRecords], tax,
                reviews: bool = True) -> dict[str, pd.CategoricalDtype]:
    """The categories of every categorical column: taxonomy order for taxonomy values (all of
    them, practised or not, so a group-by shows the empty ones), first-seen order for ids.
    ``reviews=False``: not the reviewers' and reviews' ids (the attempts table has neither)."""
    ids = {
        "trainee_id": [t.trainee_id for t in records],
        "attempt_id": [a["id"] for t in records for a in t.records],
        "clip_id": sorted({a["clip_id"] for t in records for a in t.records} - {_UNKNOWN}),
        "workshop": sorted({a.get("workshop") for t in records for a in t.records} - {None}),
    }
    if reviews:
        given = [r for t in records for rs in t.reviews.values() for r in rs]
        ids["reviewer_id"] = sorted({r.reviewer_id for r in given if r.reviewer_id})
        ids["review_id"] = list(dict.fromkeys(r.feedback.id for r in given))
    # (as text even when there are none: an empty categorical of objects reads back from
    # Parquet as plain objects, e.g. the workshop column of a workspace with no workshop)
    out = {name: pd.CategoricalDtype(pd.Index(values, dtype=str)) for name, values in ids.items()}
    out.update({
        "marker": pd.CategoricalDtype(list(tax.markers)),
        "family": pd.CategoricalDtype(list(tax.families)),
        "level": pd.CategoricalDtype(tax.level_ids, ordered=True),
        "status": pd.CategoricalDtype(["complete", "incomplete"]),
        "reviewer_role": pd.CategoricalDtype([*tax.roles, "notebook"]),
        "item": pd.CategoricalDtype([it.id for it in tax.rubric_items]),
        "strategy": pd.CategoricalDtype(list(tax.strategies)),
    })
    return out


def _frame(table: str, data: dict[str, list], cats: dict) -> pd.DataFrame:
    """``data`` (column -> values) as the table's columns with their dtypes; a value outside
    a fixed set of categories (a marker the programme's taxonomy no longer has) is missing,
    and said so in the log. Each column is made in one go from its list (no per-row pandas)."""
    out = {}
    for name, dtype, _ in columns.TABLES[table]:
        values = data.get(name, [])
        if isinstance(values, (pd.Categorical, pd.arrays.IntegerArray)):  # made from codes
            series, lost = pd.Series(values, name=name, copy=False), 0  # (``_attempts``)
        elif dtype == "category":
            series = pd.Series(_categorical(values, cats[name]), name=name, copy=False)
            lost = series.isna().sum() - values.count(None) - values.count(_UNKNOWN)
            if lost:
                log.warning("%s.%s: %d value(s) not in the taxonomy read as missing (%s)",
                            table, name, lost, sorted({str(v) for v in values}
                                                      - set(map(str, cats[name].categories))))
        elif dtype == columns.UTC_TIME:
            series = pd.to_datetime(pd.Series(values, dtype="object", name=name), utc=True,
                                    format="ISO8601").dt.as_unit("ns")
        elif dtype == "Float64" and values.count(None) == len(values):  # the vad_* columns
            series = pd.Series(pd.arrays.FloatingArray(np.zeros(len(values)),  # unmeasured
                                                       np.ones(len(values), dtype=bool)),
                               name=name, copy=False)
        else:
            series = pd.Series(values, dtype=dtype, name=name)
        out[name] = series
    return pd.DataFrame(out, copy=False)


def _categorical(values: list, dtype: pd.CategoricalDtype) -> pd.Categorical:
    """``pd.Categorical(values, dtype=dtype)``, by looking each value up in a dict of the
    categories: ~6x faster on a study's 50,000 rows, and a value outside them (the "unknown"
    of an incomplete attempt's lost hints) is missing without pandas' deprecation warning."""
    return pd.Categorical.from_codes(_codes(values, dtype), dtype=dtype, validate=False)


def _codes(values: list, dtype: pd.CategoricalDtype) -> np.ndarray:
    """Each value's position among the categories, -1 where it is none of them."""
    index = {c: i for i, c in enumerate(dtype.categories.tolist())}  # (not an Index's slow
    # iteration: pandas 3 keeps strings in Arrow)
    return np.fromiter(map(index.get, values, repeat(-1)), dtype=np.int64, count=len(values))


def _by_clip_and_marker(col: dict, tax, cats: dict, salience: dict[str, int]) -> dict | None:
    """The clip_id, marker, family and salience columns from one lookup of each attempt's clip
    and marker (numpy takes the rest), exactly as the lists ``_attempts`` would otherwise make;
    None where that cannot be promised (a marker whose family the taxonomy does not list, a
    salience that is not a whole number), and the lists are made."""
    clips, markers = cats["clip_id"].categories.tolist(), cats["marker"].categories.tolist()
    families = {f: i for i, f in enumerate(cats["family"].categories.tolist())}
    family_of = [families.get(tax.markers[m].family, -1) for m in markers]
    sal = [salience.get(c) for c in clips] + [salience.get(_UNKNOWN)]  # [-1]: the unknown clip
    if -1 in family_of or any(v is not None and type(v) is not int for v in sal):
        return None
    clip, marker = _codes(col["clip_id"], cats["clip_id"]), _codes(col["marker"], cats["marker"])
    sal_values = np.array([0 if v is None else v for v in sal], dtype=np.int64)
    sal_missing = np.array([v is None for v in sal], dtype=bool)
    return {
        # every clip id but "unknown" is a category (``_categories``): none is lost
        "clip_id": pd.Categorical.from_codes(clip, dtype=cats["clip_id"], validate=False),
        # a marker the taxonomy does not have reads as missing, never as lost
        "marker": pd.Categorical.from_codes(marker, dtype=cats["marker"], validate=False),
        "family": pd.Categorical.from_codes(np.array(family_of + [-1], dtype=np.int64)[marker],
                                            dtype=cats["family"], validate=False),
        "salience": pd.arrays.IntegerArray(sal_values[clip], sal_missing[clip]),
    }


def _salience(catalog) -> dict[str, int]:
    """Clip id -> salience from the clip library; empty (salience missing) if it cannot load."""
    from ..errors import RuptureError
    from ..library.catalog import Catalog, load_catalog

    if not isinstance(catalog, Catalog):
        try:
            catalog = load_catalog(catalog)
        except (RuptureError, OSError) as e:
            log.warning("No clip library for salience (%s): the salience column is missing", e)
            return {}
    return {clip.id: clip.salience for clip in catalog}


#: The fields of an attempt record its row reads as they are.
_READ = ("id", "clip_id", "marker", "level", "created_at", "duration_s", "latency_s",
         "speaking_s", "status", "self_assessment")
_CLIP = itemgetter("clip_id")


def _attempts(records: list[TraineeRecords], tax, cats: dict,
              salience: dict[str, int]) -> pd.DataFrame:
    """Built column by column from the records (no row objects: a study has 50,000 rows)."""
    recs = [a for t in records for a in t.records]
    col = dict(zip(_READ, map(list, zip(*map(itemgetter(*_READ), recs))))) if recs \
        else {name: [] for name in _READ}
    sas = col["self_assessment"]
    numbers: list = []
    overall: list = []
    n_sent: list[int] = []
    n_reviews: list[int] = []
    for t in records:
        if t.all_attempts:  # attempts are in time order: count per clip
            seen: dict = {}
            for clip in map(_CLIP, t.records):
                seen[clip] = n = seen.get(clip, 0) + 1
                numbers.append(n)
            overall += range(1, len(t.records) + 1)  # the learning curve's x: practice so far
        else:
            numbers += [None] * len(t.records)
            overall += [None] * len(t.records)
        n_sent += [t.sends(a) for a in t.records] if t.n_sent \
            else [len(a["sent_to"]) for a in t.records]
        n_reviews += [len(t.reviews.get(a["id"], ())) for a in t.records] if t.reviews \
            else [0] * len(t.records)
    families = {m: marker.family for m, marker in tax.markers.items()}
    by_clip = _by_clip_and_marker(col, tax, cats, salience) or {
        "clip_id": col["clip_id"],
        "marker": [m if m in families else None for m in col["marker"]],
        "family": [families.get(m) for m in col["marker"]],
        "salience": [salience.get(c) for c in col["clip_id"]]}
    ids, trainees = col["id"], [t.trainee_id for t in records for _ in t.records]
    if len(cats["attempt_id"].categories) == len(ids) \
            and len(cats["trainee_id"].categories) == len(records):
        # ``_categories`` made these categories of exactly these values, in this order
        ids = pd.Categorical.from_codes(np.arange(len(ids)), dtype=cats["attempt_id"],
                                        validate=False)
        trainees = pd.Categorical.from_codes(
            np.repeat(np.arange(len(records)), [len(t.records) for t in records]),
            dtype=cats["trainee_id"], validate=False)
    data = {
        "attempt_id": ids,
        "trainee_id": trainees,
        "clip_id": by_clip["clip_id"], "marker": by_clip["marker"],
        "family": by_clip["family"], "level": col["level"], "salience": by_clip["salience"],
        "attempt_number": numbers,
        "practice_number": overall,
        "recorded_at": col["created_at"],
        "duration_s": col["duration_s"], "latency_s": col["latency_s"],
        "speaking_s": col["speaking_s"],
        "vad_latency_s": [None] * len(recs), "vad_speaking_s": [None] * len(recs),
        "difficulty": [sa["difficulty"] if sa else None for sa in sas],
        "strategies": [";".join(sa["strategies"]) if sa else None for sa in sas],
        "note": [sa.get("note", "") if sa else None for sa in sas],
        "status": col["status"],
        "n_sent": n_sent, "sent": [n > 0 for n in n_sent],
        "n_reviews": n_reviews, "returned": [n > 0 for n in n_reviews],
        "best": [bool(a.get("best", False)) for a in recs],
        "workshop": [a.get("workshop") for a in recs],
    }
    return _frame("attempts", data, cats)


def _review_rows(records: list[TraineeRecords]) -> dict[str, dict[str, list]]:
    rows = {name: {c: [] for c, _, _ in columns.TABLES[name]}
            for name in ("ratings", "reviews", "comments", "strategies_heard")}

    def add(table: str, **values) -> None:
        for name, value in values.items():
            rows[table][name].append(value)

    for t in records:
        if not t.reviews:
            continue
        for a in t.records:
            for r in t.reviews.get(a["id"], ()):
                f = r.feedback
                who = {"review_id": f.id, "attempt_id": a["id"], "trainee_id": t.trainee_id,
                       "reviewer_id": r.reviewer_id}
                add("reviews", **who, reviewer_role=f.role, rated_at=f.created_at,
                    returned_at=r.returned_at, n_scores=len(f.ratings),
                    n_comments=len(f.comments), n_strategies=len(f.strategies),
                    summary=f.summary)
                for item, score in f.ratings.items():
                    add("ratings", **who, reviewer_role=f.role, item=item, score=score,
                        rated_at=f.created_at)
                for c in f.comments:
                    add("comments", **who, t_s=float(c["t"]), text=c["text"])
                for s in f.strategies:
                    add("strategies_heard", **who, strategy=s)
    return rows
