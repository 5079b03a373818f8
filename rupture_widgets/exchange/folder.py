"""The folder exchange: trainees and reviewers who share a folder (one machine, or a volume).

```
<exchange>/
    inbox/<reviewer_id>/trainees/<trainee_id>/   the reviewer's review notebook for that trainee:
                                                 a workbook like any other (workbook/paths.py)
    returns/<trainee_id>/<feedback_id>.json      feedback returned to the trainee
```
A review notebook is a ``Workbook``: the attempts a trainee sent to that reviewer (their records,
self-assessment included) with each recording beside it, and a feedback cell the reviewer
writes in, in the review app or in JupyterLab. So everything the workbook guarantees (no write
loses anyone's work, text typed below the line is kept) holds for reviews too.

A recording is hard-linked, never copied, when the exchange is on the same filesystem: sending
a 2-minute answer costs what sending a 5-second one does. Across filesystems it is copied and
the copy's checksum compared before it is put in place. Folders are created 0700: nobody else
can read or write them (nbgrader's world-writable exchange is the mistake not to repeat).
"""
from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import shutil
from pathlib import Path

from ..errors import ExchangeError, InvalidName, InvalidRecord, UnknownAttempt
from ..storage import NO_HARD_LINK, atomic_write_text, dumps, file_sha256, parse_json, utc_now
from ..workbook import Feedback, Workbook, Workspace, check_record_id, check_trainee_id, paths
from ..workbook.names import id_from_name
from ..workbook.records import check_reviewer, validate_record
from . import Exchange, Sent, Withdrawal

log = logging.getLogger(__name__)
INBOX, RETURNS = "inbox", "returns"


def reviewer_id(name: str) -> str:
    """A reviewer's name as an id, the way trainee names become ids (``workbook.names``):
    'Dr Sam Rivera' -> 'dr.sam.rivera', 'José O'Brien' -> 'jose.obrien', '王小明' -> 't-…'."""
    if not isinstance(name, str) or not name.strip():
        raise ExchangeError("A reviewer's name is needed.")
    try:
        # without trailing '.', '_' or '-', as reviewer ids have always been
        return id_from_name(name).rstrip("._-")
    except InvalidName as e:
        raise ExchangeError(f"{name!r} cannot be used as a reviewer's name: "
                            f"{e.reason or e}.") from None


class FolderExchange(Exchange):
    def __init__(self, root: str | os.PathLike):
        self.root = Path(root).expanduser().resolve()

    @classmethod
    def for_workspace(cls, workspace, root=None) -> "FolderExchange":
        ws_root = workspace.root if isinstance(workspace, Workspace) else Path(workspace)
        return cls(root or os.environ.get("RUPTURE_EXCHANGE") or Path(ws_root) / "exchange")

    # -- folders ---------------------------------------------------------------------------
    def _folder(self, *parts: str, create: bool = True) -> Path:
        """A folder of the exchange, each part an id checked on the way in, made 0700."""
        path = self.root.joinpath(*parts)
        if create:
            for p in [self.root, *[self.root.joinpath(*parts[:i + 1]) for i in range(len(parts))]]:
                with contextlib.suppress(FileExistsError):
                    p.mkdir(mode=0o700)
        if path.exists() and not path.resolve().is_relative_to(self.root):
            raise ExchangeError(f"{path} leads outside the exchange {self.root}; refusing it.")
        return path

    def _inbox(self, reviewer: str, create: bool = True) -> Workspace:
        return Workspace(self._folder(INBOX, reviewer_id(reviewer), create=create))

    def _returns(self, trainee_id: str, create: bool = True) -> Path:
        return self._folder(RETURNS, check_trainee_id(trainee_id), create=create)

    # -- trainee -> reviewer -------------------------------------------------------------
    def review_workbook(self, reviewer: str, trainee_id: str) -> Workbook:
        return _titled(self._inbox(reviewer).workbook(check_trainee_id(trainee_id)), reviewer)

    def return_notes(self, reviewer: str) -> list[Feedback]:
        """Feedback a reviewer wrote in JupyterLab, in a review notebook's feedback cells (text
        and the rubric table below the line), returned like the review app's: one feedback per
        attempt, replaced when the note changes. Returns what was (re)returned."""
        inbox, out = self._inbox(reviewer, create=False), []
        name = reviewer.strip()
        for trainee in inbox.trainees():
            review = self.review_workbook(name, trainee)
            for a in review.attempts():
                note = next((f for f in review.feedback(a.id) if f.role == "notebook"), None)
                if note is None:
                    continue
                role = a.sent_to[-1]["role"] if a.sent_to else "peer"
                fid = "note-" + hashlib.sha256(f"{a.id}/{reviewer_id(name)}".encode()
                                               ).hexdigest()[:20]
                rec = {"id": fid, "attempt_id": a.id, "reviewer": name, "role": role,
                       "created_at": note.created_at, "ratings": dict(note.ratings),
                       "strategies": [], "comments": [], "summary": note.summary}
                path = self._returns(trainee) / f"{fid}.json"
                try:
                    before = parse_json(path.read_bytes())["feedback"]
                    # a note not yet journaled reads with a fresh time: compare what was written
                    if {**before, "created_at": ""} == {**rec, "created_at": ""}:
                        continue  # returned already, unchanged
                except (OSError, ValueError, KeyError, TypeError):
                    pass
                validate_record("feedback", rec, f"the note on {a.id}")
                envelope = {"reviewer_id": reviewer_id(name), "returned_at": utc_now(),
                            "feedback": rec}
                atomic_write_text(path, dumps(envelope))
                out.append(Feedback.from_record(rec))
        return out

    def send(self, workbook: Workbook, attempt_id: str, *, reviewer: str, role: str) -> Sent:
        name = check_reviewer(reviewer, role, repr(attempt_id))
        attempt = workbook.attempt(attempt_id)
        source = workbook.recording_path(attempt_id)
        if source is None:
            raise ExchangeError(f"Attempt {attempt_id} has no recording to send.")
        review = self.review_workbook(name, workbook.trainee_id)
        review.recordings_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        target = paths.recording_file(review.recordings_dir, attempt_id)
        _link_or_copy(source, target)
        at = utc_now()
        record = {**attempt.to_record(), "recording": target.relative_to(review.dir).as_posix(),
                  "sent_to": [{"reviewer": name, "role": role, "at": at}]}
        if workbook.display_name != workbook.trainee_id:  # the reviewer sees the name typed
            review.set_display_name(workbook.display_name)
        review.put_attempt(record)
        workbook.mark_sent(attempt_id, reviewer=name, role=role)  # only now: it was delivered
        return Sent(workbook.trainee_id, reviewer_id(name), role,
                    review.attempt(attempt_id), at, "new")

    def queue(self, reviewer: str) -> list[Sent]:
        inbox = self._inbox(reviewer, create=False)
        me = reviewer_id(reviewer)
        out = []
        for trainee in inbox.trainees():
            review = inbox.workbook(trainee)
            returned = {r["feedback"]["attempt_id"] for r in self._returned(trainee)
                        if r.get("reviewer_id") == me}
            for a in review.attempts():
                status = ("returned" if a.id in returned else
                          "in review" if review.feedback(a.id) else "new")
                sent = a.sent_to[-1] if a.sent_to else {"role": "", "at": a.created_at}
                out.append(Sent(trainee, me, sent["role"], a, sent["at"], status))
        return sorted(out, key=lambda s: s.sent_at, reverse=True)

    def statuses(self, trainee_id: str) -> dict[tuple[str, str], str]:
        check_trainee_id(trainee_id)
        inboxes = self.root / INBOX
        if not inboxes.is_dir():
            return {}
        returned = {(r["feedback"]["attempt_id"], r.get("reviewer_id"))
                    for r in self._returned(trainee_id)}
        out = {}
        for folder in sorted(p for p in inboxes.iterdir() if p.is_dir()):
            inbox = Workspace(folder)
            if trainee_id not in inbox.trainees():
                continue
            review = inbox.workbook(trainee_id)
            for a in review.attempts():
                key = (a.id, folder.name)
                out[key] = ("returned" if key in returned else
                            "in review" if review.feedback(a.id) else "new")
        return out

    # -- reviewer -> trainee -------------------------------------------------------------
    def save_draft(self, reviewer: str, trainee_id: str, feedback: dict) -> Feedback:
        review = self.review_workbook(reviewer, trainee_id)
        review.put_feedback(feedback)
        return Feedback.from_record(feedback)

    def return_feedback(self, reviewer: str, trainee_id: str, feedback: dict) -> Feedback:
        self.save_draft(reviewer, trainee_id, feedback)
        fid = check_record_id(feedback["id"], "feedback id")
        envelope = {"reviewer_id": reviewer_id(reviewer), "returned_at": utc_now(),
                    "feedback": feedback}
        atomic_write_text(self._returns(trainee_id) / f"{fid}.json", dumps(envelope))
        return Feedback.from_record(feedback)

    def _returned(self, trainee_id: str) -> list[dict]:
        return returned_envelopes(self._returns(trainee_id, create=False))

    def collect(self, workbook: Workbook) -> list[Feedback]:
        changed = []
        known = {a.id for a in workbook.attempts()}
        for envelope in self._returned(workbook.trainee_id):
            rec = envelope["feedback"]
            if rec["attempt_id"] not in known and workbook.was_deleted(rec["attempt_id"]):
                # Feedback on an attempt the trainee deleted went with it, and is not brought
                # back. The return stays: it says the review was done (decisions.md #19).
                continue
            if rec["attempt_id"] not in known:
                log.warning("Returned feedback %s is for an attempt %s not in %s", rec["id"],
                            rec["attempt_id"], workbook.path)
                continue
            if workbook.put_feedback(rec):
                changed.append(Feedback.from_record(rec))
        return changed


    # -- the trainee takes an attempt back ------------------------------------------------
    def withdraw(self, workbook: Workbook, attempt_id: str) -> Withdrawal:
        check_record_id(attempt_id)
        trainee = workbook.trainee_id
        if not workbook.was_deleted(attempt_id):
            workbook.attempt(attempt_id)  # UnknownAttempt for an id never logged
        returned = {r.get("reviewer_id") for r in self._returned(trainee)
                    if r["feedback"]["attempt_id"] == attempt_id}
        withdrawn, kept = [], []
        inboxes = self.root / INBOX
        for folder in sorted(inboxes.iterdir()) if inboxes.is_dir() else ():
            inbox = Workspace(folder)
            if not folder.is_dir() or trainee not in inbox.trainees():
                continue
            review = inbox.workbook(trainee)
            try:
                copy = review.attempt(attempt_id)
            except UnknownAttempt:
                continue
            if folder.name in returned:
                kept.append(folder.name)
                continue
            name = copy.sent_to[-1]["reviewer"] if copy.sent_to else folder.name
            _titled(review, name).delete_attempt(attempt_id)  # record, recording, draft review
            withdrawn.append(folder.name)
        return Withdrawal(attempt_id, tuple(withdrawn), tuple(kept))


def _titled(review: Workbook, reviewer: str) -> Workbook:
    """A review notebook says whose it is: its title, and who wrote its notes."""
    review.title, review.reviewer = f"Review notebook of {reviewer.strip()}", reviewer.strip()
    return review


def _link_or_copy(source: Path, target: Path) -> None:
    """``target`` becomes ``source``'s bytes: a hard link where the filesystem allows it (no
    copy), else a copy whose SHA-256 is checked before it replaces anything."""
    tmp = target.with_name(f".{target.name}.sending")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    try:
        os.link(source, tmp)
    except OSError as e:
        if e.errno not in NO_HARD_LINK:
            raise
        shutil.copyfile(source, tmp)
        if file_sha256(tmp) != file_sha256(source):
            tmp.unlink()
            raise ExchangeError(f"The copy of {source} did not match it; nothing was sent.")
    os.replace(tmp, target)



def returned_envelopes(folder: Path) -> list[dict]:
    """The returns in one trainee's ``returns/<trainee>/`` folder (envelopes of reviewer_id,
    returned_at and the feedback record), each checked; an unreadable one is logged, skipped."""
    if not folder.is_dir():
        return []
    out = []
    for path in sorted(folder.glob("*.json")):
        try:
            envelope = parse_json(path.read_bytes())
            validate_record("feedback", envelope["feedback"], str(path))
        except (OSError, ValueError, KeyError, TypeError, InvalidRecord) as e:
            log.warning("Skipping returned feedback %s: %s", path, e)
            continue
        out.append(envelope)
    return out
