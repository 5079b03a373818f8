"""The workbook store: one notebook per trainee, the system of record (docs/decisions.md #5, #6).

store.py       Workspace / Workbook: log, update, read, repair; the write path
recording_store.py  the Workbook's recording files: start, find, adopt the never-logged ones
feedback_store.py   the Workbook's feedback: reviewers' records, notes typed in the notebook
records.py     Attempt / Feedback records, ids, the checks before anything is written, upgrades
state.py       the records merged from the journal and a notebook someone saved
cells.py       records rendered as notebook cells (one cell per line)
recordings.py  recording files: chunks appended, finalised with the Duration written in place
webm.py        a recording's WebM structure walked as it arrives
paths.py       the one place that names the files in a trainee's folder
seen.py        which returned feedback the trainee has seen
drafts.py      text being typed, kept on every keystroke so a reload loses nothing
names.py       a display name as typed (any language) and the safe id derived from it
rubric_table.py  the rubric table below the line of a feedback cell (JupyterLab)
"""
from .store import (CELL_ID_RE, HEADER_ID, KERNELSPEC, NOTES_MARK, RECORD_ID_RE, TRAINEE_ID_RE,
                    Attempt, Feedback, Workbook, Workspace, check_record_id, check_trainee_id,
                    new_record_id)

__all__ = ["Workspace", "Workbook", "Attempt", "Feedback", "check_trainee_id", "new_record_id",
           "check_record_id", "NOTES_MARK", "HEADER_ID", "CELL_ID_RE", "KERNELSPEC",
           "TRAINEE_ID_RE", "RECORD_ID_RE"]
