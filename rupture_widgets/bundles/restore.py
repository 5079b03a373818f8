"""``import_bundle``: a bundle's work brought into a workspace, merged, never overwriting.

The whole bundle is checked first (``reading``); then every place it writes is resolved and
confined (no folder on the way may be a link, nothing may land outside the workspace or its
exchange); only then is anything written, and all of it through the store's own paths:

- a workbook (the trainee's, or a review notebook) is folded in by the store's merge
  (``workbook.fold_in``): attempts, feedback and notes it does not hold are added, what it holds
  stays; never a file copied over it;
- a recording or a return is created new (``files.write_new``): the same name with the same bytes
  is left as it is, with other bytes it is refused, the file here kept, and the report says so;
- drafts and seen feedback are merged by key.

So importing the same bundle twice changes nothing, byte for byte, and an import can run while
the apps write (every workbook write takes the workbook's lock).
"""
from __future__ import annotations

import os
from pathlib import Path

from ..errors import BundleError, ExchangeError
from ..exchange import open_exchange
from ..exchange.folder import reviewer_id
from ..workbook import drafts as drafts_file
from ..workbook import paths, seen
from ..workbook.fold_in import as_notebook, fold_in
from .export import as_workspace
from .files import link_new, make_folders, same_file, write_new
from .manifest import EXCHANGE
from .reading import CheckedBundle, opened
from .report import ImportReport
from .safety import Limits, Unsafe, read_entry

_AREAS = ("trainee", "inbox", "returns")  # the order written: a trainee's own work first


def import_bundle(workspace, source, *, limits: Limits | None = None) -> ImportReport:
    """Import the bundle ``source`` (a path, bytes, or a binary file object) into
    ``workspace`` (a ``Workspace`` or a folder); returns what was added and what was there."""
    ws = as_workspace(workspace)
    exchange = open_exchange(ws)
    with opened(source, limits) as bundle:
        targets = {path: _confined(ws.root, exchange.root, path, bundle.label)
                   for path in bundle.places}
        reviewers = _reviewer_names(bundle, exchange.root)
        report = ImportReport(bundle.label, bundle.manifest.kind, bundle.manifest.owner)
        folders: dict[tuple, list[str]] = {}
        for path, place in sorted(bundle.places.items(),
                                  key=lambda kv: (_AREAS.index(kv[1].area), kv[0])):
            folders.setdefault(place.folder, []).append(path)
        for folder, members in folders.items():
            area = bundle.places[members[0]].area
            if area == "returns":
                for path in members:
                    _place_file(bundle, path, targets, report, "feedback")
            else:
                _restore_folder(bundle, ws, exchange, folder, members, targets, reviewers,
                                report)
    return report


def _confined(ws_root: Path, exchange_root: Path, path: str, label: str) -> tuple:
    """Where a bundle path goes, as (base folder, parts below it): inside the workspace
    (``exchange/`` inside its exchange), with no link anywhere on the way; or the whole
    import is refused before a byte is written."""
    parts = path.split("/")
    base, rel = (exchange_root, parts[1:]) if parts[0] == EXCHANGE else (ws_root, parts)
    base = Path(base)
    here = base
    for part in rel:
        here = here / part
        if os.path.islink(here):
            raise BundleError.refused(label, f"{here} in this workspace is a link, and a bundle "
                                      "writes only into the workspace's own folders")
    if here.exists() and not here.is_file():
        raise BundleError.refused(label, f"{here} in this workspace is not a file")
    if not here.resolve().is_relative_to(base.resolve()):
        raise BundleError.refused(label, f"{path!r} would be written outside {base}")
    return base, tuple(rel)


def _restore_folder(bundle: CheckedBundle, ws, exchange, folder: tuple, members: list[str],
                    targets: dict, reviewers: dict, report: ImportReport) -> None:
    places = {bundle.places[p].role: p for p in members if bundle.places[p].role != "recording"}
    first = bundle.places[members[0]]
    for path in members:  # recordings first: an attempt added next finds its recording there
        if bundle.places[path].role == "recording":
            _place_file(bundle, path, targets, report, "recording")
    state = bundle.states.get(folder)
    if state is not None:
        if first.area == "trainee":
            wb = ws.workbook(first.trainee)
        elif folder in reviewers:
            wb = exchange.review_workbook(reviewers[folder], first.trainee)
        else:
            return  # an empty review notebook: every attempt in it was withdrawn
        found = fold_in(wb, as_notebook(first.trainee, state, wb.title))
        if first.area == "trainee":
            report.attempts_added += len(found.added)
            report.attempts_present += len(found.same) + len(found.differing)
            report.feedback_ids.update(found.feedback_added)
        else:
            report.reviews_added += len(found.added)
        report.other_changes += found.notes_added + found.cells_added + found.name_added
        where = "/".join(folder)
        for aid in found.differing:
            report.notes.append(f"attempt {aid} in {where} differs from the bundle's copy; "
                                "this workspace's is kept.")
        for aid in found.deleted_here:
            report.notes.append(f"attempt {aid} in {where} was deleted here; it is not "
                                "brought back.")
    else:
        wb = ws.workbook(first.trainee) if first.area == "trainee" else None
    if wb is None:
        return
    if "drafts" in places:
        added, differing = drafts_file.merge_in(paths.TraineeFolder(wb.dir),
                                                bundle.texts[places["drafts"]])
        report.other_changes += len(added)
        if differing:
            report.notes.append(f"{len(differing)} draft(s) in {'/'.join(folder)} differ from "
                                "the bundle's; the text here is kept.")
    if "seen" in places:
        report.other_changes += seen.merge_in(wb, bundle.texts[places["seen"]])


def _reviewer_names(bundle: CheckedBundle, exchange_root: Path) -> dict[tuple, str]:
    """Each inbox folder's reviewer as the trainee named them when sending (the review
    notebook's title), checked to be that folder's reviewer: before anything is written."""
    names = {}
    for folder, state in bundle.states.items():
        if folder[0] != EXCHANGE:
            continue
        sent = [a["sent_to"][-1]["reviewer"] for a in state.ordered_attempts() if a["sent_to"]]
        if not sent:
            continue  # nothing in it (every attempt withdrawn): there is nothing to merge
        rid = folder[2]
        name = sent[-1]
        try:
            same = reviewer_id(name) == rid
        except ExchangeError:
            same = False
        if not same:
            raise BundleError.refused(bundle.label, f"the review notebook in {'/'.join(folder)} "
                                      f"holds attempts sent to someone else ({name!r})")
        names[folder] = name
    return names


def _place_file(bundle: CheckedBundle, path: str, targets: dict, report: ImportReport,
                what: str) -> None:
    """A recording or a return: created new; the same bytes here already are left; other bytes
    here are kept, the bundle's refused, and the report says so."""
    base, rel = targets[path]
    target = base.joinpath(*rel)
    entry = bundle.entries[path]
    added = False
    if not os.path.lexists(target):
        make_folders(base, rel[:-1])
        info = bundle.infos[path]
        if entry.same_as is not None:  # stored once: linked to the copy just written, if it is
            first_base, first_rel = targets[entry.same_as]  # (confined like every target)
            first = first_base.joinpath(*first_rel)
            added = same_file(first, entry.sha256) and link_new(first, target)

        def fill(f) -> str:
            try:
                return read_entry(bundle.zf, info, sink=f.write)[0]
            except Unsafe as e:  # the zip changed since it was checked
                raise BundleError.refused(bundle.label, str(e)) from None

        try:
            added = added or write_new(target, fill, entry.sha256)
        except BundleError:  # (a ValueError too) from ``fill``: worded already
            raise
        except ValueError as e:  # the bytes written are not the ones checked
            raise BundleError.refused(bundle.label, str(e)) from None
    if added:
        if what == "recording":
            report.recordings_added += 1
        else:
            report.feedback_ids.add(Path(path).stem)  # a return is named by its feedback id
    elif same_file(target, entry.sha256):
        if what == "recording":
            report.recordings_present += 1
    else:
        report.notes.append(f"{path} is here already with different content; the file here is "
                            "kept and the bundle's copy was not imported.")
