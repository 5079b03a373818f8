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
from .safety import Limits, Unsafe, check_entries, read_entry


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


@contextlib.contextmanager
def opened(source, limits: Limits | None = None) -> Iterator[CheckedBundle]:
    """``source`` (a path, bytes, or a binary file object) as a CheckedBundle."""
    label, fileobj, own = _open_source(source)
    try:
        try:
            zf = zipfile.ZipFile(fileobj)
        except (zipfile.BadZipFile, EOFError, ValueError):
            raise BundleError.refused(label, "it is not a zip file") from None
        with zf:
            yield check(zf, label, limits or Limits())
    finally:
        if own:
            fileobj.close()


def _open_source(source) -> tuple[str, object, bool]:
    if isinstance(source, (bytes, bytearray, memoryview)):
        return "(uploaded)", io.BytesIO(bytes(source)), True
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
        label = str(name) if isinstance(name, str) else "(uploaded)"
        if not (hasattr(source, "seekable") and source.seekable()):
            return label, io.BytesIO(source.read()), True
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
    listed = {}
    for f in manifest.files:
        if f.path in listed or f.path == MANIFEST:
            raise refuse(f"its manifest lists {f.path!r} twice")
        listed[f.path] = f
    for path in listed:
        if path not in entries:
            raise refuse(f"its manifest lists {path!r}, but that file is missing from the zip")
    for path in entries:
        if path != MANIFEST and path not in listed:
            raise refuse(f"it holds {path!r}, which its manifest does not list (a file added "
                         "after it was made)")
    bundle = CheckedBundle(label, zf, manifest, {p: entries[p] for p in listed}, {})
    for path, f in listed.items():
        try:
            place = Place.of(path)
        except LayoutError as e:
            raise refuse(str(e)) from None
        if not place.belongs_to(manifest.kind, manifest.owner):
            raise refuse(f"{path!r} is not part of {manifest.kind} {manifest.owner!r}'s work")
        if f.size != entries[path].file_size:
            raise refuse(f"{path!r} is {entries[path].file_size:,} bytes in the zip, not the "
                         f"{f.size:,} its manifest lists")
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
                                                   where, reviewer=reviewers[folder])
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
