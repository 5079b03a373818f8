"""What the exchange service and its client say to each other (service.py, hub.py): the routes'
JSON, one function per direction, so the two sides cannot drift apart.

Recordings travel apart from the JSON, in chunks of at most ``CHUNK_BYTES``, each put at an
offset the service checks, and the whole file's SHA-256 is compared before it is used
(uploads.py). Downloads carry their SHA-256 in ``CHECKSUM_HEADER``.
"""
from __future__ import annotations

from . import Sent, Withdrawal
from ..workbook import Attempt

#: One request's worth of a recording: small enough for any proxy's body limit, large enough
#: that a 2-minute answer (~20 MB) is a handful of requests.
CHUNK_BYTES = 4 * 1024 * 1024
#: The largest recording the service takes (a programme may lower it: $RUPTURE_MAX_RECORDING_MB).
MAX_RECORDING_BYTES = 512 * 1024 * 1024
CHECKSUM_HEADER = "X-Rupture-SHA256"
#: The hub service's name; its routes are under /services/<name>/api/.
SERVICE_NAME = "rupture-exchange"


def sent_to_json(s: Sent) -> dict:
    return {"trainee_id": s.trainee_id, "reviewer_id": s.reviewer_id, "role": s.role,
            "attempt": s.attempt.to_record(), "sent_at": s.sent_at, "status": s.status}


def sent_from_json(d: dict) -> Sent:
    return Sent(d["trainee_id"], d["reviewer_id"], d["role"], Attempt.from_record(d["attempt"]),
                d["sent_at"], d["status"])


def withdrawal_to_json(w: Withdrawal) -> dict:
    return {"attempt_id": w.attempt_id, "withdrawn": list(w.withdrawn), "kept": list(w.kept)}


def withdrawal_from_json(d: dict) -> Withdrawal:
    return Withdrawal(d["attempt_id"], tuple(d["withdrawn"]), tuple(d["kept"]))


def statuses_to_json(statuses: dict[tuple[str, str], str]) -> list[list[str]]:
    return [[aid, reviewer, status] for (aid, reviewer), status in sorted(statuses.items())]


def statuses_from_json(rows: list) -> dict[tuple[str, str], str]:
    return {(aid, reviewer): status for aid, reviewer, status in rows}
