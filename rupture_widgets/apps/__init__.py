"""Apps composed of the widgets, the workbook and the clip library."""
from .practice import PracticeApp, practice_app

__all__ = ["PracticeApp", "practice_app"]
