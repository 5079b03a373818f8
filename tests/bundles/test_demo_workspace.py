"""A realistic workspace (``rupture demo-data``: trainees, reviewers, sends, returns, collected
reviews, through the real APIs): every trainee's and reviewer's bundle, imported into an empty
workspace, rebuilds the same records, recordings, review notebooks and returns."""
from __future__ import annotations

import io

import pytest

from _bundle_fixtures import tree_hashes
from _workbook_fixtures import read_valid
from rupture_widgets.bundles import export_bundle, import_bundle
from rupture_widgets.workbook import Workspace


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from rupture_widgets.research.demo import make_demo  # the 'research' extra (test installs it)

    result = make_demo(tmp_path_factory.mktemp("demo") / "ws", trainees=3, attempts=4, seed=3)
    return Workspace(result.workspace), result


def test_every_bundle_of_a_demo_workspace_rebuilds_it(demo, tmp_path):
    ws, result = demo
    reviewers = [r.name for r in result.parameters.reviewers]
    bundles = []
    for trainee in ws.trainees():
        bundles.append(io.BytesIO())
        export_bundle(ws, bundles[-1], trainee=trainee)
    for name in reviewers:
        bundles.append(io.BytesIO())
        export_bundle(ws, bundles[-1], reviewer=name)
    fresh = Workspace(tmp_path / "fresh")
    reports = [import_bundle(fresh, b.getvalue()) for b in bundles]
    assert sum(r.attempts_added for r in reports) == len(result.attempts)

    assert fresh.trainees() == ws.trainees()
    for trainee in ws.trainees():
        a, b = ws.workbook(trainee).records(), fresh.workbook(trainee).records()
        assert (a.display_name, a.attempts) == (b.display_name, b.attempts)
        assert {k: [f.to_record() for f in v] for k, v in a.feedback.items()} == \
            {k: [f.to_record() for f in v] for k, v in b.feedback.items()}
        read_valid(fresh.workbook(trainee).path)
    source, copy = tree_hashes(ws.root), tree_hashes(fresh.root)
    carried = [p for p in source if "/recordings/" in p or p.startswith("exchange/returns/")]
    assert carried and {p: source[p] for p in carried} == {p: copy.get(p) for p in carried}
    inboxes = [p for p in source if p.startswith("exchange/inbox/") and p.endswith(".ipynb")]
    assert inboxes and all(p in copy for p in inboxes)
    for p in inboxes:
        read_valid(fresh.root / p)
        inbox, trainee = p.split("/trainees/")[0], p.split("/")[4]
        a = Workspace(ws.root / inbox).workbook(trainee).records()
        b = Workspace(fresh.root / inbox).workbook(trainee).records()
        assert a.attempts == b.attempts  # the reviews (drafts and returned) with them:
        assert {k: [f.to_record() for f in v] for k, v in a.feedback.items()} == \
            {k: [f.to_record() for f in v] for k, v in b.feedback.items()}

    before = tree_hashes(fresh.root)  # the facilitator runs the import again: nothing changes
    assert not any(import_bundle(fresh, b.getvalue()).changed for b in bundles)
    assert tree_hashes(fresh.root) == before
