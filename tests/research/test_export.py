"""`rupture export --deidentify`: no id, name or free text of the workspace anywhere in the
export's bytes, compressed or not; stable pseudonyms under one key, others under another; and
the refusals that keep an export apart from the identified data.

How the Parquet files are scanned: their raw bytes (footer, schema, statistics and any page
stored uncompressed), every decoded value of every column (dictionaries included), the
key-value metadata (pandas' schema), and the same table re-written uncompressed. The pages
themselves are zstd-compressed, so the decoded values are what stands for their content."""
from __future__ import annotations

import io
import os
import stat

import pandas as pd
import pyarrow.parquet as pq
import pytest

from _study import COMMENT, NOTE, SUMMARY
from rupture_widgets.cli import main
from rupture_widgets.research import load_tables
from rupture_widgets.research.pseudonyms import default_key_path


def export(study, out, *extra) -> int:
    return main(["export", "--deidentify", str(out), "--workspace", str(study.ws.root),
                 *map(str, extra)])


def parquet_texts(path) -> list[bytes]:
    """Everything a Parquet file says, decompressed: see the module docstring."""
    f = pq.ParquetFile(path)
    table = f.read()
    out = [path.read_bytes(), repr(f.schema_arrow.metadata).encode(), repr(f.metadata).encode()]
    for column in table.columns:
        out.append("\n".join(map(str, column.to_pylist())).encode("utf-8"))
    for g in range(f.metadata.num_row_groups):
        for c in range(f.metadata.num_columns):
            stats = f.metadata.row_group(g).column(c).statistics
            if stats is not None and stats.has_min_max:
                out.append(f"{stats.min!r} {stats.max!r}".encode("utf-8"))
    plain = io.BytesIO()
    pq.write_table(table, plain, compression="none")
    out.append(plain.getvalue())
    return out


def everything_in(out) -> bytes:
    parts = []
    for p in sorted(out.rglob("*")):
        parts += parquet_texts(p) if p.suffix == ".parquet" else [p.read_bytes()]
    return b"\n".join(parts).lower()


def found(haystack: bytes, needles) -> list[str]:
    return [n for n in needles if n.casefold().encode("utf-8") in haystack
            or n.lower().encode("utf-8") in haystack]


def test_no_id_or_name_of_the_workspace_is_anywhere_in_the_export(study, tmp_path, capsys):
    assert export(study, tmp_path / "out") == 0
    files = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert files == sorted(["README.md"] + [f"{t}.{ext}" for t in
                                            ("attempts", "ratings", "reviews", "comments",
                                             "strategies_heard") for ext in ("csv", "parquet")])
    data = everything_in(tmp_path / "out")
    attempt_ids = [a.id for a in study.attempts.values()]
    assert len(study.people_ids) == 5 and "t-" in study.ids["王小明"]
    assert found(data, [*study.people_ids, *study.names, *attempt_ids]) == []
    assert found(data, [NOTE, COMMENT, SUMMARY, "Then you rushed"]) == []  # no --include-text
    assert b"webm" not in data and str(study.ws.root).lower().encode() not in data
    # ... while the tables are all there, under pseudonyms
    ratings = pd.read_parquet(tmp_path / "out" / "ratings.parquet")
    assert len(ratings) == 6 and ratings.trainee_id.astype(str).str.match(r"p-[0-9a-f]{16}$").all()
    attempts = pd.read_csv(tmp_path / "out" / "attempts.csv")
    assert len(attempts) == 7 and attempts.attempt_id.str.match(r"a-[0-9a-f]{16}$").all()
    assert "note" not in attempts and set(attempts.clip_id) == {c.id for c in study.clips}


def test_the_parquet_tables_keep_the_dtypes_of_the_loaded_tables(study, tmp_path):
    export(study, tmp_path / "out")
    loaded = load_tables(study.ws).as_dict()
    for name, df in loaded.items():
        back = pd.read_parquet(tmp_path / "out" / f"{name}.parquet")
        kept = [c for c in df.columns if c in back.columns]
        assert {c: str(back[c].dtype) for c in kept} == {c: str(df[c].dtype) for c in kept}
        assert len(back) == len(df)


def test_the_same_key_gives_the_same_pseudonyms_and_another_key_others(study, tmp_path):
    export(study, tmp_path / "one")
    export(study, tmp_path / "two")
    export(study, tmp_path / "three", "--key", tmp_path / "other.key")
    for table in ("attempts", "ratings", "comments", "strategies_heard"):
        assert ((tmp_path / "one" / f"{table}.csv").read_bytes()
                == (tmp_path / "two" / f"{table}.csv").read_bytes())
    one = pd.read_csv(tmp_path / "one" / "ratings.csv")
    three = pd.read_csv(tmp_path / "three" / "ratings.csv")
    for col in ("trainee_id", "reviewer_id", "attempt_id", "review_id"):
        assert set(one[col]).isdisjoint(three[col]), col
        # the same structure: a pseudonym stands for one id, whatever the key
        assert one.groupby(col).size().sort_values().tolist() == \
            three.groupby(col).size().sort_values().tolist()
    assert one.drop(columns=["trainee_id", "reviewer_id", "attempt_id", "review_id"]).equals(
        three.drop(columns=["trainee_id", "reviewer_id", "attempt_id", "review_id"]))


def test_the_key_is_made_once_private_and_outside_the_export_and_its_place_printed(
        study, tmp_path, capsys):
    key = default_key_path(study.ws.root)
    assert not key.exists()
    export(study, tmp_path / "one")
    said = capsys.readouterr().out
    assert f"Pseudonym key: {key} (created now" in said
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert stat.S_IMODE(key.parent.stat().st_mode) == 0o700
    assert len(bytes.fromhex(key.read_text())) == 32
    assert key.read_text().strip().lower().encode() not in everything_in(tmp_path / "one")
    export(study, tmp_path / "two")
    assert f"Pseudonym key: {key} (existing" in capsys.readouterr().out


def test_free_text_only_with_include_text_and_the_known_names_in_it_replaced(study, tmp_path):
    alex = study.ws.workbook("alex.morgan")
    alex.set_self_assessment(study.attempts["alex-c3-2"].id, difficulty=4,
                             note="Dr Sam Rivera told ALEX MORGAN (alex.morgan) to slow down")
    assert export(study, tmp_path / "out", "--include-text") == 0
    data = everything_in(tmp_path / "out")
    assert found(data, [NOTE, COMMENT, SUMMARY, "told", "to slow down"]) == [
        NOTE, COMMENT, SUMMARY, "told", "to slow down"]
    assert found(data, [*study.people_ids, *study.names]) == []
    notes = pd.read_parquet(tmp_path / "out" / "attempts.parquet").note.dropna()
    redacted = next(n for n in notes if "slow down" in n)
    assert redacted.count("p-") == 3
    assert "first names" in (tmp_path / "out" / "README.md").read_text()


def test_an_identified_export_is_refused(study, tmp_path, capsys):
    assert main(["export", "--workspace", str(study.ws.root)]) == 2
    assert "de-identified tables only" in capsys.readouterr().err


@pytest.mark.parametrize("where, message", [
    ("nonempty", "is not empty"), ("workspace", "inside the workspace"),
    ("in-workspace", "inside the workspace"), ("exchange", "inside the workspace"),
    ("file", "is a file")])
def test_an_export_is_refused_where_it_would_mix_or_overwrite(study, tmp_path, capsys, where,
                                                               message):
    out = {"nonempty": tmp_path / "taken", "workspace": study.ws.root,
           "in-workspace": study.ws.root / "export", "exchange": study.ws.root / "exchange",
           "file": tmp_path / "a-file"}[where]
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "keep.txt").write_text("mine")
    (tmp_path / "a-file").write_text("mine")
    assert export(study, out) == 2
    assert message in capsys.readouterr().err
    assert (tmp_path / "taken" / "keep.txt").read_text() == "mine"
    assert not default_key_path(study.ws.root).exists()  # refused before anything was made
    assert not list(tmp_path.glob(".*partial*"))


def test_an_empty_out_folder_is_used_and_a_key_inside_out_refused(study, tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert export(study, tmp_path / "empty") == 0
    assert (tmp_path / "empty" / "attempts.parquet").is_file()
    assert export(study, tmp_path / "new", "--key", tmp_path / "new" / "k.key") == 2
    assert "would be inside the export" in capsys.readouterr().err


def test_a_key_others_can_read_or_that_is_not_a_key_is_refused(study, tmp_path, capsys):
    key = tmp_path / "shared.key"
    key.write_text(os.urandom(32).hex())
    key.chmod(0o644)
    assert export(study, tmp_path / "one", "--key", key) == 2
    assert "chmod 600" in capsys.readouterr().err
    key.chmod(0o600)
    key.write_text("not a key")
    assert export(study, tmp_path / "two", "--key", key) == 2
    assert "not a key this tool wrote" in capsys.readouterr().err
    assert not (tmp_path / "one").exists() and not (tmp_path / "two").exists()
