"""The roster: who practised which clips, how often, what they sent for feedback and where it
stands, one row per trainee of a workspace (a facilitator's review workspace, after the import).

Read only: the workbooks and the exchange's statuses are read, nothing is written. Names and
reviewer names were typed by people, so :func:`roster_html` escapes every text it shows.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from html import escape

#: What a sent attempt's status means to a facilitator (exchange.STATUSES, plus the workbook's own
#: knowledge: feedback collected into it, or nothing known beyond "sent").
_STATUS_WORDS = {"returned": "feedback returned", "in review": "being reviewed",
                 "new": "waiting for the reviewer", None: "sent, no feedback yet"}


@dataclass(frozen=True)
class SentFor:
    clip_id: str
    attempt_id: str
    reviewer: str   # as the trainee typed it
    role: str
    at: str
    status: str     # plain words (_STATUS_WORDS)


@dataclass(frozen=True)
class RosterRow:
    trainee_id: str
    display_name: str
    clips: tuple[tuple[str, int], ...]  # (clip id, attempts), workshop order first
    attempts: int
    in_workshop: int                     # attempts that carry the workshop's code
    sent: tuple[SentFor, ...]
    last_activity: str | None            # the latest attempt, sending or feedback (UTC ISO)


def _exchange_statuses(workspace, trainee_id: str) -> dict:
    try:
        from ..exchange import open_exchange
        return open_exchange(workspace).statuses(trainee_id)
    except Exception:  # a roster without exchange statuses still shows the workbooks' own
        return {}


def _reviewer_key(name: str) -> str:
    """Sent to 'Dr Lee', feedback from 'dr.lee': one reviewer (exchange.folder.reviewer_id)."""
    from ..exchange.folder import reviewer_id
    try:
        return reviewer_id(name)
    except Exception:  # a name from an older or hand-edited record: compared as it is
        return name


def _row(workspace, trainee_id: str, workshop) -> RosterRow:
    wb = workspace.workbook(trainee_id)
    snap = wb.snapshot()
    counts = Counter(a.clip_id for a in snap.attempts)
    order = list(workshop.clips) if workshop is not None else []
    order += [c for c in dict.fromkeys(a.clip_id for a in snap.attempts) if c not in order]
    statuses = _exchange_statuses(workspace, trainee_id)
    sent, times = [], []
    for a in snap.attempts:
        times.append(a.created_at)
        returned_by = set()
        for fb in snap.feedback.get(a.id, []):
            times.append(fb.created_at)
            returned_by.add(_reviewer_key(fb.reviewer))
        for s in a.sent_to:
            times.append(s["at"])
            rid = _reviewer_key(s["reviewer"])
            status = "returned" if rid in returned_by else statuses.get((a.id, rid))
            sent.append(SentFor(a.clip_id, a.id, s["reviewer"], s["role"], s["at"],
                                _STATUS_WORDS.get(status, status)))
    code = workshop.code if workshop is not None else None
    return RosterRow(
        trainee_id=trainee_id, display_name=snap.display_name or trainee_id,
        clips=tuple((c, counts[c]) for c in order if counts[c]),
        attempts=len(snap.attempts),
        in_workshop=sum(1 for a in snap.attempts if code is not None and a.workshop == code),
        sent=tuple(sent), last_activity=max(times) if times else None)


def roster(workspace, workshop=None) -> list[RosterRow]:
    """One row per trainee of ``workspace`` (by id); ``workshop`` (a Workshop) orders the clips
    its way and counts the attempts made through its link."""
    return [_row(workspace, t, workshop) for t in workspace.trainees()]


def _when(iso: str | None) -> str:
    return "" if not iso else iso[:16].replace("T", " ") + " UTC"


#: The roster's look, inline (the facilitator's page has no stylesheet of ours; the apps' CSP
#: allows inline styles). Below 600 px each trainee becomes a block with labelled lines, so a
#: phone shows the whole row without scrolling sideways.
ROSTER_CSS = """<style>
.rw-roster { border-collapse: collapse; width: 100%; }
.rw-roster caption { text-align: left; font-weight: bold; padding: 0.25rem 0; }
.rw-roster th, .rw-roster td { text-align: left; vertical-align: top; padding: 0.35rem 0.5rem;
  border-bottom: 1px solid #ccc; line-height: 1.4; }
.rw-roster details summary { cursor: pointer; }
@media (max-width: 600px) {
  .rw-roster, .rw-roster tbody, .rw-roster tr, .rw-roster th, .rw-roster td { display: block; }
  .rw-roster thead { display: none; }
  .rw-roster caption { display: block; }
  .rw-roster tr { border-bottom: 2px solid #888; padding: 0.25rem 0; }
  .rw-roster td, .rw-roster th { border: 0; padding: 0.15rem 0; }
  .rw-roster td::before { content: attr(data-label) ": "; font-weight: bold; }
}
</style>"""


def _sent_cell(sent: tuple[SentFor, ...]) -> str:
    """A count by status, then every sending in a disclosure (a busy trainee sent dozens)."""
    if not sent:
        return "nothing"
    counts = Counter(s.status for s in sent)
    head = f"{len(sent)}: " + ", ".join(f"{n} {escape(status)}" for status, n in counts.items())
    items = "".join(f"<li>{escape(s.clip_id)}: {escape(s.reviewer)} ({escape(s.role)}), "
                    f"{escape(s.status)}</li>" for s in sent)
    return f"<details><summary>{head}</summary><ul>{items}</ul></details>"


def roster_html(rows: list[RosterRow], workshop=None) -> str:
    """The roster as an HTML table; every text in it escaped."""
    if not rows:
        return "<p>No trainee's work has been imported yet.</p>"
    labels = ["Clips practised (attempts)", "Attempts"] + (
        ["In this workshop"] if workshop is not None else []) + ["Sent for feedback",
                                                                 "Last activity"]
    head = "<tr><th scope='col'>Trainee</th>" + "".join(
        f"<th scope='col'>{label}</th>" for label in labels) + "</tr>"
    body = []
    for r in rows:
        name = escape(r.display_name)
        if r.display_name != r.trainee_id:
            name += f" <small>({escape(r.trainee_id)})</small>"
        cells = [", ".join(f"{escape(c)} ({n})" for c, n in r.clips) or "none yet",
                 str(r.attempts)] + ([str(r.in_workshop)] if workshop is not None else []) + [
                 _sent_cell(r.sent), escape(_when(r.last_activity))]
        body.append(f"<tr><th scope='row'>{name}</th>" + "".join(
            f"<td data-label='{label}'>{cell}</td>" for label, cell in zip(labels, cells))
            + "</tr>")
    caption = (f"<caption>Roster: {len(rows)} trainee{'s' if len(rows) != 1 else ''}"
               + (f", workshop {escape(workshop.title)}" if workshop is not None else "")
               + "</caption>")
    return (f"<table class='rw-roster'>{caption}<thead>{head}</thead><tbody>{''.join(body)}"
            f"</tbody></table>{ROSTER_CSS}")
