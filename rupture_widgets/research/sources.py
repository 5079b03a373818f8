"""What the research tables are read from: a workspace, a list of workbooks, or an exchange folder.

Everything is read through the workbook's own API (journal and notebook merged, tombstones
applied), never by parsing notebooks here, so a table shows exactly what the apps show: a
workspace's workbook from its journal alone when its notebook is what the store wrote from it
(``workbook.reflected``, docs/decisions.md #30), the full way otherwise. Reading writes nothing:
a researcher loading a live workspace cannot change it.

- A workspace (``Workspace`` or its folder): every trainee's workbook, their feedback as
  collected, and the reviews returned to them in the exchange but not collected yet (the
  return's version wins: it is the newest). Returns for an attempt the trainee deleted are
  left out with the attempt.
- A list of ``Workbook``: what those notebooks hold, nothing else.
- An exchange folder (``inbox/``, ``returns/``): the attempts as sent (the reviewers' copies),
  and the reviews returned. A draft review in a review notebook is not returned and not read.
"""
from __future__ import annotations

import contextlib
import functools
import gc
import logging
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InvalidTraineeId, ResearchError
from ..workbook import Attempt, Feedback, Workbook, Workspace, check_trainee_id
from ..workbook import paths
from ..workbook.feedback_store import UNKNOWN_NOTE_AUTHOR
from ..workbook.reflected import journal_records

log = logging.getLogger(__name__)

#: More workbooks than this and a progress bar is shown (unless progress=False).
PROGRESS_ABOVE = 8


@dataclass(frozen=True)
class Review:
    """One reviewer's feedback on one attempt, with who gave it as an id."""
    feedback: Feedback
    reviewer_id: str | None  # None: a note typed into the notebook by someone unknown
    returned_at: str | None = None  # when it came back through the exchange, where known


@dataclass
class TraineeRecords:
    """One trainee's attempts (records, in time order), the reviews of each, how often each was
    sent, and which workbook holds each recording.

    ``records`` are the attempt records as the store holds them (dicts shared with its read
    cache: read them, never change them); ``attempts`` makes ``Attempt`` objects of them.
    ``reviews`` and ``n_sent`` hold only the attempts that have some reviews, or whose sends are
    counted apart from the record's own ``sent_to`` (copies in the exchange)."""
    trainee_id: str
    display_name: str | None
    records: list[dict] = field(default_factory=list)
    reviews: dict[str, list[Review]] = field(default_factory=dict)
    n_sent: dict[str, int] = field(default_factory=dict)
    #: the workbook holding every recording (a trainee's own), unless ``holders`` names another
    holder: Workbook | None = None
    #: where an attempt's recording is when it is not ``holder`` (a reviewer's copy)
    holders: dict[str, Workbook] = field(default_factory=dict)
    #: whether every attempt is here (a workbook), or only those sent (an exchange): only then
    #: can attempts be numbered
    all_attempts: bool = True
    #: makes ``holder`` when it is first asked for (a workbook read from its journal alone:
    #: only the vad_* columns need its recordings)
    open_holder: Callable[[], Workbook] | None = field(default=None, repr=False, compare=False)

    @property
    def attempts(self) -> list[Attempt]:
        return [Attempt.from_record(r) for r in self.records]

    def holder_of(self, attempt_id: str) -> Workbook | None:
        if self.holder is None and self.open_holder is not None:
            self.holder = self.open_holder()
        return self.holders.get(attempt_id, self.holder)

    def sends(self, record: dict) -> int:
        return self.n_sent.get(record["id"], len(record["sent_to"]))


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused for a load, and resumed as it was.

    A study's load makes millions of dicts and lists (every journal event, every cell) that
    stay alive until the tables are built, and each full collection walks all of them again:
    on 300 trainees x 50 attempts that was more than half of the load (3.8 s against 1.7 s
    paused). Nothing is leaked: what the load leaves behind is collected once it is over;
    memory freed by reference counting (nearly all of it) is freed at once either way."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def read_source(source, progress: bool | None = None) -> list[TraineeRecords]:
    """Every trainee's records in ``source`` (see the module docstring), sorted by trainee id."""
    with collector_paused():
        return _read_source(source, progress)


def _read_source(source, progress: bool | None) -> list[TraineeRecords]:
    if isinstance(source, Workspace):  # its workbooks (and their read caches) are kept in it
        return _read_workspace(source, progress, source.workbook)
    if isinstance(source, (str, os.PathLike)):
        root = Path(source).expanduser()
        if not root.is_dir():
            raise ResearchError(f"{root} is not a folder: give a workspace (the folder holding "
                                "trainees/) or an exchange folder (holding inbox/ or returns/).")
        from ..exchange.folder import INBOX, RETURNS

        if paths.trainees_dir(root).is_dir():  # a workspace nobody else holds: each workbook
            ws = Workspace(root)                 # read is let go once its records are out
            return _read_workspace(ws, progress, lambda trainee: Workbook(ws, trainee))
        if (root / INBOX).is_dir() or (root / RETURNS).is_dir():
            return _read_exchange(root, progress)
        raise ResearchError(f"{root} is neither a workspace (it has no trainees/ folder) nor an "
                            f"exchange folder (it has no {INBOX}/ or {RETURNS}/ folder).")
    if isinstance(source, Workbook):
        source = [source]
    if isinstance(source, (list, tuple)):
        bad = [s for s in source if not isinstance(s, Workbook)]
        if bad:
            raise ResearchError(f"A list given as the source must hold Workbook objects only; "
                                f"it holds {type(bad[0]).__name__} {bad[0]!r:.80}.")
        twice = sorted({wb.trainee_id for wb in source
                        if sum(w.trainee_id == wb.trainee_id for w in source) > 1})
        if twice:  # a trainee's workbook and a reviewer's copy, say: attempts counted twice
            raise ResearchError(f"The list holds more than one workbook of {', '.join(twice)}; "
                                "give one per trainee (a reviewer's copies are read from the "
                                "exchange folder).")
        return sorted((_read_workbook(wb) for wb in with_progress(source, progress, "workbooks")),
                      key=lambda r: r.trainee_id)
    raise ResearchError(f"Cannot read research tables from {type(source).__name__} "
                        f"{source!r:.80}: give a Workspace, a workspace or exchange folder, or a "
                        "list of Workbook objects.")


def with_progress(items: list, progress: bool | None, what: str) -> Iterable:
    """``items``, with a progress bar when there are many (tqdm.auto: a widget in JupyterLab,
    text in a terminal), or when asked for."""
    if progress is False or (progress is None and len(items) <= PROGRESS_ABOVE):
        return items
    try:
        from tqdm.auto import tqdm
    except ImportError:
        raise ResearchError.unavailable("tqdm") from None
    return tqdm(items, desc=f"Reading {what}", unit=what.rstrip("s"))


def _read_workbook(wb: Workbook) -> TraineeRecords:
    return _trainee_records(wb.trainee_id, wb.records(), holder=wb)  # one read, no Attempt


def _trainee_records(trainee_id: str, found, **where) -> TraineeRecords:
    """``TraineeRecords`` of what ``Workbook.records`` (or the journal-only read) found."""
    display = found.display_name
    recs = TraineeRecords(trainee_id, None if display == trainee_id else display,
                          records=found.attempts, **where)
    for aid, feedback in found.feedback.items():
        recs.reviews[aid] = [Review(f, _reviewer_id_of(f)) for f in feedback]
    return recs


def _read_workspace(ws: Workspace, progress: bool | None,
                    workbook: Callable[[str], Workbook]) -> list[TraineeRecords]:
    from ..exchange import open_exchange

    from ..exchange.folder import RETURNS

    exchange_root = open_exchange(ws).root
    confined = _confinement(ws)
    try:  # listed once: most trainees have no returns waiting
        returned = set(os.listdir(exchange_root / RETURNS))
    except OSError:
        returned = set()
    base = paths.trainees_dir(ws.root)
    out = []
    for trainee in with_progress(ws.trainees(), progress, "workbooks"):
        # from the journal alone when the notebook reflects it (workbook.reflected), else the
        # full read; the Workbook itself made only when needed (its recordings: audio=True)
        folder = base / trainee
        found = journal_records(folder / paths.WORKBOOK, folder / paths.JOURNAL, trainee) \
            if confined(folder) else None
        recs = _read_workbook(workbook(trainee)) if found is None else _trainee_records(
            trainee, found, open_holder=functools.partial(workbook, trainee))
        ids = None
        for envelope in _returned(exchange_root, trainee) if trainee in returned else ():
            review = _review_from(envelope)
            aid = review.feedback.attempt_id
            ids = {r["id"] for r in recs.records} if ids is None else ids
            if aid not in ids:  # deleted by the trainee (or never theirs): left out
                continue
            kept = [r for r in recs.reviews.get(aid, ()) if r.feedback.id != review.feedback.id]
            recs.reviews[aid] = [*kept, review]
        out.append(recs)
    return out


def _confinement(ws: Workspace) -> Callable[[Path], bool]:
    """Whether a trainee's folder (``<trainees>/<id>``) is their own folder in ``ws`` (no link
    out of the workspace or to another trainee's folder): ``Workbook``'s own check, with the
    workspace's paths resolved once for the whole load. A folder it refuses is read the full
    way, which raises the store's own error."""
    inside = paths.trainees_dir(ws.root).resolve().is_relative_to(ws.root.resolve())

    def confined(folder: Path) -> bool:
        # <trainees>/<id> resolves to <trainees resolved>/<id> exactly when <id> itself is no
        # link: a trainee id has no '/' and no '..' (check_trainee_id), so one lstat will do
        return inside and not os.path.islink(folder)

    return confined


def _read_exchange(root: Path, progress: bool | None) -> list[TraineeRecords]:
    """The attempts as the reviewers hold them; a copy sent to several reviewers is one attempt
    (the copy sent last stands for it), sent as many times as there are copies."""
    from ..exchange.folder import INBOX, RETURNS

    copies: dict[str, dict[str, list[tuple[str, Workbook, dict]]]] = {}
    names: dict[str, str] = {}
    inboxes = sorted(p for p in (root / INBOX).iterdir() if p.is_dir()) \
        if (root / INBOX).is_dir() else []
    for folder in with_progress(inboxes, progress, "inboxes"):
        inbox = Workspace(folder)
        for trainee in inbox.trainees():
            review = inbox.workbook(trainee)
            found = review.records()
            if found.display_name != trainee:
                names[trainee] = found.display_name
            for a in found.attempts:
                sent_at = a["sent_to"][-1]["at"] if a["sent_to"] else a["created_at"]
                copies.setdefault(trainee, {}).setdefault(a["id"], []).append(
                    (sent_at, review, a))
    returned = sorted({p.name for p in (root / RETURNS).iterdir() if p.is_dir()}
                      if (root / RETURNS).is_dir() else set())
    out = []
    for trainee in sorted(set(copies) | set(returned)):
        try:
            check_trainee_id(trainee)
        except InvalidTraineeId:  # a folder nobody's: not a trainee's returns
            continue
        recs = TraineeRecords(trainee, names.get(trainee), all_attempts=False)
        for aid, held in copies.get(trainee, {}).items():
            _, holder, attempt = max(held, key=lambda c: c[0])
            recs.records.append(attempt)
            recs.n_sent[aid], recs.holders[aid] = len(held), holder
        recs.records.sort(key=lambda a: (a["created_at"], a["id"]))
        for envelope in _returned(root, trainee):
            review = _review_from(envelope)
            if review.feedback.attempt_id in recs.holders:  # else: its copy was withdrawn
                recs.reviews.setdefault(review.feedback.attempt_id, []).append(review)
        out.append(recs)
    return out


def _returned(exchange_root: Path, trainee_id: str) -> list[dict]:
    """The returns to one trainee, read and checked as the exchange reads them."""
    from ..exchange.folder import RETURNS, returned_envelopes

    return returned_envelopes(exchange_root / RETURNS / trainee_id)


def _review_from(envelope: dict) -> Review:
    feedback = Feedback.from_record(envelope["feedback"])
    rid = envelope.get("reviewer_id")
    return Review(feedback, rid if isinstance(rid, str) and rid else _reviewer_id_of(feedback),
                  envelope.get("returned_at") if isinstance(envelope.get("returned_at"), str)
                  else None)


def _reviewer_id_of(feedback: Feedback) -> str | None:
    """A reviewer's id from their name, as the exchange derives it; None for a note whose
    author nobody knows."""
    if feedback.role == "notebook" and feedback.reviewer == UNKNOWN_NOTE_AUTHOR:
        return None
    return _reviewer_id(feedback.reviewer)


@functools.lru_cache(maxsize=4096)
def _reviewer_id(name: str) -> str | None:
    """``exchange.folder.reviewer_id``, once per name (a study has a few reviewers and
    thousands of reviews); None for a name no id can be made from."""
    from ..errors import ExchangeError
    from ..exchange.folder import reviewer_id

    try:
        return reviewer_id(name)
    except ExchangeError:
        return None
