"""`rupture export --deidentify OUT`: the research tables as CSV and Parquet, de-identified.

What goes out: every table of ``tables`` (docs/data-dictionary.md) with trainee and reviewer
ids, attempt ids and review ids replaced by keyed pseudonyms (``pseudonyms``); clip ids,
markers, levels, times, timings and scores as they are. What never goes out: media, display
names, file paths, and free text (self-assessment notes, comments, review summaries) unless
``include_text``; then the full names and ids of the people in the workspace are replaced by
their pseudonyms in it, but a first name or a nickname typed in the text is not found (the
export's README says so). Identified tables are not exported at all (docs/decisions.md #29).

The export is written into a fresh folder beside OUT and renamed into place at the end, so an
interrupted export leaves no half-written OUT.
"""
from __future__ import annotations

import os
import re
import secrets
import shutil
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from ..errors import ResearchError
from . import columns
from .pseudonyms import Pseudonyms, default_key_path, load_or_create_key

PARQUET_CODEC = "zstd"


@dataclass(frozen=True)
class Export:
    out: Path
    key_path: Path
    key_created: bool
    rows: dict[str, int]
    include_text: bool


def export_deidentified(workspace, out, *, include_text: bool = False, key_path=None,
                        progress: bool | None = None) -> Export:
    """Write the de-identified tables of ``workspace`` into the new folder ``out``."""
    from ..exchange import open_exchange
    from ..workbook import Workspace, paths
    from .sources import read_source
    from .tables import tables_from  # says which package is missing, if one is

    try:
        import pyarrow  # noqa: F401  (Parquet)
    except ImportError:
        raise ResearchError.unavailable("pyarrow") from None

    ws = workspace if isinstance(workspace, Workspace) else Workspace(workspace)
    if not paths.trainees_dir(ws.root).is_dir():
        raise ResearchError(f"{ws.root} is not a workspace (it has no trainees/ folder); give "
                            "the workspace with --workspace DIR.")
    out = Path(out).expanduser().resolve()
    key_path = Path(key_path).expanduser().resolve() if key_path else default_key_path(ws.root)
    _check_out(out, ws.root, open_exchange(ws).root, key_path)
    key, created = load_or_create_key(key_path)
    pseudonyms = Pseudonyms(key)
    records = read_source(ws, progress=progress)
    tables = deidentify(tables_from(records, progress=progress).as_dict(), pseudonyms,
                        include_text=include_text, names=_names(records))
    tmp = out.parent / f".{out.name}.partial-{secrets.token_hex(4)}"
    tmp.mkdir(mode=0o700, parents=True)
    try:
        for name, df in tables.items():
            df.to_csv(tmp / f"{name}.csv", index=False)
            df.to_parquet(tmp / f"{name}.parquet", index=False, engine="pyarrow",
                          compression=PARQUET_CODEC)
        (tmp / "README.md").write_text(readme(tables, pseudonyms, include_text),
                                       encoding="utf-8")
        if out.exists():
            out.rmdir()  # empty (checked): the export takes its place
        os.rename(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return Export(out, key_path, created, {n: len(df) for n, df in tables.items()},
                  include_text)


def _check_out(out: Path, workspace: Path, exchange: Path, key_path: Path) -> None:
    """Refuse an OUT that would mix the export with identified data or overwrite anything."""
    for where, what in ((workspace, "the workspace"), (exchange, "the exchange folder")):
        if out == where or out.is_relative_to(where):
            raise ResearchError(f"{out} is inside {what} {where}; a de-identified export must "
                                "be kept apart from the identified data. Choose a folder "
                                "outside it.")
    if out.exists() and not out.is_dir():
        raise ResearchError(f"{out} is a file; give a new folder for the export.")
    if out.is_dir() and any(out.iterdir()):
        raise ResearchError(f"{out} is not empty; give a new (or empty) folder, so nothing "
                            "already there is overwritten or mistaken for part of the export.")
    if key_path == out or key_path.is_relative_to(out):
        raise ResearchError(f"The pseudonym key {key_path} would be inside the export {out}; "
                            "the key must be kept apart from it (it links pseudonyms to ids).")


def _names(records) -> dict[str, str]:
    """Every person's id and full name -> the id their pseudonym is made from."""
    out: dict[str, str] = {}
    for t in records:
        out[t.trainee_id] = t.trainee_id
        if t.display_name:
            out[t.display_name] = t.trainee_id
        for reviews in t.reviews.values():
            for r in reviews:
                if r.reviewer_id:
                    out[r.reviewer_id] = r.reviewer_id
                    out[r.feedback.reviewer.strip()] = r.reviewer_id
    return out


def deidentify(tables: dict, pseudonyms: Pseudonyms, *, include_text: bool = False,
               names: dict[str, str] | None = None) -> dict:
    """Copies of ``tables`` with ids pseudonymised and free text dropped (or, with
    ``include_text``, the ``names`` in it replaced by pseudonyms)."""
    kinds = {**{c: "person" for c in columns.PERSON_IDS}, "attempt_id": "attempt",
             "review_id": "review"}
    out = {}
    for name, df in tables.items():
        df = df.copy()
        for col, kind in kinds.items():
            if col in df:
                # every category, used or not: an unused one would otherwise stay in the file
                df[col] = df[col].cat.rename_categories(
                    pseudonyms.mapping(kind, df[col].cat.categories))
        for col in columns.FREE_TEXT.get(name, ()):
            if not include_text:
                df = df.drop(columns=col)
            elif names:
                df[col] = _redact(df[col], names, pseudonyms)
        out[name] = df
    return out


def _redact(text, names: dict[str, str], pseudonyms: Pseudonyms):
    """Full names and ids in free text replaced by the person's pseudonym (longest first, so a
    name is not half-replaced by an id inside it), ignoring case."""
    if not names:
        return text
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True) if n)
    # whole words only: the id "jo" must not eat the "jo" of "join"
    pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)
    lookup = {n.casefold(): pseudonyms.of("person", i) for n, i in names.items()}
    return text.str.replace(pattern, lambda m: lookup.get(m.group(0).casefold(), "[name]"),
                            regex=True)


def readme(tables: dict, pseudonyms: Pseudonyms, include_text: bool) -> str:
    meanings = {t: {c: m for c, _, m in cols} for t, cols in columns.TABLES.items()}
    made = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# De-identified practice data (rupture-widgets)", "",
        f"Exported {made}. Pseudonym key id: `{pseudonyms.key_id()}` (exports with the same key "
        "id share pseudonyms, so they can be joined).", "",
        "Each table is here twice: `<table>.csv` (UTF-8, times in ISO 8601 with their UTC "
        f"offset) and `<table>.parquet` ({PARQUET_CODEC}-compressed, dtypes kept: read it with "
        "`pandas.read_parquet`). Join the tables on `attempt_id` and `review_id`.", "",
        "## Pseudonymisation", "",
        "- Trainee and reviewer ids are replaced by `p-` + 16 hex digits of HMAC-SHA256 under "
        "a secret key that is not part of this export. The same person has the same pseudonym "
        "in every table and in every export made with this key (a peer who both practises and "
        "reviews is one pseudonym). Without the key the ids cannot be recomputed.",
        "- Attempt and review ids are replaced the same way (`a-`, `r-`).",
        "- Clip ids, markers, levels, times, timings, self-ratings and scores are as recorded. "
        "Times can still single out a person to someone who knows when they practised.",
        "- Left out: recordings and all other media, display names, file paths"
        + ("." if include_text else ", and all free text (self-assessment notes, comments, "
           "review summaries: the columns `note`, `text` and `summary`)."),
    ]
    if include_text:
        lines.append("- Free text is included (`--include-text`): the full names and ids of "
                     "the people in the workspace are replaced by their pseudonyms in it, but "
                     "first names, nicknames or other details typed in the text are not "
                     "found. Read it before sharing.")
    lines += ["", "## Tables", ""]
    for name, df in tables.items():
        rows = f"{len(df)} row{'' if len(df) == 1 else 's'}"
        lines += [f"### {name} ({rows})", "", "| column | dtype | meaning |", "|---|---|---|"]
        lines += [f"| `{c}` | {df[c].dtype} | {meanings[name][c]} |" for c in df.columns]
        lines.append("")
    lines.append("The full data dictionary (where each column comes from, when it is missing) "
                 "is docs/data-dictionary.md in rupture-widgets.")
    return "\n".join(lines) + "\n"


def main(args) -> int:
    """`rupture export --deidentify OUT [--workspace DIR] [--include-text] [--key FILE]`."""
    from ..workbook import Workspace

    done = export_deidentified(Workspace(args.workspace), args.deidentify,
                               include_text=args.include_text, key_path=args.key)
    print(f"Pseudonym key: {done.key_path} ({'created now' if done.key_created else 'existing'}"
          "; keep it private and apart from the export: the same key gives the same pseudonyms "
          "next time)")
    counts = ", ".join(f"{n} {name}" for name, n in done.rows.items())
    print(f"Wrote a de-identified export to {done.out}: {counts}"
          + (" (free text included)." if done.include_text else "."))
    return 0
