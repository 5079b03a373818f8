"""`rupture bundle export` and `rupture bundle import` (the parsing is in cli.py)."""
from __future__ import annotations

import sys

from ..errors import BundleError
from ..workbook import Workspace


def export_main(args) -> int:
    from .export import export_bundle

    manifest = export_bundle(Workspace(args.workspace), args.out, trainee=args.trainee,
                             reviewer=args.reviewer, for_trainee=args.for_trainee)
    size = sum(f.size for f in manifest.files)
    print(f"Wrote {args.out}: the work of {manifest.kind} {manifest.owner}, "
          f"{len(manifest.files)} files ({size / 1e6:.1f} MB before compression).")
    return 0


def import_main(args) -> int:
    """Each bundle on its own (a facilitator imports a room's at once): one refused is reported
    and the others still imported; the exit status says whether any was refused."""
    from .restore import import_bundle

    ws = Workspace(args.workspace)
    refused = 0
    for source in args.bundles:
        try:
            print(import_bundle(ws, source))
        except BundleError as e:
            print(f"rupture: {e}", file=sys.stderr)
            refused += 1
    if refused:
        print(f"rupture: {refused} of {len(args.bundles)} bundles were refused (above); the "
              "others were imported.", file=sys.stderr)
    return 2 if refused else 0
