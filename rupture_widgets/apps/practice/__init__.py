"""The practice app: who is practising -> the clip library -> one clip's practice loop.

app.py              PracticeApp: the three views and what moves between them
session.py          one clip: context, play, answer, self-assess, replay, examples, history
clip_browser.py     filters (family, marker, level) and clip cards with times practised
self_assessment.py  difficulty / strategies / note, and the level it suggests
history.py          every attempt at a clip: replay, send for feedback
"""
from .app import PracticeApp, practice_app

__all__ = ["PracticeApp", "practice_app"]
