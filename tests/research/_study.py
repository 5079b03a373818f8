"""A small study made through the real APIs: three trainees (one whose name has no Latin
spelling), attempts at several clips logged out of time order, sends to two reviewers who both
return reviews of one attempt, one review collected and one not, one returned review edited
and returned again, and one reviewed attempt deleted by its trainee."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from _workbook_fixtures import split
from rupture_widgets.exchange import open_exchange
from rupture_widgets.library.catalog import load_catalog
from rupture_widgets.taxonomy import load_taxonomy
from rupture_widgets.workbook import Workspace
from rupture_widgets.workbook.records import feedback_record

TAX = load_taxonomy()
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)
TRAINEES = {"alex.morgan": "Alex Morgan", "jose.obrien": "José O'Brien", None: "王小明"}
REVIEWERS = {"Dr Sam Rivera": "supervisor", "Priya Natarajan": "peer"}
NOTE = "Froze when she raised her voice"
COMMENT = "Lovely pause before answering"
SUMMARY = "Warm, but the rationale came too soon"


@dataclass
class Study:
    ws: Workspace
    clips: list  # Clip records used
    ids: dict = field(default_factory=dict)  # display name -> trainee id
    attempts: dict = field(default_factory=dict)  # label -> Attempt
    deleted: str = ""
    review_ids: dict = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        """Every display name and reviewer name in the workspace."""
        return [*self.ids, *REVIEWERS]

    @property
    def people_ids(self) -> list[str]:
        from rupture_widgets.exchange.folder import reviewer_id

        return [*self.ids.values(), *(reviewer_id(n) for n in REVIEWERS)]


def record(wb, answer: bytes, clip, at: datetime, **kw):
    rec = wb.start_recording(clip_id=clip.id, marker=clip.marker, level=clip.level)
    for chunk in split(answer, 2):
        rec.append(chunk)
    duration = rec.finalise()
    return wb.log_attempt(clip_id=clip.id, marker=clip.marker, level=clip.level,
                          attempt_id=rec.attempt_id, recording=rec.final_path,
                          duration_s=duration, started_at=at, **kw)


def review(attempt_id: str, reviewer: str, scores: dict, **kw) -> dict:
    return feedback_record(TAX, attempt_id, reviewer=reviewer, role=REVIEWERS[reviewer],
                           ratings=scores, strategies=kw.get("strategies", ["S4"]),
                           comments=kw.get("comments", [{"t": 1.25, "text": COMMENT}]),
                           summary=kw.get("summary", SUMMARY))


def make_study(root, answer: bytes) -> Study:
    ws = Workspace(root)
    catalog = load_catalog()
    c3 = next(c for c in catalog if c.marker == "C3" and c.level == "beginner")
    w2 = next(c for c in catalog if c.marker == "W2" and c.level == "advanced")
    study = Study(ws, [c3, w2])
    ex = open_exchange(ws)
    for tid, name in TRAINEES.items():
        wb = ws.workbook(tid or _id(name), display_name=name)
        study.ids[name] = wb.trainee_id
    alex = ws.workbook("alex.morgan")
    # logged out of time order: the third logged was made first
    a = study.attempts
    a["alex-c3-2"] = record(alex, answer, c3, T0 + timedelta(days=1), latency_s=0.8,
                            speaking_s=12.5)
    a["alex-w2-1"] = record(alex, answer, w2, T0 + timedelta(days=1, hours=1))
    a["alex-c3-1"] = record(alex, answer, c3, T0, self_assessment={
        "difficulty": 7, "strategies": ["S4", "S1"], "note": NOTE})
    a["alex-c3-3"] = alex.log_attempt(clip_id=c3.id, marker=c3.marker, level=c3.level,
                                      started_at=T0 + timedelta(days=2), status="incomplete")
    alex.mark_best(a["alex-c3-2"].id)
    jose = ws.workbook("jose.obrien")
    a["jose-c3-1"] = record(jose, answer, c3, T0 + timedelta(hours=3), self_assessment={
        "difficulty": 2, "strategies": [], "note": ""})
    a["jose-c3-2"] = record(jose, answer, c3, T0 + timedelta(hours=4))
    wang = ws.workbook(study.ids["王小明"])
    a["wang-w2-1"] = record(wang, answer, w2, T0 + timedelta(hours=5))

    # both reviewers rate alex's first C3 attempt; one of them also jose's and wang's
    for reviewer in REVIEWERS:
        ex.send(alex, a["alex-c3-1"].id, reviewer=reviewer, role=REVIEWERS[reviewer])
    sam = review(a["alex-c3-1"].id, "Dr Sam Rivera", {"empathy": 4, "warmth": 5, "hope": 3})
    priya = review(a["alex-c3-1"].id, "Priya Natarajan", {"empathy": 3, "warmth": 4},
                   strategies=["S4", "S5"], comments=[{"t": 0.5, "text": COMMENT},
                                                      {"t": 2.0, "text": "Then you rushed"}])
    ex.return_feedback("Dr Sam Rivera", "alex.morgan", sam)
    ex.return_feedback("Priya Natarajan", "alex.morgan", priya)
    ex.collect(alex)  # alex's reviews are in the workbook too, now
    edited = {**priya, "ratings": {"empathy": 2, "warmth": 4}}  # edited, returned again
    ex.return_feedback("Priya Natarajan", "alex.morgan", edited)
    study.review_ids = {"sam": sam["id"], "priya": priya["id"]}

    ex.send(jose, a["jose-c3-1"].id, reviewer="Dr Sam Rivera", role="supervisor")
    ex.return_feedback("Dr Sam Rivera", "jose.obrien",
                       review(a["jose-c3-1"].id, "Dr Sam Rivera", {"empathy": 5}))  # not collected
    ex.send(wang, a["wang-w2-1"].id, reviewer="Priya Natarajan", role="peer")  # not returned

    # reviewed, then deleted by the trainee: the review stays in the exchange (decisions #19)
    a["jose-deleted"] = record(jose, answer, c3, T0 + timedelta(hours=6))
    ex.send(jose, a["jose-deleted"].id, reviewer="Dr Sam Rivera", role="supervisor")
    ex.return_feedback("Dr Sam Rivera", "jose.obrien",
                       review(a["jose-deleted"].id, "Dr Sam Rivera", {"empathy": 1}))
    ex.delete_attempt(jose, a["jose-deleted"].id)
    study.deleted = a.pop("jose-deleted").id
    return study


def _id(name: str) -> str:
    from rupture_widgets.workbook.names import id_from_name

    return id_from_name(name)
