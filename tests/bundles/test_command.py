"""`rupture bundle export` and `rupture bundle import`, through ``rupture_widgets.cli.main``."""
from __future__ import annotations

from _bundle_fixtures import TRAINEE
from rupture_widgets.cli import main
from rupture_widgets.workbook import Workspace


def test_export_then_import_several_bundles_one_of_them_damaged(practised, tmp_path, capsys):
    ws, wb, ids, _ = practised
    out = tmp_path / "alex.zip"
    assert main(["bundle", "export", "--trainee", TRAINEE, "--workspace", str(ws.root),
                 str(out)]) == 0
    assert f"Wrote {out}" in capsys.readouterr().out
    assert main(["bundle", "export", "--trainee", TRAINEE, "--workspace", str(ws.root),
                 str(out)]) == 2  # an earlier bundle is never overwritten
    assert "exists already" in capsys.readouterr().err

    damaged = tmp_path / "damaged.zip"
    data = bytearray(out.read_bytes())
    data[len(data) // 3] ^= 0xFF
    damaged.write_bytes(bytes(data))
    target = tmp_path / "review"
    code = main(["bundle", "import", "--workspace", str(target), str(damaged), str(out)])
    captured = capsys.readouterr()
    assert code == 2
    assert "Attempts: 2 added" in captured.out
    assert f"The bundle {damaged} was not imported" in captured.err
    assert "1 of 2 bundles were refused" in captured.err
    assert {a.id for a in Workspace(target).workbook(TRAINEE).attempts()} == set(ids)

    assert main(["bundle", "import", "--workspace", str(target), str(out)]) == 0
    assert "everything in it is here already" in capsys.readouterr().out


def test_export_needs_exactly_one_owner_and_some_work(tmp_path, capsys):
    import pytest

    with pytest.raises(SystemExit):
        main(["bundle", "export", "--trainee", "a", "--reviewer", "b", str(tmp_path / "x.zip")])
    assert main(["bundle", "export", "--trainee", "nobody", "--workspace", str(tmp_path / "w"),
                 str(tmp_path / "x.zip")]) == 2
    assert "there is no work of trainee 'nobody'" in capsys.readouterr().err
    assert not (tmp_path / "x.zip").exists()


def test_a_reviewers_bundle_for_one_trainee_from_the_command_line(practised, tmp_path, capsys):
    ws = practised[0]
    out = tmp_path / "for-alex.zip"
    assert main(["bundle", "export", "--reviewer", "Dr Sam Rivera", "--for-trainee", TRAINEE,
                 "--workspace", str(ws.root), str(out)]) == 0
    assert "the work of reviewer dr.sam.rivera" in capsys.readouterr().out
    from rupture_widgets.bundles import read_manifest

    manifest = read_manifest(out)
    assert (manifest.kind, manifest.owner, manifest.trainee) == ("reviewer", "dr.sam.rivera",
                                                                 TRAINEE)
    assert main(["bundle", "export", "--trainee", TRAINEE, "--for-trainee", TRAINEE,
                 "--workspace", str(ws.root), str(tmp_path / "x.zip")]) == 2
    assert "give the reviewer too" in capsys.readouterr().err
