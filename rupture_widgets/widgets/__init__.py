"""The workbook's widgets: anywidget ES modules, no build step (docs/decisions.md #3)."""
from .answer_player import AnswerPlayer
from .clip_player import ClipPlayer
from .recorder import Recorder

__all__ = ["AnswerPlayer", "ClipPlayer", "Recorder"]
