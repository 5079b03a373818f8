"""A bundle opened and checked whole, before anything is written (docs/decisions.md #32).

In order, each refusal a ``BundleError`` that names the problem: a zip at all; every entry safe
(``safety``: names, links, sizes); a manifest of a known version; the files listed and the files
present the same, each where the bundle's kind and owner allow (``manifest.Place``) and of the
size listed; every file's SHA-256 as listed (read with the decompression bound); then the
content: every workbook copy's records valid (``workbook.fold_in.incoming_state``), every
return a valid feedback record under its own id (and, in a reviewer's bundle, theirs).
"""
from __future__ import annotations

import contextlib
import io
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from ..errors import BundleError, InvalidRecord
from ..storage import NotJSON, parse_json
from ..workbook.fold_in import incoming_state
from ..workbook.records import validate_record
from .manifest import MANIFEST, LayoutError, Manifest, Place
from .safety import ZIP_DAMAGE, Limits, Unsafe, check_entries, read_entry


@dataclass
class CheckedBundle:
    """A bundle that passed every check: its zip (still open), manifest, and what was read."""
    label: str
    zf: zipfile.ZipFile
    manifest: Manifest
    infos: dict                                   # bundle path -> ZipInfo
    places: dict                                  # bundle path -> Place
    texts: dict = field(default_factory=dict)     # bundle path -> bytes (all but recordings)
    states: dict = field(default_factory=dict)    # Place.folder -> WorkbookState of the copy
    returns: dict = field(default_factory=dict)   # bundle path -> envelope
    entries: dict = field(default_factory=dict)   # bundle path -> FileEntry (the manifest's)


@contextlib.contextmanager
def opened(source, limits: Limits | None = None) -> Iterator[CheckedBundle]:
    """``source`` (a path, bytes, or a binary file object) as a CheckedBundle."""
    limits = limits or Limits()
    label, fileobj, own = _open_source(source, limits)
    try:
        try:
            zf = zipfile.ZipFile(fileobj)
        except ZIP_DAMAGE:
            raise BundleError.refused(label, "it is not a zip file (or a damaged one)") from None
        with zf:
            yield check(zf, label, limits)
    finally:
        if own:
            fileobj.close()


def read_manifest(source, limits: Limits | None = None) -> Manifest:
    """The manifest of a bundle that passes every check (whose work it is, when made, what it
    holds), without importing it: so an app can ask before restoring someone else's work.
    A bundle given as a file object is read from where it is; seek back before importing."""
    with opened(source, limits) as bundle:
        return bundle.manifest


def _open_source(source, limits: Limits) -> tuple[str, object, bool]:
    if isinstance(source, (bytes, bytearray, memoryview)):
        return "", io.BytesIO(bytes(source)), True
    if isinstance(source, (str, os.PathLike)):
        path = Path(source).expanduser()
        try:
            return str(path), open(path, "rb"), True
        except FileNotFoundError:
            raise BundleError.refused(path, "there is no such file") from None
        except IsADirectoryError:
            raise BundleError.refused(path, "it is a folder, not a zip file") from None
    if hasattr(source, "read"):
        name = getattr(source, "name", None)
        label = str(name) if isinstance(name, str) else ""
        if not (hasattr(source, "seekable") and source.seekable()):  # a zip needs seeking
            data = source.read(limits.max_total_bytes + 1)
            if len(data) > limits.max_total_bytes:
                raise BundleError.refused(label, "it is larger than a bundle may be")
            return label, io.BytesIO(data), True
        return label, source, False
    raise TypeError(f"a bundle is a path, bytes or a binary file, not {type(source).__name__}")


def check(zf: zipfile.ZipFile, label: str, limits: Limits) -> CheckedBundle:
    def refuse(reason: str):
        return BundleError.refused(label, reason)

    try:
        entries = check_entries(zf, limits)
        info = entries.get(MANIFEST)
        if info is None:
            raise refuse("it has no manifest.json, so it is not a bundle `rupture bundle "
                         "export` made (or the manifest was removed)")
        if info.file_size > limits.max_manifest_bytes:
            raise refuse("its manifest.json is too large to be a bundle's")
        manifest = Manifest.from_json(read_entry(zf, info, keep=True)[2])
    except Unsafe as e:
        raise refuse(str(e)) from None
    except LayoutError as e:
        raise refuse(str(e)) from None
    listed, copies = {}, {}
    for f in manifest.files:
        if f.path in listed or f.path in copies or f.path == MANIFEST:
            raise refuse(f"its manifest lists {f.path!r} twice")
        (listed if f.same_as is None else copies)[f.path] = f
    for path in listed:
        if path not in entries:
            raise refuse(f"its manifest lists {path!r}, but that file is missing from the zip")
    for path in entries:
        if path != MANIFEST and path not in listed:
            raise refuse(f"it holds {path!r}, which its manifest does not list (a file added "
                         "after it was made)")
    _check_copies(copies, listed, refuse)
    if sum(f.size for f in manifest.files) > limits.max_total_bytes:
        raise refuse(f"it would write more than {limits.max_total_bytes:,} bytes, the limit "
                     "for a bundle")
    bundle = CheckedBundle(label, zf, manifest, {p: entries[p] for p in listed}, {})
    bundle.infos.update({p: entries[f.same_as] for p, f in copies.items()})
    bundle.entries = {**listed, **copies}
    for path, f in [*listed.items(), *copies.items()]:
        try:
            place = Place.of(path)
        except LayoutError as e:
            raise refuse(str(e)) from None
        if not place.belongs_to(manifest):
            mine = f" for trainee {manifest.trainee!r}" if manifest.trainee else ""
            raise refuse(f"{path!r} is not part of {manifest.kind} {manifest.owner!r}'s "
                         f"work{mine}")
        if f.size != bundle.infos[path].file_size:
            raise refuse(f"{path!r} is {bundle.infos[path].file_size:,} bytes in the zip, not "
                         f"the {f.size:,} its manifest lists")
        if place.role != "recording" and f.size > limits.max_text_bytes:
            raise refuse(f"{path!r} is larger than the {limits.max_text_bytes:,} bytes a "
                         "notebook, journal or return may be")
        bundle.places[path] = place
    for path, f in listed.items():
        keep = bundle.places[path].role != "recording"
        try:
            digest, _, data = read_entry(zf, entries[path], keep=keep)
        except Unsafe as e:
            raise refuse(str(e)) from None
        if digest != f.sha256:
            raise refuse(f"{path!r} does not match its checksum: it was changed or damaged "
                         "after the bundle was made")
        if keep:
            bundle.texts[path] = data
    _check_content(bundle, refuse)
    return bundle


def _check_copies(copies: dict, listed: dict, refuse) -> None:
    """A file stored once for several paths (``FileEntry.same_as``): only a recording, naming
    a file the zip holds, with the same size and checksum (which that file's read verifies)."""
    for path, f in copies.items():
        source = listed.get(f.same_as)
        if source is None:
            raise refuse(f"its manifest lists {path!r} as a copy of {f.same_as!r}, which is "
                         "not in the zip")
        if (source.size, source.sha256) != (f.size, f.sha256):
            raise refuse(f"its manifest lists {path!r} as a copy of {f.same_as!r}, but with "
                         "another size or checksum")
        try:
            recordings = all(Place.of(p).role == "recording" for p in (path, f.same_as))
        except LayoutError as e:
            raise refuse(str(e)) from None
        if not recordings:
            raise refuse(f"its manifest lists {path!r} as a copy, and only a recording may be")


def _check_content(bundle: CheckedBundle, refuse) -> None:
    folders: dict[tuple, dict] = {}
    reviewers: dict[tuple, str | None] = {}
    for path, place in bundle.places.items():
        if place.role in ("workbook", "journal"):
            folders.setdefault(place.folder, {})[place.role] = bundle.texts[path]
            reviewers[place.folder] = place.reviewer  # who typed a note in a review notebook
        elif place.role == "return":
            bundle.returns[path] = _check_return(bundle, path, place, refuse)
    for folder, files in folders.items():
        where = "/".join(folder)
        try:
            bundle.states[folder] = incoming_state(files.get("journal"), files.get("workbook"),
                                                   where, reviewer=reviewers[folder],
                                                   trainee_id=folder[-1])
        except InvalidRecord as e:
            raise refuse(f"the workbook {where} in it is not valid: {e}") from None


def _check_return(bundle: CheckedBundle, path: str, place: Place, refuse) -> dict:
    try:
        envelope = parse_json(bundle.texts[path])
        if not isinstance(envelope, dict) or not isinstance(envelope.get("reviewer_id"), str):
            raise refuse(f"{path!r} is not returned feedback")
        validate_record("feedback", envelope.get("feedback"), path)
    except NotJSON as e:
        raise refuse(f"{path!r} is not readable ({e})") from None
    except InvalidRecord as e:
        raise refuse(f"{path!r} is not valid feedback: {e}") from None
    if f"{envelope['feedback']['id']}.json" != place.name:
        raise refuse(f"{path!r} holds feedback {envelope['feedback']['id']!r}, not its own id")
    manifest = bundle.manifest
    if manifest.kind == "reviewer" and envelope["reviewer_id"] != manifest.owner:
        raise refuse(f"{path!r} was returned by {envelope['reviewer_id']!r}, not by the "
                     f"bundle's reviewer {manifest.owner!r}")
    return envelope
