"""The columns of every research table: name, dtype and a one-line meaning, in table order.

The one list the tables are built to (``tables``), the export's README is written from
(``export``), and docs/data-dictionary.md is checked against
(tests/research/test_data_dictionary.py).
Dtypes are pandas' names: "category" for ids and taxonomy values (their categories are fixed
when the table is built: ``CATEGORIES``), nullable "Int64"/"Float64" where a value can be
missing, "string" for text, and timestamps in UTC.
"""
from __future__ import annotations

UTC_TIME = "datetime64[ns, UTC]"

ATTEMPTS = (
    ("attempt_id", "category", "the attempt's id (its recording's file name)"),
    ("trainee_id", "category", "who practised"),
    ("clip_id", "category", "the clip answered"),
    ("marker", "category", "the clip's rupture marker (3RS), as recorded with the attempt"),
    ("family", "category", "the marker's family: W (withdrawal) or C (confrontation)"),
    ("level", "category", "the level practised at (ordered: beginner < intermediate < advanced)"),
    ("salience", "Int64", "the clip's marker salience, 1-5 (clip library)"),
    ("attempt_number", "Int64", "1 for the trainee's first attempt at this clip, 2 next, ..."),
    ("practice_number", "Int64", "1 for the trainee's first attempt at any clip, 2 next, ..."),
    ("recorded_at", UTC_TIME, "when the answer was started"),
    ("duration_s", "Float64", "the recording's length in seconds"),
    ("latency_s", "Float64", "seconds from the clip's end to speech (the browser's estimate)"),
    ("speaking_s", "Float64", "seconds of speech (the browser's estimate)"),
    ("vad_latency_s", "Float64", "seconds to speech, measured from the recording's audio"),
    ("vad_speaking_s", "Float64", "seconds of speech, measured from the recording's audio"),
    ("difficulty", "Int64", "self-assessed difficulty, 0-10"),
    ("strategies", "string", "repair strategies the trainee intended, ';'-joined ids"),
    ("note", "string", "the trainee's self-assessment note (free text)"),
    ("status", "category", "complete, or incomplete (a recording cut off)"),
    ("n_sent", "int64", "how many times it was sent for feedback"),
    ("sent", "bool", "sent for feedback at least once"),
    ("n_reviews", "int64", "reviews of it that came back"),
    ("returned", "bool", "at least one review came back"),
    ("best", "bool", "the trainee's pick as their best attempt at the clip"),
    ("workshop", "category", "the workshop code of the link the app was opened with"),
)

RATINGS = (
    ("review_id", "category", "the review the score is part of"),
    ("attempt_id", "category", "the attempt rated"),
    ("trainee_id", "category", "whose attempt"),
    ("reviewer_id", "category", "who rated it"),
    ("reviewer_role", "category", "instructor, supervisor, peer, or notebook"),
    ("item", "category", "the rubric item (taxonomy order)"),
    ("score", "int64", "the score given, on the rubric's scale (FIS: 1-5)"),
    ("rated_at", UTC_TIME, "when the review was made"),
)

REVIEWS = (
    ("review_id", "category", "the review's id"),
    ("attempt_id", "category", "the attempt reviewed"),
    ("trainee_id", "category", "whose attempt"),
    ("reviewer_id", "category", "who reviewed it"),
    ("reviewer_role", "category", "instructor, supervisor, peer, or notebook"),
    ("rated_at", UTC_TIME, "when the review was made"),
    ("returned_at", UTC_TIME, "when it was returned through the exchange"),
    ("n_scores", "int64", "rubric items scored"),
    ("n_comments", "int64", "comments pinned to moments of the answer"),
    ("n_strategies", "int64", "repair strategies the reviewer heard"),
    ("summary", "string", "the reviewer's summary (free text)"),
)

COMMENTS = (
    ("review_id", "category", "the review the comment is part of"),
    ("attempt_id", "category", "the attempt commented on"),
    ("trainee_id", "category", "whose attempt"),
    ("reviewer_id", "category", "who wrote the comment"),
    ("t_s", "float64", "the moment of the answer, in seconds from its start"),
    ("text", "string", "the comment (free text)"),
)

STRATEGIES_HEARD = (
    ("review_id", "category", "the review"),
    ("attempt_id", "category", "the attempt"),
    ("trainee_id", "category", "whose attempt"),
    ("reviewer_id", "category", "who heard it"),
    ("strategy", "category", "a repair strategy the reviewer heard (taxonomy order)"),
)

#: table name (as exported and documented) -> its columns
TABLES = {"attempts": ATTEMPTS, "ratings": RATINGS, "reviews": REVIEWS, "comments": COMMENTS,
          "strategies_heard": STRATEGIES_HEARD}

#: Free-text columns: left out of a de-identified export unless --include-text.
FREE_TEXT = {"attempts": ("note",), "reviews": ("summary",), "comments": ("text",)}

#: Columns holding a person's id, pseudonymised in a de-identified export.
PERSON_IDS = ("trainee_id", "reviewer_id")
#: Record ids: random in the apps, but any text an import gave them; pseudonymised too.
RECORD_IDS = ("attempt_id", "review_id")


def dtypes(table: str) -> dict[str, str]:
    return {name: dtype for name, dtype, _ in TABLES[table]}
