"""Many trainees' bundles into one review workspace, at the end of a workshop.

Each bundle goes through ``bundles.import_bundle`` on its own (that merges, is idempotent and
refuses a corrupt, tampered or unsafe bundle with a ``BundleError``), so one bad bundle is
reported by its name and the others are still imported. Nothing here writes a file itself.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ..errors import RuptureError


@dataclass(frozen=True)
class BundleImport:
    """One bundle's outcome: ``report`` (bundles.ImportReport) when imported, else ``refused``
    (the reason, worded for the facilitator). A refused bundle has no ImportReport to give."""

    name: str
    report: object | None = None
    refused: str | None = None

    @property
    def imported(self) -> bool:
        return self.refused is None

    def __str__(self) -> str:
        if self.refused is not None:  # a BundleError already says "was not imported"
            said = "not imported" in self.refused
            return f"{self.name}: {'' if said else 'not imported: '}{self.refused}"
        return f"{self.name}: {self.report}"


def bundle_sources(paths) -> list[tuple[str, object]]:
    """(name, source) for each bundle: a path to a zip, a folder (its *.zip, by name), or a
    ``(name, bytes)`` pair such as an upload."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    out = []
    for item in paths:
        if isinstance(item, tuple):
            out.append((str(item[0]), item[1]))
            continue
        path = Path(item)
        if path.is_dir():
            out += [(p.name, p) for p in sorted(path.glob("*.zip")) if p.is_file()]
        else:
            out.append((path.name, path))
    return out


def import_bundles(workspace, paths) -> list[BundleImport]:
    """Import every bundle of ``paths`` into ``workspace``; one outcome per bundle, in order."""
    from ..bundles import import_bundle

    outcomes = []
    for name, source in bundle_sources(paths):
        try:
            outcomes.append(BundleImport(name, report=import_bundle(workspace, source)))
        except RuptureError as e:  # BundleError and the workbook's own refusals
            outcomes.append(BundleImport(name, refused=str(e)))
        except OSError as e:  # unreadable or vanished file: that bundle only
            reason = f"it could not be read ({e.strerror or e})."
            outcomes.append(BundleImport(name, refused=reason))
    return outcomes


def summary(outcomes: list[BundleImport]) -> str:
    """The count, then the refused bundles (what needs doing), then the imported ones."""
    done = sum(o.imported for o in outcomes)
    lines = [f"{done} of {len(outcomes)} bundle{'s' if len(outcomes) != 1 else ''} imported."]
    lines += [str(o) for o in outcomes if not o.imported]
    lines += [str(o) for o in outcomes if o.imported]
    return "\n".join(lines)
