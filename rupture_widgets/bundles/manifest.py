"""A bundle's manifest and layout: what a bundle may hold, and where each file belongs.

```
manifest.json                                   this manifest (format, kind, owner, files)
trainees/<trainee>/...                          a trainee's folder (workbook/paths.py)
exchange/inbox/<reviewer>/trainees/<trainee>/...  a review notebook's folder
exchange/returns/<trainee>/<feedback_id>.json   feedback returned to a trainee
```
The paths are relative to the workspace, with ``exchange/`` standing for the workspace's
exchange wherever it is (``$RUPTURE_EXCHANGE``). A bundle holds nothing else: every path must
be one of these shapes with valid ids (``Place.of``), and belong to the bundle's owner (a
trainee bundle: that trainee's folder, review notebooks and returns; a reviewer bundle: that
reviewer's inbox and the returns they wrote).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from ..errors import InvalidRecord, InvalidTraineeId
from ..exchange.folder import INBOX, RETURNS
from ..storage import NotJSON, dumps, parse_json
from ..workbook import check_record_id, check_trainee_id, paths

FORMAT = "rupture-bundle"
VERSION = 1
MANIFEST = "manifest.json"
EXCHANGE = "exchange"
KINDS = ("trainee", "reviewer")
#: The files of a workbook's folder a bundle carries: the record, and the trainee's own
#: reading state and typing (never the locks, sidecars or temporary copies).
FOLDER_FILES = {paths.WORKBOOK: "workbook", paths.JOURNAL: "journal", paths.DRAFTS: "drafts",
                paths.SEEN: "seen"}
_SHA256 = re.compile(r"[0-9a-f]{64}")


class LayoutError(ValueError):
    """Internal: a manifest or a path that no bundle may hold (reason in args[0])."""


@dataclass(frozen=True)
class FileEntry:
    path: str
    size: int
    sha256: str
    #: the path of another file in the bundle holding these very bytes (a recording sent to a
    #: reviewer is a hard link of the trainee's own: stored once, not once per reviewer)
    same_as: str | None = None

    def to_dict(self) -> dict:
        out = {"path": self.path, "size": self.size, "sha256": self.sha256}
        if self.same_as is not None:
            out["same_as"] = self.same_as
        return out


@dataclass(frozen=True)
class Manifest:
    kind: str             # "trainee" or "reviewer"
    owner: str            # the trainee id, or the reviewer id
    created_at: str
    package_version: str
    files: tuple          # FileEntry, in the order written
    format_version: int = VERSION
    #: a reviewer bundle made for one trainee (``for_trainee``): only what is theirs
    trainee: str | None = None

    @property
    def file_name(self) -> str:
        """A name to offer for the download: whose, what, when (``rupture-alex.morgan-
        20261201T184002Z.zip``; a reviewer's ``rupture-review-dr.sam.rivera-…``), safe on
        every filesystem (ids are)."""
        when = re.sub(r"[^0-9TZ]", "", self.created_at.split(".")[0]) + "Z"
        who = self.owner if self.kind == "trainee" else f"review-{self.owner}"
        if self.trainee:
            who += f"-for-{self.trainee}"
        return f"rupture-{who}-{when}.zip"

    def to_json(self) -> str:
        head = {"format": FORMAT, "format_version": self.format_version, "kind": self.kind,
                "owner": self.owner}
        if self.trainee is not None:
            head["trainee"] = self.trainee
        return dumps({**head, "created_at": self.created_at,
                      "package_version": self.package_version,
                      "files": [f.to_dict() for f in self.files]}, indent=1)

    @classmethod
    def from_json(cls, data: bytes) -> "Manifest":
        """The manifest, every field checked; LayoutError says what is wrong."""
        try:
            raw = parse_json(data)
        except NotJSON as e:
            raise LayoutError(f"its manifest.json is not readable ({e})") from None
        if not isinstance(raw, dict) or raw.get("format") != FORMAT:
            raise LayoutError("its manifest.json is not a rupture bundle's manifest")
        version = raw.get("format_version")
        if version != VERSION:
            raise LayoutError(f"it is a bundle of format version {version!r}, and this version "
                              f"of rupture-widgets reads version {VERSION} only (a newer one "
                              "may read it)")
        kind, owner = raw.get("kind"), raw.get("owner")
        if kind not in KINDS:
            raise LayoutError(f"its manifest names an unknown kind {kind!r} (expected trainee "
                              "or reviewer)")
        check_owner(owner)
        trainee = raw.get("trainee")
        if trainee is not None and (kind != "reviewer" or check_owner(trainee) != trainee):
            raise LayoutError("its manifest names a trainee, which only a reviewer's bundle "
                              "for one trainee does")
        created, version_text = raw.get("created_at"), raw.get("package_version")
        if not isinstance(created, str) or not _is_time(created):
            raise LayoutError(f"its manifest has no valid created_at ({created!r})")
        if not isinstance(version_text, str) or len(version_text) > 64:
            raise LayoutError("its manifest has no valid package_version")
        files = raw.get("files")
        if not isinstance(files, list):
            raise LayoutError("its manifest has no list of files")
        entries = []
        for f in files:
            if not isinstance(f, dict) or set(f) - {"same_as"} != {"path", "size", "sha256"} \
                    or not isinstance(f["path"], str) or type(f["size"]) is not int \
                    or f["size"] < 0 or not isinstance(f["sha256"], str) \
                    or not _SHA256.fullmatch(f["sha256"]) \
                    or not isinstance(f.get("same_as", ""), str):
                raise LayoutError(f"its manifest lists a file it does not describe properly "
                                  f"({str(f)[:120]})")
            entries.append(FileEntry(f["path"], f["size"], f["sha256"], f.get("same_as")))
        return cls(kind, owner, created, version_text, tuple(entries), version, trainee)


def check_owner(owner: object) -> str:
    """A trainee or reviewer id (both are ids from names: ``workbook.names``)."""
    try:
        return check_trainee_id(owner)
    except InvalidTraineeId as e:
        raise LayoutError(f"its manifest names an owner that is not a valid id: {e}") from None


def _is_time(text: str) -> bool:
    try:
        datetime.fromisoformat(text.replace("Z", "+00:00"))
        return True
    except ValueError:
        return False


@dataclass(frozen=True)
class Place:
    """Where one file of a bundle belongs."""
    area: str              # "trainee" (their folder), "inbox" (a review notebook), "returns"
    trainee: str
    reviewer: str | None   # the inbox's reviewer id (inbox only)
    role: str              # workbook, journal, drafts, seen, recording, return
    name: str              # the file's name

    @property
    def folder(self) -> tuple:
        """The parts of the workbook folder (or returns folder) it belongs in."""
        if self.area == "trainee":
            return (paths.TRAINEES, self.trainee)
        if self.area == "inbox":
            return (EXCHANGE, INBOX, self.reviewer, paths.TRAINEES, self.trainee)
        return (EXCHANGE, RETURNS, self.trainee)

    @classmethod
    def of(cls, path: str) -> "Place":
        """The place of a bundle path, or LayoutError: only the shapes in this module's doc."""
        parts = path.split("/")
        try:
            if len(parts) >= 3 and parts[0] == paths.TRAINEES:
                return _in_folder("trainee", check_trainee_id(parts[1]), None, parts[2:])
            if len(parts) >= 6 and parts[:2] == [EXCHANGE, INBOX] and parts[3] == paths.TRAINEES:
                return _in_folder("inbox", check_trainee_id(parts[4]),
                                  check_trainee_id(parts[2]), parts[5:])
            if len(parts) == 4 and parts[:2] == [EXCHANGE, RETURNS] \
                    and parts[3].endswith(".json"):
                check_record_id(parts[3][:-len(".json")], "feedback id")
                return cls("returns", check_trainee_id(parts[2]), None, "return", parts[3])
        except (InvalidTraineeId, InvalidRecord) as e:
            raise LayoutError(f"{path!r} names an invalid id: {e}") from None
        raise LayoutError(f"{path!r} is not a file a bundle holds")

    def belongs_to(self, manifest: Manifest) -> bool:
        if manifest.kind == "trainee":
            return self.trainee == manifest.owner
        if manifest.trainee is not None and self.trainee != manifest.trainee:
            return False
        return (self.area == "inbox" and self.reviewer == manifest.owner) \
            or self.area == "returns"


def _in_folder(area: str, trainee: str, reviewer: str | None, rest: list) -> Place:
    if len(rest) == 1 and rest[0] in FOLDER_FILES:
        return Place(area, trainee, reviewer, FOLDER_FILES[rest[0]], rest[0])
    if len(rest) == 2 and rest[0] == paths.RECORDINGS:
        named = paths.recording_attempt(rest[1])
        if named:
            check_record_id(named[0])
            return Place(area, trainee, reviewer, "recording", rest[1])
    raise LayoutError(f"{'/'.join(rest)!r} is not a file of a workbook's folder")
