"""Code the tests run in a user's own kernel (as that Unix user, with their server's token)."""
from __future__ import annotations

import base64


def record_and_send(webm: bytes, reviewer: str, role: str = "instructor") -> str:
    """Log an answer in the user's own workbook through the real store and send it through
    the exchange the app gets (the hub's); prints the attempt id."""
    data = base64.b64encode(webm).decode()
    return f"""
import base64
from rupture_widgets.exchange import open_exchange
from rupture_widgets.library.catalog import load_catalog
from rupture_widgets.workbook import Workspace
from rupture_widgets.apps.identity import trainee_from_environment
clip = load_catalog().clips[0]
ws = Workspace()
wb = ws.workbook(trainee_from_environment())
rec = wb.start_recording(clip_id=clip.id, marker=clip.marker, level=clip.level)
data = base64.b64decode({data!r})
for i in range(0, len(data), 65536):
    rec.append(memoryview(data)[i:i + 65536])
duration = rec.finalise()
a = wb.log_attempt(clip_id=clip.id, marker=clip.marker, level=clip.level,
                   attempt_id=rec.attempt_id, recording=rec.final_path, duration_s=duration)
open_exchange(ws).send(wb, a.id, reviewer={reviewer!r}, role={role!r})
print(a.id)
"""


def review_and_return(trainee: str, summary: str, attempt_id: str | None = None) -> str:
    """The reviewer's side through the review app's exchange: the queue, the review notebook
    (its recording downloaded and checked), a returned feedback record; prints the ids."""
    return f"""
from rupture_widgets.apps.identity import reviewer_from_environment
from rupture_widgets.exchange import open_exchange
from rupture_widgets.taxonomy import load_taxonomy
from rupture_widgets.workbook import Workspace
from rupture_widgets.workbook.records import feedback_record
me = reviewer_from_environment()
ex = open_exchange(Workspace())
sent = [s for s in ex.queue(me) if s.trainee_id == {trainee!r}
        and {attempt_id!r} in (None, s.attempt.id)][0]
review = ex.review_workbook(me, sent.trainee_id)
assert review.recording_path(sent.attempt.id).stat().st_size > 0
rec = feedback_record(load_taxonomy(), sent.attempt.id, reviewer=me, role=sent.role,
                      ratings={{}}, strategies=[], comments=[], summary={summary!r})
ex.return_feedback(me, sent.trainee_id, rec)
print(sent.attempt.id, rec["id"])
"""


COLLECT = """
from rupture_widgets.exchange import open_exchange
from rupture_widgets.workbook import Workspace
from rupture_widgets.apps.identity import trainee_from_environment
ws = Workspace()
wb = ws.workbook(trainee_from_environment())
ex = open_exchange(ws)
ex.collect(wb)
import json
print(json.dumps({a.id: [f.summary for f in wb.feedback(a.id)] for a in wb.attempts()}))
print(json.dumps(sorted(map(list, ex.statuses(wb.trainee_id).items()))))
"""


def try_files(paths: dict[str, str], write_dirs: dict[str, str]) -> str:
    """Read each file, list or write into each folder, as the kernel's own Unix user; prints
    {label: "reached" | the error} as JSON."""
    return f"""
import json, os
out = {{}}
for label, path in {paths!r}.items():
    try:
        if os.path.isdir(path):
            os.listdir(path)
        else:
            open(path, 'rb').read(16)
        out[label] = 'reached'
    except OSError as e:
        out[label] = type(e).__name__
for label, folder in {write_dirs!r}.items():
    try:
        with open(os.path.join(folder, 'planted-by-test.txt'), 'x') as f:
            f.write('x')
        out[label] = 'reached'
    except OSError as e:
        out[label] = type(e).__name__
print(json.dumps(out))
"""


def try_http_with_server_token(urls: dict[str, str]) -> str:
    """GET each URL with the kernel's own $JUPYTERHUB_API_TOKEN (the server's token, the one
    the apps use); prints {label: [status, first bytes of the body as text]} as JSON."""
    return f"""
import json, os, urllib.request, urllib.error
out = {{}}
for label, url in {urls!r}.items():
    req = urllib.request.Request(url, headers={{'Authorization': 'token ' + os.environ['JUPYTERHUB_API_TOKEN']}})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            out[label] = [r.status, r.read(200000).decode('latin-1')]
    except urllib.error.HTTPError as e:
        out[label] = [e.code, '']
print(json.dumps(out))
"""
