"""The exchange as the apps see it under JupyterHub: the exchange service's routes
(service.py), called from the user's own server with its ``$JUPYTERHUB_API_TOKEN``.

``open_exchange`` returns a ``HubExchange`` when ``$RUPTURE_EXCHANGE_URL`` is set (the hub's
config sets it for every server, docs/hub.md), so the practice and review apps need no change:
the same verbs, the caller always the hub user. Recordings go up in checked chunks and come
down with their SHA-256; a reviewer's review notebooks are mirrored into their own workspace
(``<workspace>/reviews/``) so the review app plays an answer from a local file, as it always has.
Only the standard library: this runs in a trainee's kernel, where start-up time counts.
"""
from __future__ import annotations

import hashlib
import json
import os
import urllib.error
import urllib.request
from pathlib import Path

from ..errors import ExchangeError, ExchangeRefused, ExchangeUnreachable
from ..storage import file_sha256
from ..workbook import Feedback, Workbook, Workspace, check_trainee_id, paths
from . import Exchange, Sent, Withdrawal, wire
from .folder import _titled, reviewer_id

TIMEOUT_S = 60


class HubExchange(Exchange):
    def __init__(self, url: str, token: str, user: str, workspace: Workspace | None = None):
        if not token:
            raise ExchangeError("$JUPYTERHUB_API_TOKEN is not set, so the exchange service "
                                "cannot tell who you are; start this server from the hub.")
        self.url = url.rstrip("/") + "/api/"
        self.token, self.user = token, user
        self.workspace = workspace

    @classmethod
    def from_environment(cls, workspace=None, environ=os.environ) -> "HubExchange":
        return cls(environ["RUPTURE_EXCHANGE_URL"], environ.get("JUPYTERHUB_API_TOKEN", ""),
                   environ.get("JUPYTERHUB_USER", ""), workspace)

    # -- the wire ------------------------------------------------------------------------------
    def _request(self, method: str, route: str, body=None, *, raw: bytes | None = None,
                 stream_to: Path | None = None):
        data = raw if raw is not None else (None if body is None else
                                            json.dumps(body).encode())
        req = urllib.request.Request(self.url + route, data=data, method=method, headers={
            "Authorization": f"token {self.token}",
            "Content-Type": "application/octet-stream" if raw is not None else "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=TIMEOUT_S) as resp:
                if stream_to is None:
                    return json.loads(resp.read() or b"null")
                return _download(resp, stream_to)
        except urllib.error.HTTPError as e:
            try:
                message = json.loads(e.read()).get("message", "")
            except (ValueError, AttributeError):
                message = ""
            raise ExchangeRefused.answered(e.code, message) from None
        except (urllib.error.URLError, OSError) as e:
            raise ExchangeUnreachable.at(self.url, getattr(e, "reason", e)) from None

    def whoami(self) -> dict:
        """``{"name": ..., "roles": [...]}``: the hub user and the review roles they hold."""
        return self._request("GET", "whoami")

    def _mine(self, what: str, name: str) -> None:
        if reviewer_id(name) != reviewer_id(self.user):
            raise ExchangeRefused.answered(
                403, f"You are signed in as {self.user}; {what} of {name!r} are not yours.")

    # -- trainee -> reviewer ---------------------------------------------------------------
    def send(self, workbook: Workbook, attempt_id: str, *, reviewer: str, role: str) -> Sent:
        self._mine("the attempts", workbook.trainee_id)
        attempt = workbook.attempt(attempt_id)
        source = workbook.recording_path(attempt_id)
        if source is None:
            raise ExchangeError(f"Attempt {attempt_id} has no recording to send.")
        size, digest = source.stat().st_size, file_sha256(source)
        upload = self._request("POST", "uploads", {"attempt_id": attempt_id, "size": size,
                                                   "sha256": digest})["upload"]
        with open(source, "rb") as f:
            offset = 0
            for chunk in iter(lambda: f.read(wire.CHUNK_BYTES), b""):
                offset = self._request("PUT", f"uploads/{upload}?offset={offset}",
                                       raw=chunk)["received"]
        sent = wire.sent_from_json(self._request("POST", "sent", {
            "attempt": attempt.to_record(), "upload": upload, "reviewer": reviewer,
            "role": role, "display_name": workbook.display_name}))
        workbook.mark_sent(attempt_id, reviewer=reviewer.strip(), role=role)  # delivered
        return sent

    def statuses(self, trainee_id: str) -> dict[tuple[str, str], str]:
        self._mine("the statuses", trainee_id)
        return wire.statuses_from_json(self._request("GET", "statuses"))

    def collect(self, workbook: Workbook) -> list[Feedback]:
        self._mine("the returns", workbook.trainee_id)
        changed = []
        known = {a.id for a in workbook.attempts()}
        for envelope in self._request("GET", "returns"):
            rec = envelope["feedback"]
            if rec["attempt_id"] in known and workbook.put_feedback(rec):
                changed.append(Feedback.from_record(rec))
        return changed

    def withdraw(self, workbook: Workbook, attempt_id: str) -> Withdrawal:
        self._mine("the attempts", workbook.trainee_id)
        if not workbook.was_deleted(attempt_id):
            workbook.attempt(attempt_id)  # UnknownAttempt for an id never logged
        return wire.withdrawal_from_json(
            self._request("POST", "withdraw", {"attempt_id": attempt_id}))

    # -- the reviewer ------------------------------------------------------------------------
    def queue(self, reviewer: str) -> list[Sent]:
        self._mine("the queue", reviewer)
        return [wire.sent_from_json(d) for d in self._request("GET", "queue")]

    def review_workbook(self, reviewer: str, trainee_id: str) -> Workbook:
        """The review notebook, mirrored into ``<workspace>/reviews/`` with each recording
        downloaded (and checked) once; attempts the trainee withdrew leave the mirror."""
        self._mine("the review notebooks", reviewer)
        listing = self._request("GET", f"review/{check_trainee_id(trainee_id)}")
        mirror = _titled(self._mirror().workbook(trainee_id), reviewer)
        if listing["display_name"] != trainee_id:
            mirror.set_display_name(listing["display_name"])
        mirror.recordings_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        on_server = set()
        for item in listing["attempts"]:
            rec = item["record"]
            on_server.add(rec["id"])
            target = paths.recording_file(mirror.recordings_dir, rec["id"])
            if item["sha256"] and not (target.is_file() and file_sha256(target) == item["sha256"]):
                self._request("GET", f"review/{trainee_id}/{rec['id']}/recording",
                              stream_to=target)
            mirror.put_attempt({**rec, "recording": target.relative_to(mirror.dir).as_posix()})
        for aid, records in listing["feedback"].items():
            for rec in records:
                mirror.put_feedback(rec)
        for a in mirror.attempts():
            if a.id not in on_server:
                mirror.delete_attempt(a.id)
        return mirror

    def _mirror(self) -> Workspace:
        root = (self.workspace.root if self.workspace is not None else Workspace().root)
        return Workspace(Path(root) / "reviews")

    def save_draft(self, reviewer: str, trainee_id: str, feedback: dict) -> Feedback:
        self._mine("the reviews", reviewer)
        return Feedback.from_record(self._request(
            "POST", f"review/{check_trainee_id(trainee_id)}/drafts", {"feedback": feedback}))

    def return_feedback(self, reviewer: str, trainee_id: str, feedback: dict) -> Feedback:
        self._mine("the reviews", reviewer)
        return Feedback.from_record(self._request(
            "POST", f"review/{check_trainee_id(trainee_id)}/returns", {"feedback": feedback}))

    def return_notes(self, reviewer: str) -> list[Feedback]:
        """Notes typed in JupyterLab into a review notebook are not returned under the hub:
        the review notebooks are the service's, and the mirror is a copy (docs/hub.md)."""
        self._mine("the reviews", reviewer)
        return []


def _download(resp, target: Path) -> Path:
    """Stream a recording to ``target`` through a temporary file; only a copy whose SHA-256 is
    the one the service sent replaces anything."""
    expected = resp.headers.get(wire.CHECKSUM_HEADER, "")
    tmp = target.with_name(f".{target.name}.receiving")
    h = hashlib.sha256()
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        for block in iter(lambda: resp.read(1 << 20), b""):
            h.update(block)
            f.write(block)
    if h.hexdigest() != expected:
        tmp.unlink()
        raise ExchangeError(f"The recording for {target.stem} arrived damaged (its checksum "
                            "does not match); open it again to download it anew.")
    os.replace(tmp, target)
    return target

