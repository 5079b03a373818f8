"""Helpers for the bundle tests: a trainee's practice through the real workbook and exchange
APIs (the shared fixtures' recorded answers), and a whole tree hashed."""
from __future__ import annotations

import hashlib
import io
import os
import stat
import zipfile
from pathlib import Path

from _workbook_fixtures import recorded_attempt
from rupture_widgets.exchange import open_exchange
from rupture_widgets.storage import dumps, parse_json
from rupture_widgets.taxonomy import load_taxonomy
from rupture_widgets.workbook import Workspace
from rupture_widgets.workbook.records import feedback_record

TRAINEE, REVIEWER = "alex.morgan", "Dr Sam Rivera"


def practise(ws: Workspace, answers: list[bytes], trainee: str = TRAINEE, name="Alex Morgan",
             returned: bool = True):
    """Two recorded attempts, a self-assessment, a draft being typed, the first sent to
    REVIEWER and (``returned``) reviewed and returned, not yet collected."""
    wb = ws.workbook(trainee, display_name=name)
    first = recorded_attempt(wb, answers[0])
    second = recorded_attempt(wb, answers[1])
    wb.set_self_assessment(second.id, difficulty=6, strategies=["S4"], note="Held the pause")
    wb.save_draft(f"self-assessment:{first.id}:note", "Half-typed thought")
    ex = open_exchange(ws)
    ex.send(wb, first.id, reviewer=REVIEWER, role="supervisor")
    review = feedback_record(load_taxonomy(), first.id, reviewer=REVIEWER, role="supervisor",
                             ratings={"empathy": 4}, strategies=["S4"],
                             comments=[{"t": 0.5, "text": "Good pause <b>here</b>."}],
                             summary="Warm and clear.")
    if returned:
        ex.return_feedback(REVIEWER, trainee, review)
    return wb, [first.id, second.id], review


def tree_hashes(root: Path) -> dict[str, str]:
    """Every file below ``root`` (links as their target text) by relative path -> SHA-256."""
    out = {}
    root = Path(root)
    if not root.exists():
        return out
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            rel = p.relative_to(root).as_posix()
            if p.is_symlink():
                out[rel] = "link:" + os.readlink(p)
            elif p.is_file():
                out[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
            else:
                out[rel + "/"] = "dir"
    return out


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
