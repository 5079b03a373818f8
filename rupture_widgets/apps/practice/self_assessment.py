"""The short self-assessment after each answer, and the level it suggests next.

Nothing typed here may be lost: when the next answer is logged, what was entered for the previous
one is saved on its own (or, without a difficulty, kept as a draft the trainee can go back to).
"""
from __future__ import annotations

from html import escape
from typing import Callable

import ipywidgets as w

from ...errors import RuptureError


class SelfAssessment(w.VBox):
    """Difficulty 0-10, intended repair strategies (from the taxonomy), a free note.

    ``save(attempt_id, difficulty, strategies, note)`` stores it; afterwards the taxonomy's
    thresholds may suggest another level (``on_suggest(level_id)`` when the trainee follows it).
    Unsaved entries are kept per attempt (``drafts``) until they are saved.
    """

    def __init__(self, taxonomy, save: Callable[..., object], drafts=None):
        self.taxonomy, self._save = taxonomy, save
        #: where typed notes are kept as they are typed, so a reload loses nothing (a Workbook:
        #: save_draft / drafts / clear_draft), or None
        self._draft_store = drafts
        self.attempt_id: str | None = None
        self.level: str | None = None
        self._suggest_callbacks: list[Callable] = []
        #: attempt id -> (level, form values) entered but not saved yet, oldest first
        self.drafts: dict[str, tuple[str | None, tuple]] = {}
        self._saved: dict[str, tuple] = {}  # attempt id -> the values last saved
        self.difficulty = w.ToggleButtons(
            options=[str(i) for i in range(11)], value=None,
            description="How hard was it? (0 very easy, 10 far too hard)",
            style={"description_width": "initial", "button_width": "2.4rem"},
            tooltips=["very easy"] + [""] * 9 + ["far too hard"])
        self.strategies = {
            sid: w.Checkbox(description=f"{sid} {s.label}", value=False, indent=False,
                            layout=w.Layout(width="auto"))
            for sid, s in taxonomy.strategies.items()}
        self.note = w.Textarea(description="Note", placeholder="What you tried, what you would "
                               "change", layout=w.Layout(width="100%"))
        self.note.observe(lambda _: self._keep_typed_note(), "value")
        self.save_button = w.Button(description="Save self-assessment", button_style="success")
        self.message = w.HTML()
        self.follow = w.Button(description="", layout=w.Layout(display="none", width="auto"))
        self.back_to_draft = w.Button(description="", layout=w.Layout(display="none",
                                                                      width="auto"))
        self.save_button.on_click(lambda _: self._submit())
        self.follow.on_click(lambda _: [cb(self._suggested) for cb in self._suggest_callbacks])
        self.back_to_draft.on_click(lambda _: self._open_draft())
        self._suggested: str | None = None
        self.heading = w.HTML()
        self.set_focus_key("")
        super().__init__([
            self.heading, self.difficulty,
            w.HTML("<p>Repair strategies you intended:</p>"),
            w.VBox(list(self.strategies.values())), self.note,
            w.HBox([self.save_button, self.follow]), self.message, self.back_to_draft])
        self.layout.display = "none"

    def on_suggest(self, callback: Callable) -> None:
        self._suggest_callbacks.append(callback)

    def set_focus_key(self, key: str) -> None:
        """Mark the heading so the page can move focus to it (Page.focus)."""
        self.heading.value = (f"<h3 data-rw-focus='{escape(key)}' tabindex='-1'>How did that "
                              "go?</h3>")

    def edit(self, attempt) -> None:
        """Self-assess an earlier attempt, or change its self-assessment (shown as saved)."""
        notice = self._keep_pending()
        sa = attempt.self_assessment
        if attempt.id in self.drafts:
            values = self.drafts.pop(attempt.id)[1]
        elif sa:
            values = (str(sa.get("difficulty")), tuple(sa.get("strategies", ())),
                      sa.get("note", "") or "")
            self._saved[attempt.id] = values
        else:
            values = None
        self._show(attempt.id, attempt.level, values)
        self.message.value = notice
        self._offer_draft()
        self.layout.display = None

    def forget(self, attempt_id: str) -> None:
        """The attempt was deleted: nothing of it stays in the form or its drafts."""
        self.drafts.pop(attempt_id, None)
        self._saved.pop(attempt_id, None)
        self._clear_typed_note(attempt_id)
        if self.attempt_id == attempt_id:
            self.attempt_id = None
            self._show(None, None, None)
            self.attempt_id = None
            self.layout.display = "none"
        self._offer_draft()

    # -- notes kept as typed (a reload or a closed tab loses nothing) ---------------------------
    def _note_key(self, attempt_id: str | None = None) -> str:
        return f"note:{attempt_id or self.attempt_id}"

    def _keep_typed_note(self) -> None:
        if self._draft_store is None or self.attempt_id is None or self._showing:
            return
        try:
            if self.note.value:
                self._draft_store.save_draft(self._note_key(), self.note.value)
            else:
                self._draft_store.clear_draft(self._note_key())
        except (RuptureError, OSError):  # too long or a full disk: the form still holds it
            pass

    def _typed_note(self, attempt_id: str) -> str:
        if self._draft_store is None:
            return ""
        try:
            return self._draft_store.drafts().get(self._note_key(attempt_id), "")
        except (RuptureError, OSError):
            return ""

    def _clear_typed_note(self, attempt_id: str) -> None:
        if self._draft_store is not None:
            try:
                self._draft_store.clear_draft(self._note_key(attempt_id))
            except (RuptureError, OSError):
                pass

    def ask_about(self, attempt_id: str, level: str) -> None:
        """Show the form for ``attempt_id``: empty, or as the trainee left it.

        What was entered for the attempt shown until now is saved first; if it cannot be saved
        (no difficulty yet, or the workbook refused it) it is kept as a draft, not cleared.
        """
        notice = self._keep_pending()
        self._show(attempt_id, level, self.drafts.pop(attempt_id, (None, None))[1])
        self.message.value = notice
        self._offer_draft()
        self.layout.display = None

    # -- the form's values --------------------------------------------------------------------
    def _values(self) -> tuple:
        return (self.difficulty.value,
                tuple(sid for sid, box in self.strategies.items() if box.value), self.note.value)

    _showing = False  # True while the form is being filled in from stored values

    def _show(self, attempt_id: str, level: str | None, values: tuple | None) -> None:
        self.attempt_id, self.level = attempt_id, level
        difficulty, chosen, note = values or (None, (), "")
        if not note and attempt_id is not None:
            note = self._typed_note(attempt_id)  # typed before a reload, not saved yet
        self._showing = True
        try:
            self.difficulty.value = difficulty
            for sid, box in self.strategies.items():
                box.value = sid in chosen
            self.note.value = note
        finally:
            self._showing = False
        self.message.value = ""
        self.follow.layout.display = "none"

    def _keep_pending(self) -> str:
        """Save (or keep as a draft) what was entered for the attempt shown; say what happened."""
        if self.attempt_id is None:
            return ""
        values = self._values()
        if not self._unsaved(values):
            return ""
        if values[0] is not None:
            try:
                self._store(self.attempt_id, values)
                return ("<p role='status'>Your self-assessment of the previous answer was saved."
                        "</p>")
            except (RuptureError, OSError) as e:
                problem = str(e)
        else:
            problem = "it has no difficulty yet"
        self.drafts[self.attempt_id] = (self.level, values)
        return (f"<p role='alert'>Your self-assessment of the previous answer is not saved "
                f"({escape(problem)}); it is kept: use the button below to finish it.</p>")

    def _unsaved(self, values: tuple) -> bool:
        """Something was entered and it differs from what was last saved for this attempt."""
        return values != (None, (), "") and values != self._saved.get(self.attempt_id)

    def _store(self, attempt_id: str, values: tuple) -> None:
        difficulty, chosen, note = values
        self._save(attempt_id, difficulty=int(difficulty), strategies=list(chosen), note=note)
        self._saved[attempt_id] = values
        self._clear_typed_note(attempt_id)

    def _offer_draft(self) -> None:
        older = [aid for aid in self.drafts if aid != self.attempt_id]
        self.back_to_draft.layout.display = None if older else "none"
        self.back_to_draft.description = (
            f"Finish the unsaved self-assessment{'s' if len(older) > 1 else ''} of an earlier "
            "answer" if older else "")

    def _open_draft(self) -> None:
        """Swap the form to the newest unsaved draft; the current form becomes a draft if needed."""
        older = [aid for aid in self.drafts if aid != self.attempt_id]
        if not older:
            return
        if self.attempt_id is not None and self._unsaved(self._values()):
            self.drafts[self.attempt_id] = (self.level, self._values())
        level, values = self.drafts.pop(older[-1])
        self._show(older[-1], level, values)
        self.message.value = ("<p role='status'>This is the self-assessment you had not saved "
                              "for an earlier answer.</p>")
        self._offer_draft()

    def _submit(self) -> None:
        if self.attempt_id is None:
            return
        if self.difficulty.value is None:
            self.message.value = "<p role='alert'>Choose how hard it was (0-10) first.</p>"
            return
        values = self._values()
        try:
            self._store(self.attempt_id, values)
        except (RuptureError, OSError) as e:  # e.g. a note that is too long: say so, keep what was typed
            self.message.value = f"<p role='alert'>Not saved: {escape(str(e))}</p>"
            return
        self.drafts.pop(self.attempt_id, None)
        self._offer_draft()
        self.message.value = (f"<p role='status'>Saved. {escape(self._advice(int(values[0])))}"
                              "</p>")

    def _advice(self, difficulty: int) -> str:
        tax = self.taxonomy
        known = self.level in tax.level_ids
        suggested = tax.suggest_level(self.level, difficulty) if known else None
        self._suggested = suggested
        self.follow.layout.display = "none"
        too_hard = difficulty >= tax.move_down_at_or_above
        too_easy = difficulty <= tax.move_up_at_or_below
        if suggested is None:
            if too_hard:
                return ("That felt too hard, and this is already the easiest level: replay the "
                        "clip, look at the example responses, and try again.")
            if too_easy:
                return ("That felt easy, and this is already the hardest level: try another "
                        "clip at this level.")
            return "That sounds like a good level of challenge: keep practising here."
        label = next(lv.label for lv in tax.levels if lv.id == suggested).lower()
        self.follow.description = f"Show {label} clips"
        self.follow.layout.display = None
        article = "an" if label[:1] in "aeiou" else "a"
        if too_easy:
            return (f"That felt easy (difficulty {difficulty}, at or below "
                    f"{tax.move_up_at_or_below}): try {article} {label} clip next.")
        return (f"That felt too hard (difficulty {difficulty}, at or above "
                f"{tax.move_down_at_or_above}): try {article} {label} clip next.")
