"""A damaged, tampered or hostile bundle is refused with a message naming the problem, and
nothing is written anywhere: the whole temporary tree (the workspace, its exchange, a sentinel
file beside it) hashes the same before and after."""
from __future__ import annotations

import io
import zipfile

import pytest

from _bundle_fixtures import TRAINEE, entries, practise, rezip, tree_hashes
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


def test_a_review_notebook_under_another_reviewers_name_is_refused(target, tmp_path, good):
    files = entries(good)
    moved = {k.replace("exchange/inbox/dr.sam.rivera/", "exchange/inbox/jo.bell/", 1): v
             for k, v in files.items()}
    assert moved != files
    refused(target, tmp_path, rezip(moved, relist=True), "sent to someone else",
            "'Dr Sam Rivera'")


def test_a_reviewer_bundle_with_another_reviewers_return_is_refused(target, tmp_path, good):
    files = entries(good)
    returns = {k: v for k, v in files.items() if k.startswith("exchange/returns/")}
    assert returns
    manifest = {**parse_json(files["manifest.json"]), "kind": "reviewer", "owner": "jo.bell"}
    refused(target, tmp_path, rezip({**returns, "manifest.json": dumps(manifest).encode()},
                                    relist=True), "returned by 'dr.sam.rivera'", "jo.bell")


def test_a_record_that_fails_the_schema_is_refused(target, tmp_path, good):
    files = entries(good)
    journal = f"trainees/{TRAINEE}/workbook.journal.jsonl"
    lines = files[journal].decode().splitlines()
    event = parse_json(lines[-1])
    assert event["event"] == "attempt"
    bad = {**event, "attempt": {**event["attempt"], "status": "grandmaster"}}
    files[journal] = ("\n".join(lines[:-1] + [dumps(bad)]) + "\n").encode()
    refused(target, tmp_path, rezip(files, relist=True), "is not valid", "grandmaster")
    theirs = {**event, "attempt": {**event["attempt"], "trainee_id": "priya.shah"}}
    files[journal] = ("\n".join(lines[:-1] + [dumps(theirs)]) + "\n").encode()
    refused(target, tmp_path, rezip(files, relist=True), "'priya.shah''s, not 'alex.morgan''s")


def test_a_copy_that_names_no_stored_recording_or_other_bytes_is_refused(target, tmp_path,
                                                                           good):
    files = entries(good)
    manifest = parse_json(files["manifest.json"])
    [copy] = [f for f in manifest["files"] if "same_as" in f]

    def with_copy(**change) -> bytes:
        listed = [{**f, **change} if f is copy else f for f in manifest["files"]]
        return rezip({**files, "manifest.json": dumps({**manifest, "files": listed}).encode()})

    refused(target, tmp_path, with_copy(same_as="trainees/alex.morgan/recordings/gone.webm"),
            "as a copy of", "not in the zip")
    refused(target, tmp_path, with_copy(sha256="0" * 64), "another size or checksum")
    refused(target, tmp_path, with_copy(path=f"trainees/{TRAINEE}/feedback-seen.json", same_as=next(
        f["path"] for f in manifest["files"] if f["path"].endswith(".webm")
        and "same_as" not in f), size=copy["size"]), "only a recording")
    many = [*manifest["files"], *({**copy, "path": copy["path"].replace(
        ".webm", f"{n}.webm").replace("recordings/", "recordings/x")} for n in range(50))]
    refused(target, tmp_path, rezip({**files, "manifest.json": dumps(
        {**manifest, "files": many}).encode()}), "would write more than 100,000 bytes",
        limits=Limits(max_total_bytes=100_000))


def test_a_bundle_file_changed_between_the_check_and_the_write_stops_with_one_message(
        target, tmp_path, good, monkeypatch):
    """The zip is read twice (checked whole, then written): a file that changes in between
    (a bundle on a disk someone writes to) stops the import with a plain message, and no
    file of the bundle is left half-written."""
    from rupture_widgets.bundles import restore, safety

    real = safety.read_entry
    calls = []

    def read_entry(zf, info, sink=None, keep=False):
        if sink is not None:  # the write, after every check passed: the bytes differ now
            calls.append(info.filename)
            raise safety.Unsafe(f"the entry {info.filename!r} is damaged (changed meanwhile)")
        return real(zf, info, sink=sink, keep=keep)

    monkeypatch.setattr(restore, "read_entry", read_entry)
    with pytest.raises(BundleError) as caught:
        import_bundle(target, good)
    message = str(caught.value)
    assert message.count("was not imported") == 1 and "changed meanwhile" in message
    recordings = target.root / "trainees" / TRAINEE / "recordings"
    assert calls and not [p for p in recordings.iterdir() if p.name.endswith(".tmp")]
