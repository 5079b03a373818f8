"""Recorder: the trainee answers on camera; chunks stream into the workbook as they arrive.

Browser side (static/recorder*.js, joined by ``ESM_PARTS``) records with
``MediaRecorder.start(1000)`` and sends each chunk as a binary buffer; here each one is appended
to the attempt's part file on arrival, so a closed tab or a lost connection leaves everything
received so far on disk (docs/decisions.md #1). Stop
finalises (the Duration written in place, see recordings.py; PyAV imported only then) and logs
the attempt in the workbook. Stop says how many chunks the browser sent; an answer missing some
is kept as it is and logged as incomplete, never finalised with a hole in it.

The camera opens only when the trainee asks ("Turn camera on", "Record my answer", or
:meth:`record`); recording follows a ``countdown_seconds`` countdown. The browser keeps the
chunks it sent and, on Stop, replays the answer from them (a Blob URL, its WebM given a Duration
there) without waiting for the kernel; :meth:`play_attempt` is for an earlier answer.

Message protocol (browser -> kernel, ``kind``): ``start`` {mime_type, started_at_ms},
``chunk`` {seq} + one buffer, ``stop`` {elapsed_ms, reason, chunks, speech_onset_ms, speaking_ms},
``abort`` {reason}, ``playback-ack`` {part, token}; each carries ``view``, the id of the browser
view sending it. Kernel -> browser: ``record``, ``stop``, ``busy`` {view}, ``playback`` {part, parts, token, mime_type} + one
buffer (the next part follows the browser's ``playback-ack``).
"""
from __future__ import annotations

import logging
import math
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import anywidget
import traitlets as t
from ipywidgets import CallbackDispatcher, DOMWidget, widget_serialization

from ..errors import RecordingError, RuptureError

log = logging.getLogger(__name__)
_STATIC = Path(__file__).parent / "static"

#: The browser side, one concern a file, joined into the single ES module anywidget loads (a
#: module given as text cannot import its neighbours by relative URL).
ESM_PARTS = ("recorder_camera.js", "recorder_upload.js", "recorder_playback.js",
             "recorder_view.js", "recorder_answer.js", "recorder.js")


def _esm_source() -> str:
    return "\n".join((_STATIC / name).read_text(encoding="utf-8") for name in ESM_PARTS)


#: Pieces of a recording sent back for playback: small enough for any websocket cap.
PLAYBACK_PART_BYTES = 4 * 1024 * 1024
STATUSES = ("idle", "opening-camera", "ready", "countdown", "recording", "saving", "saved",
            "error")


class Recorder(anywidget.AnyWidget):
    """The camera when the trainee chooses, a countdown, record / stop / record again, a timer
    and a length limit; after Stop the answer replays from the browser's own copy.

    Give it a ``workbook`` (``Workspace(...).workbook(trainee_id)``) and the clip being answered
    (:meth:`answer_clip`); each Stop logs an attempt and calls the ``on_attempt`` callbacks.
    ``source`` may be an ``ipywebrtc.CameraStream``; without one the recorder opens the camera.
    """

    _esm = _esm_source()
    _css = _STATIC / "recorder.css"

    status = t.Unicode("idle", help="Where the recorder is: " + ", ".join(STATUSES) + "."
                       ).tag(sync=True)
    error = t.Unicode("", help="What went wrong, in plain words ('' when nothing did)."
                      ).tag(sync=True)
    error_code = t.Unicode("", help="Machine-readable kind of error: permission-denied, "
                           "no-camera, camera-busy, camera-failed, no-mediarecorder, "
                           "insecure-context, recorder-failed, cut-off, too-large, save-failed."
                           ).tag(sync=True)
    max_seconds = t.Int(300, help="Longest answer in seconds; recording stops there."
                        ).tag(sync=True)
    video_bits_per_second = t.Int(3_000_000, help="Video bitrate asked of MediaRecorder."
                                  ).tag(sync=True)
    source = t.Instance(DOMWidget, allow_none=True, help="An ipywebrtc CameraStream to record "
                        "from; None opens the camera directly.").tag(sync=True,
                                                                    **widget_serialization)
    countdown_seconds = t.Int(3, help="Seconds counted down (3-2-1) before recording starts; "
                              "0 records at once.").tag(sync=True)
    auto_record = t.Bool(False, help="Start recording when the clip ends (the trainee's "
                         "choice, a checkbox in the recorder; the browser remembers it and "
                         "says it here when the recorder is shown).").tag(sync=True)
    last_attempt_id = t.Unicode("", help="Id of the attempt logged by the latest Stop."
                                ).tag(sync=True)

    @t.validate("max_seconds")
    def _valid_max_seconds(self, proposal):
        value = proposal["value"]
        if not 1 <= value <= 3600:
            raise t.TraitError(f"max_seconds must be between 1 and 3600 seconds, got {value!r}")
        return value

    @t.validate("countdown_seconds")
    def _valid_countdown(self, proposal):
        value = proposal["value"]
        if not 0 <= value <= 10:
            raise t.TraitError(f"countdown_seconds must be between 0 and 10, got {value!r}")
        return value

    @t.validate("status")
    def _valid_status(self, proposal):
        if proposal["value"] not in STATUSES:
            raise t.TraitError(f"status must be one of {STATUSES}, got {proposal['value']!r}")
        return proposal["value"]

    def __init__(self, workbook=None, *, clip_id: str = "", marker: str = "", level: str = "",
                 **kwargs):
        super().__init__(**kwargs)
        self.workbook = workbook
        self.clip_id, self.marker, self.level = clip_id, marker, level
        #: page clock (ms) when the clip being answered last ended, if it has ended since the
        #: last answer (each answer logged clears it); gives the answer's latency
        self.clip_ended_at_ms: float | None = None
        self._recording = None      # the Recording receiving chunks, if any
        self._over_limit = None     # (recording, message) once the size limit refused a chunk
        self._view = None           # the browser view whose answer is being received
        self._playback = None       # the file being sent back for playback, piece by piece
        self._playback_token = 0
        self._started_at_ms = 0.0
        self._attempt_callbacks = CallbackDispatcher()
        self.on_msg(self._handle_message)

    # -- what the app calls ---------------------------------------------------------------
    def answer_clip(self, clip_id: str, marker: str, level: str) -> None:
        """Attempts from now on answer this clip."""
        self.clip_id, self.marker, self.level = clip_id, marker, level
        self.clip_ended_at_ms = None

    def on_attempt(self, callback: Callable, remove: bool = False) -> None:
        """``callback(attempt)`` after each recording is saved and logged (complete or not)."""
        self._attempt_callbacks.register_callback(callback, remove=remove)

    def record(self) -> None:
        """Record an answer now (e.g. when the clip ends), as "Record my answer" does: the
        camera opened if it is off, the countdown, then recording. Ignored while recording
        or saving, and when the browser cannot record."""
        self.send({"kind": "record"})

    def stop(self) -> None:
        self.send({"kind": "stop", "reason": "kernel"})

    def play_attempt(self, attempt_id: str) -> None:
        """Play one of this trainee's recordings back, sent through the kernel (docs/decisions.md #7)."""
        path = self.workbook.recording_path(attempt_id) if self.workbook else None
        if path is None:
            raise RecordingError.undecodable(attempt_id, "its recording file is missing")
        if not self.workbook.owns_recording(path):  # checked again here: this sends the bytes
            raise RecordingError(f"{path} is not one of this trainee's recordings, so it is not "
                                 "played.")
        self.play_file(path, label=f"Your recorded answer {attempt_id}")

    def play_file(self, path: Path | str, mime_type: str = "video/webm",
                  label: str = "Your recorded answer") -> None:
        """Send a file to the browser; it plays from a Blob URL, never from a public URL.

        One piece at a time, the next only when the browser acknowledges the last: a slow page
        then cannot make a long answer pile up in the kernel's send queue. A new playback
        cancels the one still in flight."""
        path = Path(path)
        parts = max(1, -(-path.stat().st_size // PLAYBACK_PART_BYTES))
        self._playback_token += 1
        self._playback = {"path": path, "parts": parts, "mime_type": mime_type,
                          "label": label, "token": self._playback_token}
        self._send_playback_part(0)

    def _send_playback_part(self, part: int) -> None:
        pb = self._playback
        if pb is None or part >= pb["parts"]:
            self._playback = None
            return
        with open(pb["path"], "rb") as f:
            f.seek(part * PLAYBACK_PART_BYTES)
            piece = f.read(PLAYBACK_PART_BYTES)
        pb["sent"] = part
        self.send({"kind": "playback", "part": part, "parts": pb["parts"], "token": pb["token"],
                   "mime_type": pb["mime_type"], "label": pb["label"]}, buffers=[piece])

    # -- browser messages -------------------------------------------------------------------
    def _handle_message(self, _widget, content, buffers) -> None:
        kind = content.get("kind") if isinstance(content, dict) else None
        view = content.get("view") if kind else None
        if kind in ("chunk", "stop", "abort") and view != self._view:
            return  # from another view of this widget, which is not the one recording
        try:
            if kind == "start":
                self._start(content)
            elif kind == "chunk":
                self._chunk(buffers)
            elif kind == "stop":
                self._stop(content)
            elif kind == "abort":
                self._keep_incomplete(content.get("reason") or "cut off")
            elif kind == "playback-ack":
                pb = self._playback  # every view acks; only the first ack of a piece counts
                if pb and content.get("token") == pb["token"] and content.get("part") == pb["sent"]:
                    self._send_playback_part(pb["sent"] + 1)
        except RuptureError as e:
            log.warning("recorder: %s", e)
            self._fail("save-failed", str(e))
        except Exception as e:  # e.g. a full disk: say so on the page instead of hanging
            log.exception("recorder: could not handle %r", kind)
            self._fail("save-failed", f"Your answer could not be saved ({type(e).__name__}: "
                       f"{e}). Whatever was received is kept on the server.")

    def _start(self, content: dict) -> None:
        if self._recording is not None and content.get("view") != self._view:
            self.send({"kind": "busy", "view": content.get("view")})  # shown twice: one records
            return
        if self._recording is not None:  # the previous answer never got its Stop
            self._keep_incomplete("a new recording started before the last one was stopped")
        if self.workbook is None:
            raise RecordingError("There is no workbook to save the answer in; say who you are "
                                 "first.")
        self._view = content.get("view")
        started_ms = content.get("started_at_ms")
        self._started_at_ms = (float(started_ms) if isinstance(started_ms, (int, float))
                               and math.isfinite(started_ms) and started_ms > 0 else 0.0)
        self._recording = self.workbook.start_recording(
            clip_id=self.clip_id or None, marker=self.marker or None, level=self.level or None)
        self.error, self.error_code = "", ""

    def _chunk(self, buffers) -> None:
        rec = self._recording
        if rec is None:
            return  # chunks after a refused one (size limit): nothing to append them to
        for buf in buffers or ():
            try:
                rec.append(buf)
            except RecordingError as e:  # size limit: keep what we have, stop the browser
                self._recording, self._over_limit = None, (rec, str(e))
                self.stop()
                return

    def _stop(self, content: dict) -> None:
        rec, self._recording = self._recording, None
        over_limit, self._over_limit = self._over_limit, None
        if over_limit is not None:
            rec = over_limit[0]
        if rec is None:
            if self.status != "error":
                self._fail("save-failed", "Nothing was received from this recording, so "
                           "nothing was saved. Please record again.")
            return
        sent = content.get("chunks")
        if over_limit is None and isinstance(sent, int) and rec.chunks < sent:
            self._log_incomplete(rec, content, "save-failed", (
                f"Only {rec.chunks} of the {sent} pieces of this answer reached the server, so "
                "it is kept as it arrived and listed as incomplete. Please record again."))
            return
        try:
            duration = rec.finalise()
        except RecordingError as e:
            self._log_incomplete(rec, content, "save-failed", f"{e} It is listed as incomplete.")
            return
        attempt = self._log(rec, "complete", content, duration_s=duration,
                            path=rec.relative_path)
        # tell the page first: callbacks may be slow (e.g. sending the answer back for playback)
        with self.hold_sync():
            self.status = "saved"
            if over_limit is not None:
                self.error_code, self.error = "too-large", over_limit[1]
        self._attempt_callbacks(attempt)

    def _keep_incomplete(self, reason: str) -> None:
        rec, self._recording = self._recording, None
        if rec is None or not rec.bytes_written:
            return
        self._log_incomplete(rec, {}, "cut-off", "The recording was cut off (" + reason + "). "
                             "What was received is kept and marked incomplete.")

    def _log_incomplete(self, rec, content: dict, code: str, words: str) -> None:
        """The part file, as it is, becomes an incomplete attempt; the page says why."""
        attempt = self._log(rec, "incomplete", content, path=rec.part_path)
        self._fail(code, words)
        self._attempt_callbacks(attempt)

    def _log(self, rec, status: str, content: dict, *, path, duration_s=None):
        onset_ms = content.get("speech_onset_ms")
        speaking_ms = content.get("speaking_ms")
        latency_s = cue_s = None
        # the answer was cued when the clip ended, if it ended since the last answer; else
        # ("Record again") when recording started, after the countdown
        cued_ms, self.clip_ended_at_ms = self.clip_ended_at_ms or self._started_at_ms, None
        if cued_ms and self._started_at_ms and self._started_at_ms >= cued_ms:
            # kept on its own so the latency can be measured again from the audio
            cue_s = (self._started_at_ms - cued_ms) / 1000
        if onset_ms is not None and cued_ms and self._started_at_ms:
            latency = (self._started_at_ms + float(onset_ms) - cued_ms) / 1000
            latency_s = latency if latency >= 0 else None
        try:  # the browser's clock, as sent: a broken one must not lose the answer
            started = (datetime.fromtimestamp(self._started_at_ms / 1000, timezone.utc)
                       if self._started_at_ms else None)
        except (OverflowError, OSError, ValueError):
            started = None
        attempt = self.workbook.log_attempt(
            clip_id=self.clip_id or "unknown", marker=self.marker, level=self.level,
            recording=path, duration_s=duration_s, started_at=started, latency_s=latency_s,
            speaking_s=None if speaking_ms is None else float(speaking_ms) / 1000,
            status=status, attempt_id=rec.attempt_id, cue_s=cue_s)
        self.last_attempt_id = attempt.id
        return attempt

    def _fail(self, code: str, words: str) -> None:
        with self.hold_sync():
            self.error_code, self.error, self.status = code, words, "error"
