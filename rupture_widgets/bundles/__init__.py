"""Bundles: a trainee's or a reviewer's work as one zip, to carry off an ephemeral server and
bring back (docs/bundles.md, docs/decisions.md #32).

    export_bundle(workspace, out, *, trainee=None, reviewer=None) -> Manifest
    import_bundle(workspace, source) -> ImportReport
    read_manifest(source) -> Manifest      (checked whole, nothing imported)

manifest.py  the manifest and the layout: what a bundle may hold, where each file belongs
safety.py    the checks a zip passes before anything in it is believed (names, links, bombs)
reading.py   a bundle opened and checked whole: manifest, checksums, records
export.py    export_bundle: a consistent copy, read under the workbook's own locks
restore.py   import_bundle: merged through the store, never overwriting
files.py     files created new (temp, fsync, link), never over another
report.py    ImportReport: what was added and what was there, in plain words
command.py   `rupture bundle export|import`
"""
from __future__ import annotations

from .export import export_bundle
from .manifest import Manifest
from .reading import read_manifest
from .report import ImportReport
from .restore import import_bundle
from .safety import Limits

__all__ = ["export_bundle", "import_bundle", "read_manifest", "Manifest", "ImportReport",
           "Limits"]
