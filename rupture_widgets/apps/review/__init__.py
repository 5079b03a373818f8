"""The review app: a reviewer's queue, and one attempt reviewed with the rubric and comments
pinned to moments of the answer (notebooks/review.ipynb, `rupture review`).

app.py       ReviewApp: who is reviewing -> the queue -> one attempt
queue.py     what was sent to this reviewer, filtered by trainee and status
form.py      one attempt: clip and answer side by side, rubric, strategies, summary, return
comments.py  comments pinned to moments: typing pauses the answer, a time seeks it
"""
from .app import ReviewApp, review_app

__all__ = ["ReviewApp", "review_app"]
