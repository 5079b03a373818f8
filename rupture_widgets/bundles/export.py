"""``export_bundle``: a trainee's or a reviewer's work as one zip with a manifest (docs/bundles.md).

A **trainee** bundle: their folder (notebook, journal, drafts, what feedback they have seen, the
recordings their attempts point at) and what the exchange holds for them: their folder in every
reviewer's inbox (what they sent) and ``returns/<trainee>/`` (what came back). A **reviewer**
bundle: ``inbox/<reviewer>/`` (the review notebooks, drafts of reviews in them) and the returns
that reviewer wrote.

Consistent while the app writes: a workbook's notebook and journal are read together under the
workbook's own lock (every write holds it), drafts under theirs; the recordings are those the
records read then point at, and a finalised recording is never changed afterwards. A part file
(``paths.part_file``) is included only when a logged attempt points at it (an
incomplete answer, kept as it is); one still being recorded belongs to no attempt yet and is left
for the next bundle.
"""
from __future__ import annotations

import hashlib
import logging
import os
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from .. import __version__
from ..errors import BundleError, InvalidRecord
from ..exchange import open_exchange
from ..exchange.folder import INBOX, RETURNS, reviewer_id
from ..storage import NotJSON, locked, parse_json, utc_now
from ..workbook import Workspace, check_trainee_id, paths
from ..workbook.fold_in import incoming_state
from ..workbook.records import validate_record
from .files import write_new
from .manifest import EXCHANGE, MANIFEST, FileEntry, Manifest

log = logging.getLogger(__name__)
_ZIP64_FROM = 1 << 31


@dataclass(frozen=True)
class _Item:
    path: str                   # inside the bundle
    data: bytes | None = None   # read under the lock
    file: Path | None = None    # a recording, streamed


def as_workspace(workspace) -> Workspace:
    return workspace if isinstance(workspace, Workspace) else Workspace(workspace)


def export_bundle(workspace, out, *, trainee: str | None = None, reviewer: str | None = None,
                  for_trainee: str | None = None) -> Manifest:
    """Write the bundle of ``trainee`` (an id) or ``reviewer`` (a name or id) to ``out`` (a new
    file's path, or a writable binary file object); return its manifest.

    A reviewer's whole bundle holds every trainee's answers sent to them: it is for the
    reviewer (a new server) or the facilitator. ``for_trainee`` makes the reviewer's bundle for
    one trainee, holding only that trainee's review notebook and the returns to them: the one
    to hand that trainee (nobody sees what was not meant for them)."""
    if (trainee is None) == (reviewer is None):
        raise BundleError.cannot_export("say whose work to bundle: a trainee or a reviewer, "
                                        "not both")
    if for_trainee is not None and reviewer is None:
        raise BundleError.cannot_export("a bundle for one trainee is a reviewer's: give the "
                                        "reviewer too")
    ws = as_workspace(workspace)
    exchange_root = open_exchange(ws).root
    if trainee is not None:
        kind, owner = "trainee", check_trainee_id(trainee)
        items = _trainee_items(ws, exchange_root, owner)
    else:
        kind, owner = "reviewer", reviewer_id(reviewer)
        for_trainee = None if for_trainee is None else check_trainee_id(for_trainee)
        items = _reviewer_items(exchange_root, owner, for_trainee)
    if not items:
        mine = f" for trainee {for_trainee!r}" if for_trainee else ""
        raise BundleError.cannot_export(f"there is no work of {kind} {owner!r}{mine} in the "
                                        f"workspace {ws.root}")
    if isinstance(out, (str, os.PathLike)):
        target = Path(out).expanduser().resolve()
        if os.path.lexists(target):
            raise BundleError.cannot_export(f"{target} exists already; give a new file name "
                                            "(an earlier bundle is never overwritten)")
        if not target.parent.is_dir():
            raise BundleError.cannot_export(f"the folder {target.parent} does not exist")
        found: list[Manifest] = []
        if not write_new(target, lambda f: _zip(f, kind, owner, for_trainee, items, found)):
            raise BundleError.cannot_export(f"{target} was created by someone else meanwhile")
        return found[0]
    found = []
    _zip(out, kind, owner, for_trainee, items, found)
    return found[0]


def _zip(out: BinaryIO, kind: str, owner: str, for_trainee: str | None, items: list[_Item],
         found: list) -> str:
    entries, stored = [], {}  # stored: (device, inode) -> the entry holding those bytes
    with zipfile.ZipFile(out, "w", allowZip64=True) as zf:
        for item in items:
            if item.data is not None:
                zf.writestr(_info(item.path, zipfile.ZIP_DEFLATED), item.data)
                entries.append(FileEntry(item.path, len(item.data),
                                         hashlib.sha256(item.data).hexdigest()))
                continue
            h, n = hashlib.sha256(), 0
            try:
                src = open(item.file, "rb")
            except FileNotFoundError:  # deleted since the records were read: not in the bundle
                log.info("%s was deleted while the bundle was made; left out", item.file)
                continue
            with src:
                st = os.fstat(src.fileno())
                first = stored.get((st.st_dev, st.st_ino))
                if first is not None and first.size == st.st_size:  # a link: the same bytes
                    entries.append(FileEntry(item.path, first.size, first.sha256, first.path))
                    continue
                with zf.open(_info(item.path, zipfile.ZIP_STORED), "w",
                             force_zip64=st.st_size >= _ZIP64_FROM) as dst:
                    for block in iter(lambda: src.read(1 << 20), b""):  # WebM: compressed
                        dst.write(block)
                        h.update(block)
                        n += len(block)
            entries.append(FileEntry(item.path, n, h.hexdigest()))
            stored[(st.st_dev, st.st_ino)] = entries[-1]
        manifest = Manifest(kind, owner, utc_now(), __version__, tuple(entries),
                            trainee=for_trainee)
        zf.writestr(_info(MANIFEST, zipfile.ZIP_DEFLATED), manifest.to_json())
    found.append(manifest)
    return ""  # write_new's checksum: none expected


def _info(path: str, method: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(path, date_time=_now_tuple())
    info.compress_type = method
    info.external_attr = 0o100600 << 16  # a regular file, readable by its owner only
    return info


def _now_tuple() -> tuple:
    return time.gmtime()[:6]


# -- what goes in ------------------------------------------------------------------------------

def _trainee_items(ws: Workspace, exchange_root: Path, trainee: str) -> list[_Item]:
    items = []
    folder = paths.trainees_dir(ws.root) / trainee
    if paths.TraineeFolder(folder).has_workbook():
        wb = ws.workbook(trainee)  # refuses a folder that is a link elsewhere
        items += _folder_items(wb, (paths.TRAINEES, trainee), trainee_files=True)
    inbox = exchange_root / INBOX
    for reviewer_dir in sorted(inbox.iterdir()) if inbox.is_dir() else ():
        review = _review_folder(reviewer_dir, trainee)
        if review is not None:
            items += _folder_items(review, (EXCHANGE, INBOX, reviewer_dir.name, paths.TRAINEES,
                                            trainee))
    items += _return_items(exchange_root, trainee, None)
    return items


def _reviewer_items(exchange_root: Path, reviewer: str, only: str | None) -> list[_Item]:
    items = []
    inbox = exchange_root / INBOX / reviewer
    if inbox.is_dir() and not inbox.is_symlink():
        for trainee in Workspace(inbox).trainees():
            if only is not None and trainee != only:
                continue
            review = _review_folder(inbox, trainee)
            if review is not None:
                items += _folder_items(review, (EXCHANGE, INBOX, reviewer, paths.TRAINEES,
                                                trainee))
    returns = exchange_root / RETURNS
    for trainee_dir in sorted(returns.iterdir()) if returns.is_dir() else ():
        if trainee_dir.is_dir() and _valid_id(trainee_dir.name) \
                and only in (None, trainee_dir.name):
            items += _return_items(exchange_root, trainee_dir.name, reviewer)
    return items


def _review_folder(reviewer_dir: Path, trainee: str):
    if not reviewer_dir.is_dir() or reviewer_dir.is_symlink() or not _valid_id(reviewer_dir.name):
        return None
    inbox = Workspace(reviewer_dir)
    return inbox.workbook(trainee) if trainee in inbox.trainees() else None


def _valid_id(name: str) -> bool:
    try:
        check_trainee_id(name)
        return True
    except ValueError:
        return False


def _folder_items(wb, where: tuple, trainee_files: bool = False) -> list[_Item]:
    """A workbook folder's files: notebook and journal read together under its lock, then the
    recordings those records point at (and the trainee's drafts and seen-feedback)."""
    folder = paths.TraineeFolder(wb.dir)
    prefix = "/".join(where)
    with locked(wb.lock_path):
        notebook = _read_notebook(folder.workbook)
        journal = _read_if_there(folder.journal)
    items = [_Item(f"{prefix}/{name}", data) for name, data in
             ((paths.WORKBOOK, notebook), (paths.JOURNAL, journal)) if data is not None]
    if trainee_files:
        if folder.drafts.exists():
            with locked(folder.drafts_lock):
                drafts = _read_if_there(folder.drafts)
            if drafts is not None:
                items.append(_Item(f"{prefix}/{paths.DRAFTS}", drafts))
        seen = _read_if_there(folder.seen)
        if seen is not None:
            items.append(_Item(f"{prefix}/{paths.SEEN}", seen))
    try:
        state = incoming_state(journal, notebook, str(wb.dir), reviewer=wb.reviewer)
    except InvalidRecord as e:
        raise BundleError.cannot_export(f"the workbook {wb.path} holds a record that is not "
                                        f"valid ({e}); open it in JupyterLab to repair it") from e
    for rec in state.ordered_attempts():
        path = _recording_of(wb, rec)
        if path is not None:
            items.append(_Item(f"{prefix}/{paths.RECORDINGS}/{path.name}", file=path))
    return items


def _recording_of(wb, rec: dict) -> Path | None:
    """The recording an attempt record points at, if it is the attempt's own file in the
    folder's own recordings (as ``Workbook.recording_path`` finds it)."""
    candidates = [wb.dir / rec["recording"]] if rec.get("recording") else []
    candidates += [paths.recording_file(wb.recordings_dir, rec["id"]),
                   paths.part_file(wb.recordings_dir, rec["id"])]
    for p in candidates:
        named = paths.recording_attempt(p)
        if named and named[0] == rec["id"] and wb.owns_recording(p):
            return p
    return None


def _read_notebook(path: Path, patience_s: float = 3.0, poll_s: float = 0.01) -> bytes | None:
    """The notebook's bytes once they parse: JupyterLab saves in place (truncate, then write)
    without the workbook's lock, so a read can catch half a file. An export is not in a hurry,
    so it polls until a save has finished (the store's reader gives up sooner). One that stays
    unreadable is left out (the journal carries its records); the store sets it aside on its
    next write."""
    deadline = time.monotonic() + patience_s
    while True:
        data = _read_if_there(path)
        if data is None:
            return None
        try:
            parse_json(data)
            return data
        except NotJSON as e:
            if time.monotonic() > deadline:
                log.warning("Leaving %s out of the bundle: it stays unreadable (%s); its "
                            "journal is in it", path, e)
                return None
        time.sleep(poll_s)


def _read_if_there(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _return_items(exchange_root: Path, trainee: str, reviewer: str | None) -> list[_Item]:
    """The returns to ``trainee`` (by ``reviewer`` only, when given) that are valid feedback
    filed under their own id; any other file there is not carried (and is logged)."""
    folder = exchange_root / RETURNS / trainee
    if not folder.is_dir() or folder.is_symlink():
        return []
    items = []
    for path in sorted(folder.glob("*.json")):
        if path.is_symlink() or not path.is_file():
            continue
        data = path.read_bytes()
        try:
            envelope = parse_json(data)
            validate_record("feedback", envelope["feedback"], str(path))
            if f"{envelope['feedback']['id']}.json" != path.name:
                raise InvalidRecord(f"{path} is not named by its feedback's id")
        except (NotJSON, InvalidRecord, KeyError, TypeError) as e:
            log.warning("Not bundling %s: %s", path, e)
            continue
        if reviewer is None or envelope.get("reviewer_id") == reviewer:
            items.append(_Item(f"{EXCHANGE}/{RETURNS}/{trainee}/{path.name}", data))
    return items
