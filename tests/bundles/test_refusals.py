"""A damaged, tampered or hostile bundle is refused with a message naming the problem, and
nothing is written anywhere: the whole temporary tree (the workspace, its exchange, a sentinel
file beside it) hashes the same before and after."""
from __future__ import annotations

import hashlib
import io
import stat
import zipfile

import pytest

from conftest import TRAINEE, practise, tree_hashes
from rupture_widgets.bundles import Limits, export_bundle, import_bundle
from rupture_widgets.errors import BundleError
from rupture_widgets.storage import dumps, parse_json
from rupture_widgets.workbook import Workspace


@pytest.fixture(scope="module")
def good(tmp_path_factory, answers) -> bytes:
    """A real trainee bundle, as bytes."""
    ws = Workspace(tmp_path_factory.mktemp("source") / "ws")
    practise(ws, answers)
    out = io.BytesIO()
    export_bundle(ws, out, trainee=TRAINEE)
    return out.getvalue()


@pytest.fixture
def target(tmp_path, answers):
    """A workspace with work of its own (another trainee), and a sentinel file beside it."""
    ws = Workspace(tmp_path / "review")
    practise(ws, answers, trainee="priya.shah", name="Priya Shah")
    (tmp_path / "sentinel.txt").write_text("untouched")
    return ws


def entries(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


def rezip(files: dict[str, bytes], relist: bool = False, symlinks=(), method=zipfile.ZIP_DEFLATED
          ) -> bytes:
    """The files zipped again; ``relist``: a manifest rewritten to match them exactly (so only
    the problem planted is left to find)."""
    files = dict(files)
    if relist:
        manifest = parse_json(files["manifest.json"])
        manifest["files"] = [{"path": p, "size": len(b), "sha256": hashlib.sha256(b).hexdigest()}
                             for p, b in files.items() if p != "manifest.json"]
        files["manifest.json"] = dumps(manifest).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as zf:
        for name, data in files.items():
            info = zipfile.ZipInfo(name)
            info.compress_type = method
            info.external_attr = ((stat.S_IFLNK | 0o777) if name in symlinks
                                  else (stat.S_IFREG | 0o600)) << 16
            zf.writestr(info, data)
    return out.getvalue()


def a_recording(files: dict) -> str:
    return next(p for p in files if p.startswith(f"trainees/{TRAINEE}/recordings/"))


def refused(target, tmp_path, data: bytes, *words: str, limits=None) -> str:
    before = tree_hashes(tmp_path)
    with pytest.raises(BundleError) as caught:
        import_bundle(target, data, limits=limits)
    message = str(caught.value)
    for word in words:
        assert word in message, message
    assert "Nothing in the workspace was changed" in message
    assert tree_hashes(tmp_path) == before  # nothing written, anywhere
    assert not (target.root / "trainees" / TRAINEE).exists()
    return message


def test_the_unchanged_bundle_is_imported(target, tmp_path, good):
    """The control: the same bundle, zipped again as the tests do, imports."""
    assert import_bundle(target, rezip(entries(good))).attempts_added == 2


def test_a_flipped_byte_is_refused(target, tmp_path, good):
    files = entries(good)
    name = a_recording(files)
    data = bytearray(files[name])
    data[len(data) // 2] ^= 0x01
    files[name] = bytes(data)
    refused(target, tmp_path, rezip(files), name, "does not match its checksum")


def test_a_missing_file_is_refused(target, tmp_path, good):
    files = entries(good)
    name = a_recording(files)
    del files[name]
    refused(target, tmp_path, rezip(files), name, "missing")


def test_a_file_not_listed_is_refused(target, tmp_path, good):
    files = entries(good)
    files[f"trainees/{TRAINEE}/recordings/extra.webm"] = b"\x1a\x45\xdf\xa3"
    refused(target, tmp_path, rezip(files), "extra.webm", "does not list")


@pytest.mark.parametrize("name, words", [
    ("../evil.txt", ("'..'", "outside the workspace")),
    ("trainees/../../evil.txt", ("'..'",)),
    ("/tmp/evil.txt", ("absolute path",)),
    ("C:/evil.txt", ("drive",)),
    ("trainees\\..\\evil.txt", ("backslash",)),
    ("trainees//alex.morgan/drafts.json", ("not a plain relative path",)),
])
def test_a_path_leaving_the_workspace_is_refused(target, tmp_path, good, name, words):
    files = entries(good)
    files[name] = b"pwned"
    refused(target, tmp_path, rezip(files, relist=True), *words)
    assert not (tmp_path / "evil.txt").exists() and not (tmp_path.parent / "evil.txt").exists()


def test_a_symlink_entry_is_refused(target, tmp_path, good):
    files = entries(good)
    name = a_recording(files)
    files[name] = str(tmp_path / "sentinel.txt").encode()  # a link to a file outside
    refused(target, tmp_path, rezip(files, relist=True, symlinks={name}), "symbolic link",
            name)


def test_a_duplicate_name_is_refused(target, tmp_path, good):
    files = entries(good)
    name = a_recording(files)
    data = rezip(files, relist=True)
    with zipfile.ZipFile(buf := io.BytesIO(data), "a") as zf:
        with pytest.warns(UserWarning):  # zipfile itself warns of a duplicate name
            zf.writestr(name, b"a second file of the same name")
    refused(target, tmp_path, buf.getvalue(), "twice", name)


def test_a_zip_bomb_by_ratio_is_refused(target, tmp_path, good):
    files = entries(good)
    name = a_recording(files)
    files[name] = bytes(50 << 20)  # 50 MB of zeros: ~50 KB deflated, a ratio of ~1,000
    refused(target, tmp_path, rezip(files, relist=True), "zip bomb", name)


def test_a_zip_bomb_by_total_size_and_by_entries_is_refused(target, tmp_path, good):
    refused(target, tmp_path, good, "more than 5,000 bytes", limits=Limits(
        max_total_bytes=5_000))
    refused(target, tmp_path, good, "entries", limits=Limits(max_entries=3))


def test_an_entry_that_unpacks_to_more_than_it_declares_is_stopped(target, tmp_path, good):
    """The header lies: it declares 1,000 bytes (and their CRC) for a stream that unpacks to
    5 MB. Reading stops at the declared size, and the entry is refused as damaged."""
    files = entries(good)
    name = a_recording(files)
    files[name] = bytes(1000)  # listed in the manifest with this size and checksum
    data = bytearray(rezip(files, relist=True))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        info = zf.getinfo(name)
    with zipfile.ZipFile(b := io.BytesIO(), "w", zipfile.ZIP_DEFLATED) as big:
        big.writestr(name, b"A" * (5 << 20))
    with zipfile.ZipFile(io.BytesIO(b.getvalue())) as zf:
        real = zf.getinfo(name)
    raw = b.getvalue()[real.header_offset + 30 + len(name.encode()) + len(real.extra):]
    stream = raw[:real.compress_size]
    start = info.header_offset + 30 + len(name.encode()) + len(info.extra)
    data[start:start + info.compress_size] = stream  # the small entry's sizes and CRC stay
    lying = rezip_offsets(bytes(data), name, info, len(stream) - info.compress_size)
    refused(target, tmp_path, lying, name, "damaged")


def test_reading_stops_at_the_declared_size_whatever_the_zip_reader_does():
    """``read_entry``'s own bound, for a reader that would hand over more than declared."""
    from rupture_widgets.bundles.safety import Unsafe, read_entry

    class Endless(io.RawIOBase):
        def readable(self):
            return True

        def readinto(self, b):
            b[:] = bytes(len(b))
            return len(b)

    class Zip:
        def open(self, info):
            return Endless()

    info = zipfile.ZipInfo("x")
    info.file_size = 3 << 20
    with pytest.raises(Unsafe, match="more than the 3,145,728 bytes it declares"):
        read_entry(Zip(), info)


def rezip_offsets(data: bytes, name: str, info, delta: int) -> bytes:
    """Fix the compressed size fields and later offsets after a stream of ``delta`` more bytes
    was spliced into entry ``name`` (its uncompressed size and CRC stay: they lie)."""
    import struct

    buf = bytearray(data)
    local = info.header_offset
    struct.pack_into("<I", buf, local + 18, info.compress_size + delta)
    eocd = buf.rfind(b"PK\x05\x06")
    cd_offset = struct.unpack_from("<I", buf, eocd + 16)[0]
    struct.pack_into("<I", buf, eocd + 16, cd_offset + delta)
    pos = cd_offset + delta
    while buf[pos:pos + 4] == b"PK\x01\x02":
        n, m, k = struct.unpack_from("<HHH", buf, pos + 28)
        entry = buf[pos + 46:pos + 46 + n].decode()
        offset = struct.unpack_from("<I", buf, pos + 42)[0]
        if entry == name:
            struct.pack_into("<I", buf, pos + 20, info.compress_size + delta)
        elif offset > local:
            struct.pack_into("<I", buf, pos + 42, offset + delta)
        pos += 46 + n + m + k
    return bytes(buf)


def test_not_a_zip_no_manifest_and_an_unknown_version_are_refused(target, tmp_path, good):
    refused(target, tmp_path, b"this is not a zip", "not a zip file")
    files = entries(good)
    refused(target, tmp_path, rezip({k: v for k, v in files.items() if k != "manifest.json"}),
            "no manifest.json")
    manifest = parse_json(files["manifest.json"])
    refused(target, tmp_path, rezip({**files, "manifest.json": dumps(
        {**manifest, "format_version": 99}).encode()}), "format version 99")


def test_an_owner_or_folder_that_is_not_a_valid_id_or_not_the_owners_is_refused(
        target, tmp_path, good):
    files = entries(good)
    manifest = parse_json(files["manifest.json"])
    refused(target, tmp_path, rezip({**files, "manifest.json": dumps(
        {**manifest, "owner": "../alex"}).encode()}), "not a valid id")
    moved = {k.replace(f"trainees/{TRAINEE}/", "trainees/priya.shah/", 1): v
             for k, v in files.items()}
    refused(target, tmp_path, rezip(moved, relist=True), "not part of trainee")
    odd = {**files, f"trainees/{TRAINEE}/notes.txt": b"hello"}
    refused(target, tmp_path, rezip(odd, relist=True), "notes.txt", "not a file")


def test_a_workspace_folder_that_is_a_link_is_not_written_through(tmp_path, good):
    """A link inside the workspace (trainees/<id> -> a folder outside) is refused, not
    followed."""
    ws = Workspace(tmp_path / "ws")
    outside = tmp_path / "outside"
    outside.mkdir()
    (ws.root / "trainees").mkdir(parents=True)
    (ws.root / "trainees" / TRAINEE).symlink_to(outside)
    before = tree_hashes(tmp_path)
    with pytest.raises(BundleError, match="is a link"):
        import_bundle(ws, good)
    assert tree_hashes(tmp_path) == before and not any(outside.iterdir())
