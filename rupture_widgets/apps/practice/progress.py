"""The trainee's progress: markers × levels (practised, sent, feedback), and a practice diary."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from html import escape

import ipywidgets as w

#: attempts further apart than this belong to different practice sessions
SESSION_GAP_S = 30 * 60


@dataclass(frozen=True)
class DiaryEntry:
    started: str          # ISO time of the session's first attempt (UTC, as stored)
    attempts: int
    clips: int
    difficulties: tuple   # self-rated difficulties, in order


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _when(iso: str) -> datetime | None:
    try:
        return datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except (ValueError, AttributeError):
        return None


def practice_diary(attempts) -> list[DiaryEntry]:
    """Sessions, newest first: runs of attempts with no gap longer than SESSION_GAP_S."""
    timed = sorted((t, a) for a in attempts if (t := _when(a.created_at)) is not None)
    runs: list[list] = []
    for t, a in timed:
        if runs and (t - runs[-1][-1][0]).total_seconds() <= SESSION_GAP_S:
            runs[-1].append((t, a))
        else:
            runs.append([(t, a)])
    entries = [DiaryEntry(started=run[0][1].created_at, attempts=len(run),
                          clips=len({a.clip_id for _, a in run}),
                          difficulties=tuple(a.self_assessment["difficulty"] for _, a in run
                                             if a.self_assessment and isinstance(
                                                 a.self_assessment.get("difficulty"), int)))
               for run in runs]
    return entries[::-1]


def progress_cells(clips, attempts, feedback_by_attempt: dict) -> dict:
    """(marker, level) -> {"clips", "practised", "sent", "feedback"} counts."""
    cells: dict = defaultdict(lambda: {"clips": 0, "practised": 0, "sent": 0, "feedback": 0})
    for c in clips:
        cells[(c.marker, c.level)]["clips"] += 1
    for a in attempts:
        cell = cells[(a.marker, a.level)]
        cell["practised"] += 1
        cell["sent"] += bool(a.sent_to)
        cell["feedback"] += bool(feedback_by_attempt.get(a.id))
    return dict(cells)


class ProgressView(w.VBox):
    """What has been practised where, and the practice diary."""

    def __init__(self, taxonomy):
        self.taxonomy = taxonomy
        self.heading = w.HTML()
        self.grid = w.HTML()
        self.diary = w.HTML()
        super().__init__([self.heading, self.grid, self.diary])
        self.add_class("rw-progress")

    def show(self, clips, attempts, feedback_by_attempt: dict, focus_key: str = "") -> None:
        tax = self.taxonomy
        sent = sum(bool(a.sent_to) for a in attempts)
        returned = sum(bool(feedback_by_attempt.get(a.id)) for a in attempts)
        self.heading.value = (
            f"<h2 data-rw-focus='{escape(focus_key)}' tabindex='-1'>Your progress</h2>"
            f"<p>{_count(len(attempts), 'attempt')} at "
            f"{_count(len({a.clip_id for a in attempts}), 'clip')}; {sent} sent for feedback, "
            f"{returned} with feedback back.</p>")
        cells = progress_cells(clips, attempts, feedback_by_attempt)
        head = "".join(f"<th scope='col'>{escape(lv.label)}</th>" for lv in tax.levels)
        rows = []
        for m in tax.markers.values():
            tds = []
            for lv in tax.levels:
                c = cells.get((m.id, lv.id))
                if c is None or (not c["clips"] and not c["practised"]):
                    tds.append("<td class='rw-none'>no clip</td>")
                elif not c["practised"]:
                    tds.append("<td>not yet</td>")
                else:
                    words = [f"{c['practised']} practised"]
                    if c["sent"]:
                        words.append(f"{c['sent']} sent")
                    if c["feedback"]:
                        words.append(f"{c['feedback']} with feedback")
                    tds.append(f"<td class='rw-done'>{' · '.join(words)}</td>")
            rows.append(f"<tr><th scope='row'>{escape(m.id)} {escape(m.label)}</th>{''.join(tds)}</tr>")
        self.grid.value = ("<h3>Markers and levels</h3><div class='rw-table-scroll' tabindex='0' "
                           "role='region' aria-label='Attempts by marker and level'>"
                           "<table class='rw-progress-grid'><caption>Attempts at each marker and "
                           f"level</caption><thead><tr><th scope='col'>Marker</th>{head}</tr>"
                           f"</thead><tbody>{''.join(rows)}</tbody></table></div>")
        self.diary.value = self._diary_html(practice_diary(attempts))

    @staticmethod
    def _diary_html(entries) -> str:
        if not entries:
            return "<h3>Practice diary</h3><p>No practice yet: choose a clip to begin.</p>"
        items = []
        for e in entries[:10]:
            when = escape(e.started[:16].replace("T", " "))
            felt = (f"; how hard it felt: {', '.join(str(d) for d in e.difficulties)}"
                    if e.difficulties else "")
            items.append(f"<li><strong>{when}</strong>: {_count(e.attempts, 'attempt')} at "
                         f"{_count(e.clips, 'clip')}{felt}</li>")
        return "<h3>Practice diary</h3><ol class='rw-diary'>" + "".join(items) + "</ol>"
