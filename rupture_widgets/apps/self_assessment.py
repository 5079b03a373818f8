"""The short self-assessment after each answer, and the level it suggests next."""
from __future__ import annotations

from html import escape
from typing import Callable

import ipywidgets as w


class SelfAssessment(w.VBox):
    """Difficulty 0-10, intended repair strategies (from the taxonomy), a free note.

    ``save(attempt_id, difficulty, strategies, note)`` stores it; afterwards the taxonomy's
    thresholds may suggest another level (``on_suggest(level_id)`` when the trainee follows it).
    """

    def __init__(self, taxonomy, save: Callable[..., object]):
        self.taxonomy, self._save = taxonomy, save
        self.attempt_id: str | None = None
        self.level: str | None = None
        self._suggest_callbacks: list[Callable] = []
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
        self.save_button = w.Button(description="Save self-assessment", button_style="success")
        self.message = w.HTML()
        self.follow = w.Button(description="", layout=w.Layout(display="none", width="auto"))
        self.save_button.on_click(lambda _: self._submit())
        self.follow.on_click(lambda _: [cb(self._suggested) for cb in self._suggest_callbacks])
        self._suggested: str | None = None
        super().__init__([
            w.HTML("<h3>How did that go?</h3>"), self.difficulty,
            w.HTML("<p>Repair strategies you intended:</p>"),
            w.VBox(list(self.strategies.values())), self.note,
            w.HBox([self.save_button, self.follow]), self.message])
        self.layout.display = "none"

    def on_suggest(self, callback: Callable) -> None:
        self._suggest_callbacks.append(callback)

    def ask_about(self, attempt_id: str, level: str) -> None:
        """Show an empty form for a new attempt."""
        self.attempt_id, self.level = attempt_id, level
        self.difficulty.value = None
        for box in self.strategies.values():
            box.value = False
        self.note.value = ""
        self.message.value = ""
        self.follow.layout.display = "none"
        self.layout.display = None

    def _submit(self) -> None:
        if self.attempt_id is None:
            return
        if self.difficulty.value is None:
            self.message.value = "<p role='alert'>Choose how hard it was (0-10) first.</p>"
            return
        difficulty = int(self.difficulty.value)
        chosen = [sid for sid, box in self.strategies.items() if box.value]
        self._save(self.attempt_id, difficulty=difficulty, strategies=chosen,
                   note=self.note.value)
        self.message.value = f"<p role='status'>Saved. {escape(self._advice(difficulty))}</p>"

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
        if too_easy:
            return (f"That felt easy (difficulty {difficulty}, at or below "
                    f"{tax.move_up_at_or_below}): try a {label} clip next.")
        return (f"That felt too hard (difficulty {difficulty}, at or above "
                f"{tax.move_down_at_or_above}): try a {label} clip next.")
