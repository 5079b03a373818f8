"""Every attempt at one clip, with replay, "send for feedback" and the feedback that came back."""
from __future__ import annotations

from html import escape
from typing import Callable

import ipywidgets as w

from ...errors import RuptureError
from ..forms import on_enter


def _reviewer_id(name: str) -> str:
    from ...exchange.folder import reviewer_id

    try:
        return reviewer_id(name)
    except Exception:  # a name from an older workbook that is no id: status unknown
        return ""


def _moment(seconds: float) -> str:
    """A moment of an answer, to the tenth of a second: '0:03.5'."""
    return f"{int(seconds // 60)}:{seconds % 60:04.1f}"


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return "length unknown"
    s = int(round(seconds))
    return f"{s // 60}:{s % 60:02d}"


class AttemptHistory(w.VBox):
    """One row per attempt (incomplete ones marked): play it, or send it to a reviewer."""

    _statuses: dict = {}
    _new: set = set()

    def __init__(self, taxonomy, *, play: Callable[[str], None], send: Callable[..., object],
                 play_from: Callable[[str, float], None] | None = None,
                 replay: Callable[[str], None] | None = None,
                 assess: Callable[[str], None] | None = None,
                 best: Callable[[str, bool], None] | None = None,
                 delete: Callable[[str], None] | None = None):
        self._play, self._play_from, self.taxonomy = play, play_from, taxonomy
        self._replay, self._assess, self._best, self._delete = replay, assess, best, delete
        self.rows = w.VBox()
        self.form = SendForm(taxonomy.roles,
                             lambda aid, name, role: send(aid, reviewer=name, role=role))
        self.confirm = DeleteConfirmation(self._confirmed_delete)
        self.heading = w.HTML()
        self.set_focus_key("")
        super().__init__([self.heading, self.rows, self.confirm, self.form])
        self.add_class("rw-history")

    def set_focus_key(self, key: str) -> None:
        """Mark the heading so the page can move focus to it (Page.focus)."""
        self.heading.value = (f"<h3 data-rw-focus='{escape(key)}' tabindex='-1'>Your attempts at "
                              "this clip</h3>")

    def _confirmed_delete(self, attempt_id: str) -> str | None:
        return self._delete(attempt_id) if self._delete is not None else None

    def show(self, attempts: list, feedback: dict | None = None,
             statuses: dict | None = None, new: set | None = None) -> None:
        """``new``: ids of the feedback the trainee sees for the first time (marked 'New')."""
        self._statuses, self._new = statuses or {}, new or set()
        if not attempts:
            self.rows.children = [w.HTML("<p>No attempts yet.</p>")]
            return
        feedback = feedback or {}
        rows = []
        for n, a in enumerate(attempts, start=1):
            rows.append(self._row(n, a, feedback.get(a.id, [])))
            rows += [self._feedback(a.id, f) for f in feedback.get(a.id, [])]
        self.rows.children = rows

    def _feedback(self, attempt_id: str, f) -> w.Widget:
        """The feedback as text, and each comment a button that plays the answer from there."""
        if not f.comments or self._play_from is None:
            return w.HTML(self._feedback_html(f, list_comments=True))
        block = w.HTML(self._feedback_html(f, list_comments=False))
        buttons = []
        for c in sorted(f.comments, key=lambda c: c["t"] or 0):
            b = w.Button(description=f"{_moment(c['t'])} {c['text'][:60]}",
                         tooltip=f"Play your answer from {_moment(c['t'])}: {c['text']}",
                         layout=w.Layout(width="auto", max_width="100%",
                                         align_self="flex-start"))
            b.on_click(lambda _b, t=c["t"]: self._play_from(attempt_id, t))
            buttons.append(b)
        return w.VBox([block, w.HTML("<p>Comments at moments of your answer (press one to play "
                                     "your answer from there):</p>"), w.VBox(buttons)],
                      layout=w.Layout(margin="0 0 1rem 2rem"))

    def _feedback_html(self, f, list_comments: bool = True) -> str:
        """What a reviewer returned: scores, strategies heard, summary, comments by time."""
        tax = self.taxonomy
        items = {it.id: it.label for it in tax.rubric_items}
        badge = " <span class='rw-new'>New</span>" if f.id in self._new else ""
        parts = [f"<h4>Feedback from {escape(f.reviewer)} ({escape(f.role)}){badge}</h4>"]
        if f.ratings:  # in the rubric's own order
            order = [it.id for it in tax.rubric_items] + sorted(set(f.ratings) - set(items))
            parts.append("<ul class='rw-ratings'>" + "".join(
                f"<li>{escape(items.get(k, k))}: <strong>{f.ratings[k]}</strong> of "
                f"{tax.rubric_max}</li>" for k in order if k in f.ratings) + "</ul>")
        if f.strategies:
            parts.append("<p>Strategies heard: " + escape(", ".join(
                f"{s} {tax.strategies[s].label}" if s in tax.strategies else s
                for s in f.strategies)) + "</p>")
        if f.summary:
            parts.append(f"<blockquote>{escape(f.summary)}</blockquote>")
        if f.comments and list_comments:
            parts.append("<ol class='rw-comments'>" + "".join(
                f"<li><span class='rw-at'>{_moment(c['t'])}</span> {escape(c['text'])}</li>"
                for c in sorted(f.comments, key=lambda c: c["t"] or 0)) + "</ol>")
        return f"<section class='rw-feedback' aria-label='Feedback'>{''.join(parts)}</section>"

    def _row(self, n: int, attempt, feedback=()) -> w.Widget:
        when = attempt.created_at[11:16] if attempt.created_at else ""
        parts = [f"<strong>Attempt {n}</strong>", escape(attempt.created_at[:10]), when,
                 _clock(attempt.duration_s)]
        if attempt.status == "incomplete":
            parts.append("<span class='rw-incomplete'>incomplete (cut off; what was received "
                         "is kept)</span>")
        if any(f.id in self._new for f in feedback):
            parts.append("<span class='rw-new'>new feedback</span>")
        if getattr(attempt, "best", False):
            parts.append("<strong class='rw-best'>★ your best attempt</strong>")
        if attempt.self_assessment:
            parts.append(f"difficulty {attempt.self_assessment.get('difficulty')}")
        returned = {f.reviewer for f in feedback}
        words = {"new": "sent to", "in review": "being reviewed by",
                 "returned": "feedback returned by"}
        for s in attempt.sent_to:
            status = ("returned" if s["reviewer"] in returned else
                      self._statuses.get((attempt.id, _reviewer_id(s["reviewer"])), "new"))
            parts.append(f"{words[status]} {escape(s['reviewer'])} ({escape(s['role'])})")
        label = w.HTML(" · ".join(p for p in parts if p), layout=w.Layout(flex="1 1 100%"))

        def action(words: str, do: Callable, style: str = "") -> w.Button:
            b = w.Button(description=words, button_style=style, layout=w.Layout(width="auto"))
            b.on_click(lambda _b: do())
            return b

        a = attempt
        buttons = [action(f"Play attempt {n}", lambda: self._play(a.id))]
        if self._replay is not None:
            buttons.append(action(f"Replay the clip, then attempt {n}", lambda: self._replay(a.id)))
        if self._assess is not None and a.status == "complete":
            buttons.append(action(
                f"Change the self-assessment of attempt {n}" if a.self_assessment else
                f"Self-assess attempt {n}", lambda: self._assess(a.id)))
        if self._best is not None and a.status == "complete":
            is_best = bool(getattr(a, "best", False))
            buttons.append(action(f"{'Unmark' if is_best else 'Mark'} attempt {n} as best",
                                  lambda: self._best(a.id, not is_best)))
        buttons.append(action(f"Send attempt {n} for feedback", lambda: self.form.ask(a.id, n)))
        if self._delete is not None:
            buttons.append(action(f"Delete attempt {n}", lambda: self.confirm.ask(a.id, n),
                                  "danger"))
        row = w.Box([label, *buttons], layout=w.Layout(
            flex_flow="row wrap", align_items="center", grid_gap="0.4rem",
            padding="0.5rem 0", border_bottom="1px solid #d0d4da"))
        row.add_class("rw-attempt-row")
        return row


class DeleteConfirmation(w.VBox):
    """'Delete attempt N for good?' — deleting cannot be undone, so it is asked once more."""

    def __init__(self, delete: Callable[[str], str | None]):
        self._delete = delete  # returns what else to say (e.g. who keeps a returned review)
        self.attempt_id: str | None = None
        self.question = w.HTML()
        self.yes = w.Button(description="Delete for good", button_style="danger")
        self.no = w.Button(description="Keep it")
        self.message = w.HTML()
        self.yes.on_click(lambda _: self._confirmed())
        self.no.on_click(lambda _: self.close())
        self.fields = w.VBox([self.question, w.HBox([self.yes, self.no],
                                                    layout=w.Layout(flex_flow="row wrap"))])
        self.fields.layout.display = "none"
        super().__init__([self.fields, self.message])

    def ask(self, attempt_id: str, number: int) -> None:
        self.attempt_id = attempt_id
        self.message.value = ""
        self.question.value = (
            f"<p role='alert'><strong>Delete attempt {number} for good?</strong> Its recording, "
            "your self-assessment and any feedback on it are removed from your workbook, and it "
            "is withdrawn from reviewers who have not returned it yet. This cannot be undone."
            "</p>")
        self.fields.layout.display = None
        self.no.focus()  # the safe choice has focus: Enter alone never deletes

    def close(self) -> None:
        self.fields.layout.display = "none"
        self.attempt_id = None

    def _confirmed(self) -> None:
        if self.attempt_id is None:
            return
        try:
            more = self._delete(self.attempt_id) or ""
        except (RuptureError, OSError) as e:
            self.message.value = f"<p role='alert'>Not deleted: {escape(str(e))}</p>"
            return
        self.close()
        self.message.value = ("<p role='status'>The attempt and its recording were deleted."
                              f"{escape(more)}</p>")


class SendForm(w.VBox):
    """Reviewer name and role for one attempt."""

    def __init__(self, roles, send: Callable[[str, str, str], object]):
        self._send = send
        self.attempt_id: str | None = None
        style = {"description_width": "initial"}
        self.heading = w.HTML()
        self.reviewer = w.Text(description="Reviewer's name", style=style)
        self.role = w.Dropdown(description="Reviewer's role", style=style,
                               options=[(r.capitalize(), r) for r in roles], value=roles[0])
        self.send_button = w.Button(description="Send", button_style="success")
        self.cancel = w.Button(description="Cancel")
        self.message = w.HTML()
        self.send_button.on_click(lambda _: self._submit())
        self.cancel.on_click(lambda _: self.close_form())
        on_enter(self.reviewer, self._submit)
        self.fields = w.VBox([self.heading, self.reviewer, self.role,
                              w.HBox([self.send_button, self.cancel])])
        self.fields.layout.display = "none"
        super().__init__([self.fields, self.message])

    def ask(self, attempt_id: str, number: int) -> None:
        self.attempt_id = attempt_id
        self.heading.value = f"<h4>Send attempt {number} for feedback</h4>"
        self.message.value = ""
        self.fields.layout.display = None
        self.reviewer.focus()

    def close_form(self) -> None:
        self.fields.layout.display = "none"

    def clear(self) -> None:
        """Closed and silent: what it said was about another attempt."""
        self.close_form()
        self.message.value = ""

    def _submit(self) -> None:
        name = self.reviewer.value.strip()
        if not name:
            self.message.value = "<p role='alert'>Type the reviewer's name first.</p>"
            return
        try:
            self._send(self.attempt_id, name, self.role.value)
        except (RuptureError, OSError) as e:  # the workbook's checks, a busy or full disk
            self.message.value = f"<p role='alert'>Not sent: {escape(str(e))}</p>"
            return
        self.close_form()
        self.message.value = (f"<p role='status'>Sent to {escape(name)} "
                              f"({escape(self.role.value)}).</p>")

