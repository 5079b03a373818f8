"""The workbook's widgets: anywidget ES modules, no build step (docs/decisions.md #3)."""
from .clip_player import ClipPlayer
from .recorder import Recorder

__all__ = ["ClipPlayer", "Recorder"]
