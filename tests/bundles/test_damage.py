"""Damage anywhere: a bundle with any one byte changed (headers, names, sizes, data, the
central directory) is either refused with a BundleError or, where the byte is one no reader
uses (a timestamp, say), imported with exactly the original content. Never another exception,
never a half-written workspace."""
from __future__ import annotations

import io
import random
import zipfile

import pytest

from _bundle_fixtures import TRAINEE, practise, tree_hashes
from rupture_widgets.bundles import export_bundle, import_bundle
from rupture_widgets.errors import BundleError
from rupture_widgets.workbook import Workspace


@pytest.fixture(scope="module")
def original(tmp_path_factory, answers):
    ws = Workspace(tmp_path_factory.mktemp("source") / "ws")
    practise(ws, answers)
    out = io.BytesIO()
    export_bundle(ws, out, trainee=TRAINEE)
    clean = Workspace(tmp_path_factory.mktemp("clean") / "ws")
    import_bundle(clean, out.getvalue())
    return out.getvalue(), tree_hashes(clean.root)


def _comparable(hashes: dict) -> dict:
    """The tree without what differs between any two imports: the journal's time stamps (and
    the notebook rendered from the same records is identical)."""
    return {p: h for p, h in hashes.items() if not p.endswith(".jsonl")}


def test_any_one_byte_changed_is_refused_or_harmless(original, tmp_path):
    data, clean = original
    rng = random.Random(14)
    # every 3rd byte of the central directory and the end record, every byte of each local
    # header with its name, and a sample of the rest (the data)
    tail = data.rfind(b"PK\x01\x02", 0, data.rfind(b"PK\x05\x06"))
    start = data.find(b"PK\x01\x02")
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        headers = {p for i in zf.infolist()
                   for p in range(i.header_offset, i.header_offset + 30 + len(i.filename))}
    positions = sorted(set(range(start, len(data), 3)) | headers
                       | set(rng.sample(range(start), 150)))
    refused = imported = 0
    for n, pos in enumerate(positions):
        damaged = bytearray(data)
        damaged[pos] ^= 1 << rng.randrange(8)
        target = tmp_path / f"w{n}"
        try:
            import_bundle(Workspace(target), bytes(damaged))
        except BundleError as e:
            assert "Nothing in the workspace was changed" in str(e)
            assert not target.exists(), pos
            refused += 1
        else:
            assert _comparable(tree_hashes(target)) == _comparable(clean), pos
            imported += 1
    assert refused > imported > 0 and tail > start
