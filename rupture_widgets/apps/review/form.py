"""Reviewing one attempt: the client's clip and the trainee's answer side by side, their
self-assessment, comments pinned to moments, the rubric, strategies heard, a summary; every
change kept as a draft at once (a closed tab loses nothing), then returned."""
from __future__ import annotations

from html import escape
from typing import Callable

import ipywidgets as w

from ...errors import RuptureError
from ...widgets import AnswerPlayer, ClipPlayer
from ...workbook import new_record_id
from ...workbook.records import feedback_record, validate_record
from ..trainer_note import trainer_note_html
from .comments import PinnedComments


class ReviewForm(w.VBox):
    def __init__(self, exchange, catalog, taxonomy, reviewer: str, *,
                 back: Callable[[], None]):
        self.exchange, self.catalog, self.taxonomy = exchange, catalog, taxonomy
        self.reviewer = reviewer
        self.sent = None
        self._loading = False
        self.heading = w.HTML()
        self.clip = ClipPlayer()
        self.answer = AnswerPlayer(label="The trainee's answer")
        self.assessment = w.HTML()
        self.trainer_note = w.HTML()
        self.comments = PinnedComments(self.answer, self._changed)
        anchors = taxonomy.rubric_anchors
        choices = [("not scored", None)] + [
            (f"{v} — {anchors[v]}" if v in anchors else str(v), v)
            for v in range(taxonomy.rubric_min, taxonomy.rubric_max + 1)]
        style = {"description_width": "16rem"}
        self.ratings = {it.id: w.Dropdown(options=choices, value=None, description=it.label,
                                          style=style, layout=w.Layout(width="100%", max_width="32rem"))
                        for it in taxonomy.rubric_items}
        self.strategies = {sid: w.Checkbox(value=False, indent=False,
                                           description=f"{sid} {s.label}",
                                           layout=w.Layout(width="auto"))
                           for sid, s in taxonomy.strategies.items()}
        self.summary = w.Textarea(description="Summary", placeholder="What worked, what to try "
                                  "next", layout=w.Layout(width="100%", max_width="40rem", height="6rem"))
        self.save = w.Button(description="Save draft")
        self.send_back = w.Button(description="Return to trainee", button_style="success")
        self.message = w.HTML()
        for widget in [*self.ratings.values(), *self.strategies.values(), self.summary]:
            widget.observe(lambda _: self._changed(), "value")
        self.save.on_click(lambda _: self.keep(say=True))
        self.send_back.on_click(lambda _: self.give_back())
        back_button = w.Button(description="Back to the queue", icon="arrow-left",
                               layout=w.Layout(width="auto", align_self="flex-start"))
        back_button.on_click(lambda _: back())
        column = {"flex": "1 1 22rem", "min_width": "18rem"}
        super().__init__([
            back_button, self.heading, self.trainer_note,
            w.HBox([w.VBox([w.HTML("<h3>The client</h3>"), self.clip], layout=w.Layout(**column)),
                    w.VBox([w.HTML("<h3>The answer</h3>"), self.answer],
                           layout=w.Layout(**column))],
                   layout=w.Layout(flex_flow="row wrap", grid_gap="1rem")),
            self.assessment, self.comments,
            w.HTML(f"<h4>{escape(taxonomy.rubric_name)}</h4>"), *self.ratings.values(),
            w.HTML("<h4>Repair strategies you heard</h4>"), *self.strategies.values(),
            self.summary, w.HBox([self.save, self.send_back], layout=w.Layout(flex_flow="row wrap")),
            self.message])

    _heading = "</h2>"

    def set_focus_key(self, key: str) -> None:
        """Mark the heading so the page can move focus to it (Page.focus)."""
        self.heading.value = f"<h2 data-rw-focus='{escape(key)}' tabindex='-1'>{self._heading}"

    # -- one attempt ------------------------------------------------------------------------
    def review(self, sent) -> None:
        self.sent = sent
        a = sent.attempt
        review = self.exchange.review_workbook(self.reviewer, sent.trainee_id)
        clip = next((c for c in self.catalog.clips if c.id == a.clip_id), None)
        title = clip.title if clip else a.clip_id
        when = sent.sent_at[:16].replace("T", " ")
        self._heading = (f"{escape(sent.trainee_id)}: {escape(title)}</h2><p>"
                         f"{escape(a.marker)} · {escape(a.level)} · sent {escape(when)}"
                         f" UTC · {escape(sent.status)}</p>")
        self.set_focus_key("")
        if clip is not None:
            self.clip.show_clip(clip)
        self.trainer_note.value = trainer_note_html(clip)
        path = review.recording_path(a.id)
        if path is not None:
            self.answer.load(path, label=f"The trainee's answer, attempt {a.id}")
        sa = a.self_assessment
        self.assessment.value = ("<p><em>No self-assessment.</em></p>" if not sa else
                                 f"<p>Their self-assessment: difficulty <strong>"
                                 f"{sa['difficulty']}/10</strong>; intended: "
                                 f"{escape(', '.join(sa['strategies']) or 'none')}"
                                 + (f"; note: “{escape(sa['note'])}”" if sa["note"] else "")
                                 + "</p>")
        mine = [f for f in review.feedback(a.id) if f.reviewer == self.reviewer]
        existing = mine[-1] if mine else None
        self.feedback_id = existing.id if existing else new_record_id()
        self.created_at = existing.created_at if existing else None
        self._loading = True  # filling the form is not a change
        try:
            for iid, dd in self.ratings.items():
                dd.value = existing.ratings.get(iid) if existing else None
            for sid, cb in self.strategies.items():
                cb.value = bool(existing and sid in existing.strategies)
            self.summary.value = existing.summary if existing else ""
            self.comments.set(list(existing.comments) if existing else [])
        finally:
            self._loading = False
        self.message.value = ""

    def record(self) -> dict:
        rec = feedback_record(
            self.taxonomy, self.sent.attempt.id, reviewer=self.reviewer, role=self.sent.role,
            ratings={k: d.value for k, d in self.ratings.items() if d.value is not None},
            strategies=[s for s, cb in self.strategies.items() if cb.value],
            comments=self.comments.comments, summary=self.summary.value)
        rec["id"] = self.feedback_id  # the same review, edited: never a second one
        if self.created_at:
            rec["created_at"] = self.created_at
        validate_record("feedback", rec, repr(self.feedback_id))
        self.created_at = rec["created_at"]
        return rec

    def _changed(self) -> None:
        if not self._loading and self.sent is not None:
            self.keep(say=False)

    def keep(self, say: bool) -> None:
        try:
            self.exchange.save_draft(self.reviewer, self.sent.trainee_id, self.record())
        except (RuptureError, OSError) as e:
            self.message.value = f"<p role='alert'>Not saved: {escape(str(e))}</p>"
            return
        if say:
            self.message.value = "<p role='status'>Draft saved (only you can see it).</p>"

    def give_back(self) -> None:
        try:
            self.exchange.return_feedback(self.reviewer, self.sent.trainee_id, self.record())
        except (RuptureError, OSError) as e:
            self.message.value = f"<p role='alert'>Not returned: {escape(str(e))}</p>"
            return
        self.message.value = (f"<p role='status'>Returned to {escape(self.sent.trainee_id)}. "
                              "You can edit it and return it again.</p>")
