"""The bar a throw-away server shows above every view: what the server keeps (nothing), and
"Download my work" / "Restore my work" (a bundle: rupture_widgets.bundles).

- **Download my work**: the trainee's bundle is made in a temporary file (not in memory: a
  workshop's answers can be hundreds of MB on a 1-2 GB server) and saved by the browser as
  ``rupture-<trainee>-<date>.zip`` (widgets.FileDownload: in pieces, nothing leaves the host).
- **Restore my work**: the chosen zip arrives in pieces (widgets.FileUpload) and goes to
  ``import_bundle``, which merges it (never overwrites) and refuses a bad bundle; what it did, or
  why not, is said in plain words. A bundle of another trainee is refused before anything is
  imported: it would put their work into this workspace under their name, where the trainee
  practising here would not see it, and the next bundle downloaded would not carry it.
- **A reminder before leaving** (widgets.LeaveGuard) while there is work not yet downloaded
  (workbook/downloaded.py: the folder's state against the state at the last download or
  restore), checked every few seconds in the kernel, so every kind of work counts without each
  part of the app having to say so.

The bundles package is imported only when a button is pressed (docs/decisions.md #8).
"""
from __future__ import annotations

import asyncio
import io
import logging
import tempfile
import zipfile
from datetime import datetime, timezone
from html import escape
from typing import Callable

import ipywidgets as w

from ...errors import RuptureError
from ...widgets.file_transfer import FileDownload, FileUpload
from ...widgets.leave_guard import LeaveGuard
from ...workbook import downloaded
from ..ephemeral import EphemeralServer

log = logging.getLogger(__name__)
#: how often the kernel looks for new work (a few stat calls; nothing is sent unless it changed)
CHECK_S = 2.0


def bundle_name(trainee_id: str, when: datetime) -> str:
    return f"rupture-{trainee_id}-{when.strftime('%Y-%m-%d')}.zip"


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 100_000 else f"{max(1, round(n / 1e3))} kB"


class WorkBar(w.HBox):
    """The two buttons (and the invisible reminder). The app shows ``notice`` above them and
    ``status`` (what they did) below: the buttons' row stays in view while the page scrolls
    (rupture.css), the longer texts do not, so on a phone the row takes one line of the screen.
    """

    def __init__(self, server: EphemeralServer, workspace, *, problem: str = "",
                 clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)):
        self.server, self.workspace, self._clock = server, workspace, clock
        self.workbook = None
        self._restored: list[Callable[[], None]] = []
        self._state: str | None = None
        self._pending: str | None = None  # the state the bundle being sent was made from
        text = escape(server.notice()) + (f" {escape(problem)}" if problem else "")
        self.notice = w.HTML(f"<p class='rw-work-notice' role='note'>{text}</p>")
        self.download = FileDownload(label="Download my work", disabled=True)
        self.restore = FileUpload(label="Restore my work", accept=".zip,application/zip",
                                  disabled=True)
        self.status = w.HTML()
        self.guard = LeaveGuard()
        self.download.on_request(self._download)
        self.download.on_saved(self._saved)
        self.download.on_failed(lambda message: self._say(
            f"The download did not complete ({message}). Press Download my work again.", True))
        self.restore.on_received(self._received)
        self.restore.on_refused(lambda message: self._say(message, True))
        # hidden until someone has said who they are: there is nothing of theirs to carry yet
        super().__init__([self.download, self.restore, self.guard],
                         layout=w.Layout(display="none"))
        self.add_class("rw-work-bar")
        self.notice.add_class("rw-work-notice-box")
        self.status.add_class("rw-work-status")

    def parts(self) -> list:
        """What the app shows, in order: the notice, the buttons' row, the status."""
        return [self.notice, self, self.status]

    def attach(self, workbook) -> None:
        """Whose work the buttons carry (once the trainee has said who they are)."""
        self.workbook = workbook
        self.download.disabled = self.restore.disabled = False
        self.layout.display = None
        self.check()
        self._watch()

    def on_restored(self, callback: Callable[[], None]) -> None:
        """``callback()`` after a restore added something: the app shows it."""
        self._restored.append(callback)

    # -- not yet downloaded ------------------------------------------------------------------
    def check(self) -> None:
        """Look at the work; turn the reminder on or off if it changed."""
        if self.workbook is None:
            return
        state = downloaded.work_state(self.workbook)
        if state != self._state:
            self._state = state
            self.guard.active = downloaded.not_downloaded(self.workbook, state)

    def _watch(self) -> None:
        try:
            loop = asyncio.get_running_loop()  # the kernel's (ipykernel runs one)
        except RuntimeError:
            return  # no loop (a test calling check() itself)

        def tick():
            try:
                self.check()
            except Exception:  # a reminder that fails must not stop the app; try again later
                log.exception("checking for work not yet downloaded failed")
            loop.call_later(CHECK_S, tick)

        loop.call_later(CHECK_S, tick)

    # -- download ----------------------------------------------------------------------------
    def _download(self) -> None:
        from ...bundles import export_bundle

        wb = self.workbook
        self.download.busy = True
        self._say("Preparing your work…")
        try:
            state = downloaded.work_state(wb)  # before: a change made meanwhile still counts
            out = tempfile.TemporaryFile(prefix="rupture-bundle-")
            try:
                export_bundle(self.workspace, out, trainee=wb.trainee_id)
            except BaseException:
                out.close()
                raise
            self._pending = state
            self.download.send_file(bundle_name(wb.trainee_id, self._clock()), out)
        except RuptureError as e:
            self._say(f"Your work could not be prepared: {e}", True)
        except Exception:
            log.exception("making the bundle failed")
            self._say("Your work could not be prepared (an error in the app). Try again; if it "
                      "happens again, tell whoever runs this workshop.", True)
        finally:
            self.download.busy = False

    def _saved(self, name: str, size: int) -> None:
        if self._pending is not None:
            downloaded.mark_downloaded(self.workbook, self._pending, at=self._clock().isoformat())
            self._pending = None
        self._state = None  # look again now, not in a few seconds
        self.check()
        self._say(f"Saved {escape(name)} ({_size(size)}) to your downloads. Keep it: next time "
                  "choose Restore my work and pick it to carry on where you left off.")

    # -- restore -----------------------------------------------------------------------------
    def _received(self, name: str, path) -> None:
        from ...bundles import import_bundle

        wb = self.workbook
        self.restore.busy = True
        try:
            kind, owner = bundle_owner(path)
            if kind == "reviewer":
                self._say(f"{escape(name)} holds a reviewer's work ({escape(owner)}), not a "
                          "trainee's, so nothing was restored here.", True)
                return
            if owner is not None and owner != wb.trainee_id:
                self._say(f"{escape(name)} holds the work of {escape(owner)}, not yours "
                          f"({escape(wb.trainee_id)}), so nothing was restored. To restore it, "
                          "reload the page and type the name it was saved under.", True)
                return
            unsaved_before = downloaded.not_downloaded(wb)
            with _Upload(path, name) as bundle:  # messages name the file as the trainee chose it
                report = import_bundle(self.workspace, bundle)
            if not unsaved_before:  # everything here is now in a bundle the trainee holds
                downloaded.mark_downloaded(wb, downloaded.work_state(wb),
                                           at=self._clock().isoformat())
            self._state = None
            self.check()
            self._say(escape(restored_sentence(name, report)))
            for callback in self._restored:
                callback()
        except RuptureError as e:  # BundleError: corrupt, tampered, unsafe — in plain words
            self._say(escape(str(e)), True)
        except Exception:
            log.exception("restoring a bundle failed")
            self._say(f"{escape(name)} could not be restored (an error in the app). Your work "
                      "on this server is as it was, or partly restored; try again.", True)
        finally:
            self.restore.busy = False

    def _say(self, html_text: str, problem: bool = False) -> None:
        role = "alert" if problem else "status"
        self.status.value = f"<p role='{role}' class='rw-work-status'>{html_text}</p>"


def restored_sentence(name: str, report) -> str:
    """What a restore did, in one plain sentence (the counts of an ImportReport)."""
    if not report.changed:
        return f"Everything in {name} is here already; nothing needed restoring."
    done = [f"{n} {what}{'' if n == 1 else 's'}"
            for n, what in ((report.attempts_added, "attempt"),
                            (report.recordings_added, "recording"),
                            (report.feedback_added, "review")) if n]
    there = report.attempts_present
    return (f"Restored from {name}: {' and '.join(done) or 'your notes and drafts'} added"
            + (f" ({there} attempt{'' if there == 1 else 's'} already here)." if there else ".")
            + "".join(f" Kept as it was: {note}" for note in report.notes))


class _Upload(io.BufferedReader):
    """The uploaded file, read from its temporary copy but named as the trainee chose it."""

    def __init__(self, path, shown_name: str):
        super().__init__(io.FileIO(path, "rb"))
        self._shown_name = shown_name

    @property
    def name(self) -> str:
        return self._shown_name


#: a manifest larger than this is not read here (import_bundle judges the bundle)
MANIFEST_MAX_BYTES = 16 * 1024 * 1024


def bundle_owner(path) -> tuple[str | None, str | None]:
    """(kind, owner) from a bundle's manifest ("trainee" or "reviewer", and their id), or
    (None, None) when it cannot be read here: then ``import_bundle`` refuses the bundle with
    its own message."""
    from ...bundles.manifest import MANIFEST, Manifest

    try:
        with zipfile.ZipFile(path) as z:
            if z.getinfo(MANIFEST).file_size > MANIFEST_MAX_BYTES:
                return None, None
            manifest = Manifest.from_json(z.read(MANIFEST))
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, RuntimeError):
        return None, None
    return manifest.kind, manifest.owner
