"""Records and renders shared by the cells and state tests."""
from __future__ import annotations


import nbformat

from rupture_widgets.taxonomy import load_taxonomy
from rupture_widgets.workbook.cells import workbook_text
from rupture_widgets.workbook.records import feedback_record
from rupture_widgets.workbook.state import WorkbookState

TAX = load_taxonomy()


def attempt(aid="a1", created="2024-05-01T10:02:03.123Z", **changes):
    rec = {"id": aid, "trainee_id": "alex", "clip_id": "c3-beginner-maya", "marker": "C3",
           "level": "beginner", "created_at": created,
           "recording": f"recordings/{aid}.webm", "duration_s": 12.34, "latency_s": 1.5,
           "speaking_s": None, "status": "complete",
           "self_assessment": {"difficulty": 6, "strategies": ["S3"], "note": "too <fast>"},
           "sent_to": [{"reviewer": "Dr Lee", "role": "supervisor",
                        "at": "2024-05-02T09:00:00.000Z"}]}
    return {**rec, **changes}


def state_with(*events) -> WorkbookState:
    state = WorkbookState()
    for ev in events:
        state.apply(ev)
    return state


def render(state, cache=None) -> nbformat.NotebookNode:
    text = workbook_text("alex", state, TAX, {} if cache is None else cache)
    nb = nbformat.reads(text, as_version=nbformat.NO_CONVERT)
    nbformat.validate(nb)
    return nb


FEEDBACK = feedback_record(TAX, "a1", reviewer="Dr Lee", role="supervisor",
                           ratings={"warmth": 4}, strategies=["S4"],
                           comments=[{"t": 3, "text": "a <good> pause"}], summary="Well done\nagain")
