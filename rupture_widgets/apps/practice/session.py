"""One clip's practice loop: context, play, answer on camera, self-assess, replay, again, send."""
from __future__ import annotations

from html import escape
from typing import Callable

import ipywidgets as w

from ...errors import ExchangeError, RecordingError
from ...widgets import AnswerPlayer, ClipPlayer, Recorder
from ...workbook import seen
from ..trainer_note import trainer_note_html
from .history import AttemptHistory
from .self_assessment import SelfAssessment


class PracticeSession(w.VBox):
    """Built once per app (the camera stays open between clips); :meth:`practise` switches clip."""

    def __init__(self, workbook, taxonomy, *,
                 suggest: Callable[[str], None], exchange=None,
                 focus: Callable[[], str] | None = None):
        self.workbook, self.taxonomy = workbook, taxonomy
        self.exchange = exchange  # where sent attempts go and feedback comes back from
        # focus() -> a key: mark an element data-rw-focus=<key> and the page moves focus there
        self._focus = focus or (lambda: "")
        self.clip = None
        self._exchange_replay = None  # the attempt to play once the clip ends ("replay the exchange")
        self.heading = w.HTML()
        self.player = ClipPlayer()
        self.recorder = Recorder(workbook)  # its own "Start recording when the clip ends"
        self.assessment = SelfAssessment(taxonomy, self._save_assessment, drafts=workbook)
        self.assessment.on_suggest(suggest)
        self.examples_button = w.Button(description="Show example responses", disabled=True,
                                        layout=w.Layout(width="auto", align_self="flex-start"),
                                        tooltip="Available after your first answer to this clip")
        self.examples = w.HTML()
        self.trainer_note = w.HTML()  # shown once the clip has been answered
        self.history = AttemptHistory(taxonomy, play=self._play, send=self._send,
                                      play_from=self._play_from, replay=self.replay_exchange,
                                      assess=self._assess_later, best=self._mark_best,
                                      delete=self._delete)
        # answers are played back here, beside the clip: after Stop, from "Play attempt N" and
        # from a reviewer's comment (it seeks; the camera preview stays live in the recorder)
        self.answer = AnswerPlayer(label="Your recorded answer")
        self.answer_box = w.VBox([w.HTML("<h4>Played back</h4>"), self.answer])
        self.answer_box.layout.display = "none"
        self._answer_of = None
        self.problem = w.HTML()
        self.examples_button.on_click(lambda _: self._toggle_examples())
        self.player.on_ended(self._clip_ended)
        self.recorder.on_attempt(self._attempt_logged)
        column = {"flex": "1 1 22rem", "min_width": "18rem"}
        super().__init__([
            self.heading, self.problem,
            w.HBox([w.VBox([w.HTML("<h3>The client</h3>"), self.player],
                           layout=w.Layout(**column)),
                    w.VBox([w.HTML("<h3>Your answer</h3>"), self.recorder, self.answer_box],
                           layout=w.Layout(**column))],
                   layout=w.Layout(flex_flow="row wrap", grid_gap="1rem")),
            self.assessment,
            w.VBox([self.trainer_note, self.examples_button, self.examples]), self.history])

    def practise(self, clip) -> None:
        self.clip = clip
        self._exchange_replay = None
        marker = self.taxonomy.markers.get(clip.marker)
        level = next((lv.label for lv in self.taxonomy.levels if lv.id == clip.level), clip.level)
        key = self._focus()
        self.heading.value = (
            f"<h2 data-rw-focus='{escape(key)}' tabindex='-1'>{escape(clip.title)}</h2>"
            f"<p>{escape(clip.marker)} "
            f"{escape(marker.label if marker else '')} · {escape(level)} · "
            f"{escape(clip.persona.name)}</p><p class='rw-context'><strong>Context:</strong> "
            f"{escape(clip.context)}</p>")
        self.problem.value = ""
        try:
            self.player.show_clip(clip)
        except ValueError as e:  # the clip library lies outside what the server serves
            self.problem.value = f"<p role='alert'>{escape(str(e))}</p>"
        self.recorder.answer_clip(clip.id, clip.marker, clip.level)
        self.assessment.layout.display = "none"
        self.examples.value = ""
        self.examples_button.description = "Show example responses"
        self.answer_box.layout.display = "none"
        self.history.form.clear()
        self.refresh()
        self._offer_unassessed()

    def refresh(self) -> None:
        statuses = {}
        if self.exchange is not None:
            try:
                self.exchange.collect(self.workbook)  # feedback that came back since last time
                statuses = self.exchange.statuses(self.workbook.trainee_id)
            except Exception as e:  # an unreadable return must not break practice
                self.problem.value = f"<p role='alert'>{escape(str(e))}</p>"
        attempts = self.workbook.attempts(clip_id=self.clip.id)
        feedback = {a.id: self.workbook.feedback(a.id) for a in attempts}
        shown = [f for fs in feedback.values() for f in fs]
        new = {f.id for f in seen.unseen(self.workbook, shown)}
        self.history.show(attempts, feedback, statuses, new)
        try:
            seen.mark_seen(self.workbook, shown)  # shown once as "New": seen from now on
        except OSError:  # a full disk: they show as new again next time, nothing worse
            pass
        answered = any(a.status == "complete" for a in attempts)
        self.examples_button.disabled = not answered
        self.trainer_note.value = trainer_note_html(self.clip) if answered else ""

    # -- events -----------------------------------------------------------------------------
    def _clip_ended(self, at_ms: float) -> None:
        if self._exchange_replay is not None:  # the client has spoken: now the answer, as it was
            attempt_id, self._exchange_replay = self._exchange_replay, None
            self._play(attempt_id)
            return
        self.recorder.clip_ended_at_ms = at_ms
        if self.recorder.auto_record:
            self.recorder.record()

    def _attempt_logged(self, attempt) -> None:
        self.history.form.clear()  # a "Sent to …" line is about an earlier attempt
        if attempt.status == "complete":
            # the recorder already replays it from the browser's copy: no round trip here
            self.assessment.ask_about(attempt.id, attempt.level)
            self.assessment.set_focus_key(self._focus())  # the next step: how did that go?
        self.refresh()

    def _offer_unassessed(self) -> None:
        """Coming back to a clip (or after a reload): the latest answer not yet self-assessed
        is asked about again, with whatever was typed for it kept."""
        attempts = [a for a in self.workbook.attempts(clip_id=self.clip.id)
                    if a.status == "complete"]
        if attempts and not attempts[-1].self_assessment:
            self.assessment.ask_about(attempts[-1].id, attempts[-1].level)

    def _assess_later(self, attempt_id: str) -> None:
        """Self-assess (or change the self-assessment of) any earlier attempt."""
        attempt = self.workbook.attempt(attempt_id)
        self.assessment.edit(attempt)
        self.assessment.set_focus_key(self._focus())

    def _mark_best(self, attempt_id: str, best: bool) -> None:
        self.workbook.mark_best(attempt_id, best=best)
        self.refresh()

    def _delete(self, attempt_id: str) -> str:
        """Delete for good (the trainee confirmed): withdrawn from reviewers who have not
        returned it, then deleted (docs/decisions.md #19). Says who keeps a returned review."""
        kept = ()
        if self.exchange is not None:
            kept = self.exchange.delete_attempt(self.workbook, attempt_id).kept
        else:
            self.workbook.delete_attempt(attempt_id)
        if self._answer_of == attempt_id:
            self.answer.clear()
            self._answer_of = None
            self.answer_box.layout.display = "none"
        if self.assessment.attempt_id == attempt_id:
            self.assessment.forget(attempt_id)
        self.refresh()
        self.history.set_focus_key(self._focus())  # the row and its buttons are gone
        if not kept:
            return ""
        return (f" {', '.join(kept)} had already returned feedback on it and "
                f"keep{'s' if len(kept) == 1 else ''} their review.")

    def replay_exchange(self, attempt_id: str) -> None:
        """The client's clip from the start, then this answer, as the moment happened."""
        if self._show_answer(attempt_id):
            self.answer.pause()
            self._exchange_replay = attempt_id
            self.player.play(from_start=True)

    def _save_assessment(self, attempt_id: str, **assessment) -> None:
        self.workbook.set_self_assessment(attempt_id, **assessment)
        self.refresh()

    def _show_answer(self, attempt_id: str) -> bool:
        """Load one of this trainee's answers into the player (once), through the kernel."""
        try:
            path = self.workbook.recording_path(attempt_id)
            if path is None or not self.workbook.owns_recording(path):
                raise RecordingError.undecodable(attempt_id, "its recording file is missing")
            if self._answer_of != attempt_id:
                self.answer.load(path, label=f"Your recorded answer {attempt_id}")
                self._answer_of = attempt_id
        except Exception as e:  # a missing file must not break the page
            self.problem.value = f"<p role='alert'>{escape(str(e))}</p>"
            return False
        self.answer_box.layout.display = None
        return True

    def _play(self, attempt_id: str) -> None:
        if self._show_answer(attempt_id):
            self.answer.play()

    def _play_from(self, attempt_id: str, seconds: float) -> None:
        if self._show_answer(attempt_id):
            self.answer.seek(seconds)
            self.answer.play()

    def watch_for_feedback(self, every_s: float = 3.0) -> None:
        """Show feedback as it comes back, without a reload: a background check of the
        exchange (reading a folder; nothing is written unless something came back)."""
        import threading

        def loop():
            while not self._stop.wait(every_s):
                try:
                    if self.clip is not None and self.exchange.collect(self.workbook):
                        self.refresh()
                except Exception:  # never let the watcher die on a bad return
                    continue

        if self.exchange is not None and getattr(self, "_stop", None) is None:
            self._stop = threading.Event()
            threading.Thread(target=loop, daemon=True, name="feedback-watch").start()

    def _send(self, attempt_id: str, *, reviewer: str, role: str) -> None:
        if self.exchange is None:
            raise ExchangeError("There is nowhere to send attempts from this app.")
        self.exchange.send(self.workbook, attempt_id, reviewer=reviewer, role=role)
        self.refresh()
        self.history.set_focus_key(self._focus())  # the form closes: focus goes to the list

    def _toggle_examples(self) -> None:
        if self.examples.value:
            self.examples.value = ""
            self.examples_button.description = "Show example responses"
        else:
            self._reveal_examples()

    def _reveal_examples(self) -> None:
        if self.examples_button.disabled:  # never before an attempt
            return
        self.examples_button.description = "Hide example responses"
        items = []
        for ex in self.clip.examples:
            labels = ", ".join(f"{s} {self.taxonomy.strategies[s].label}"
                               for s in ex.strategies if s in self.taxonomy.strategies)
            items.append(f"<li><p>{escape(ex.text)}</p><p><em>Strategies: {escape(labels)}"
                         f"</em></p></li>")
        self.examples.value = ("<h3>Example responses</h3><ol>" + "".join(items) + "</ol>"
                               if items else "<p>This clip has no example responses.</p>")
