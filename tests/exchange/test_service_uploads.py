"""The exchange service's parts that need no hub: recordings arriving in checked chunks
(exchange/uploads.py) and who may review in which role (exchange/access.py). The whole service
behind a real hub: tests/hub/."""
from __future__ import annotations

import asyncio
import hashlib

import pytest

from rupture_widgets.errors import ExchangeRefused
from rupture_widgets.exchange.access import Directory, caller_from_model, role_groups
from rupture_widgets.exchange.uploads import MAX_OPEN, Uploads

DATA = bytes(range(256)) * 40


@pytest.fixture
def uploads(tmp_path):
    return Uploads(tmp_path / "exchange", max_bytes=len(DATA) * 2)


def _start(uploads, data=DATA, trainee="alice", attempt="a1"):
    return uploads.start(trainee, attempt, len(data), hashlib.sha256(data).hexdigest())


def test_a_recording_arrives_in_chunks_and_is_checked(uploads):
    up = _start(uploads)
    assert uploads.put("alice", up, 0, DATA[:5000]) == 5000
    assert uploads.put("alice", up, 5000, DATA[5000:]) == len(DATA)
    assert uploads.finish("alice", up, "a1").read_bytes() == DATA


@pytest.mark.parametrize("case, status", [("gap", 409), ("past the end", 413),
                                          ("incomplete", 409), ("flipped byte", 422),
                                          ("another attempt", 400)])
def test_a_bad_upload_is_refused_and_never_used(uploads, case, status):
    up = _start(uploads)
    with pytest.raises(ExchangeRefused) as e:
        if case == "gap":
            uploads.put("alice", up, 10, DATA)
        elif case == "past the end":
            uploads.put("alice", up, 0, DATA + b"x")
        elif case == "incomplete":
            uploads.put("alice", up, 0, DATA[:100])
            uploads.finish("alice", up, "a1")
        elif case == "flipped byte":
            uploads.put("alice", up, 0, DATA[:-1] + b"\x00")
            uploads.finish("alice", up, "a1")
        else:
            uploads.put("alice", up, 0, DATA)
            uploads.finish("alice", up, "a2")
    assert e.value.status == status and str(e.value)


def test_too_large_a_recording_is_refused_before_a_byte_arrives(uploads):
    with pytest.raises(ExchangeRefused, match="Record a shorter answer") as e:
        uploads.start("alice", "a1", len(DATA) * 3, "0" * 64)
    assert e.value.status == 413


def test_an_upload_is_found_only_in_its_own_trainees_folder(uploads):
    up = _start(uploads)
    with pytest.raises(ExchangeRefused) as e:
        uploads.put("bob", up, 0, DATA)
    assert e.value.status == 404
    with pytest.raises(ExchangeRefused):
        uploads.put("alice", "../bob/" + up[:25], 0, DATA)  # not an upload id at all


def test_unfinished_uploads_cannot_pile_up(uploads):
    ids = [_start(uploads, attempt=f"a{i}") for i in range(MAX_OPEN + 5)]
    assert len(list((uploads.root / "uploads/alice").glob("*.part"))) <= MAX_OPEN
    uploads.put("alice", ids[-1], 0, DATA)  # the newest is kept


@pytest.mark.parametrize("model", [None, {"kind": "service", "name": "x"},
                                   {"kind": "user", "name": "../alice"},
                                   {"kind": "user", "name": "alice."}])
def test_only_a_hub_user_with_a_usable_name_is_a_caller(model):
    with pytest.raises(ExchangeRefused) as e:
        caller_from_model(model)
    assert e.value.status == 403


def test_review_roles_come_from_the_configured_hub_groups():
    assert role_groups("instructor=faculty") == {"instructor": "faculty",
                                                 "supervisor": "supervisors"}
    with pytest.raises(ValueError, match="role=group"):
        role_groups("instructor")

    class Hub(Directory):
        async def user(self, name):
            return {"sam": {"name": "sam", "groups": ["faculty"]},
                    "pat": {"name": "pat", "groups": []}}.get(name)

    d = Hub("http://hub/api", "t", role_groups("instructor=faculty"))
    def run(coro):  # a thread of its own: another test's Playwright may hold this loop
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(1) as pool:
            return pool.submit(asyncio.run, coro).result()
    assert run(d.check_reviewer("sam", "instructor")) == "sam"
    assert run(d.check_reviewer("pat", "peer")) == "pat"
    for name, role, status in [("pat", "instructor", 403), ("sam", "supervisor", 403),
                               ("nobody", "peer", 404)]:
        with pytest.raises(ExchangeRefused) as e:
            run(d.check_reviewer(name, role))
        assert e.value.status == status
