"""Isolation, tried and counted (issue 15): every way bob could reach alice's workbook,
recordings, sent attempts or returned feedback, through his own server's kernel (Python file
access, as his Unix user), his server's and her server's HTTP routes, the hub's API with his
tokens, and the exchange service. Each route is tried by bob and must reach nothing; each has
a control, tried by the person it belongs to (or, for the exchange folder, which nobody but the
service may open, checked to exist by root), which must reach it, so the test can fail. A peer
sees only what was sent to them."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Callable

import pytest

import kernel_code as K
from hub_deployment import PREFIX
from webm_media import make_webm

WEBM_MAGIC = b"\x1a\x45\xdf\xa3"


@dataclass
class Route:
    kind: str
    name: str
    by_bob: Callable[[], bool]     # True: bob reached alice's data (must be False)
    control: Callable[[], bool]    # True: the rightful person reached it (must be True)


@pytest.fixture(scope="module")
def sent(users, tmp_path_factory):
    """alice sends three attempts: to the instructor (returned), to bob as a peer, and one to
    the instructor that she later withdraws; she collects the feedback."""
    alice, inst = users["alice"], users["instructor"]
    webm = make_webm(tmp_path_factory.mktemp("answer") / "a.webm").read_bytes()
    to_inst = alice.run(K.record_and_send(webm, "instructor")).strip()
    to_bob = alice.run(K.record_and_send(webm, "bob", role="peer")).strip()
    to_withdraw = alice.run(K.record_and_send(webm, "instructor")).strip()
    fid = inst.run(K.review_and_return("alice", "Private to alice.", to_inst)).split()[1]
    alice.run(K.COLLECT)
    return {"to_inst": to_inst, "to_bob": to_bob, "to_withdraw": to_withdraw, "fid": fid,
            "webm": webm}


def _reached(status: int, body: bytes, secret: bytes) -> bool:
    return status == 200 and secret in body


def routes(users, sent) -> list[Route]:
    alice, bob, inst = users["alice"], users["bob"], users["instructor"]
    a_ws = "/home/alice/rupture/trainees/alice"
    a_book, a_rec = f"{a_ws}/workbook.ipynb", f"{a_ws}/recordings/{sent['to_inst']}.webm"
    ex = PREFIX / "exchange"
    ex_files = {
        "exchange: alice's return": ex / f"returns/alice/{sent['fid']}.json",
        "exchange: instructor's inbox copy of her recording":
            ex / f"inbox/instructor/trainees/alice/recordings/{sent['to_inst']}.webm",
        "exchange: instructor's review notebook of alice":
            ex / "inbox/instructor/trainees/alice/workbook.ipynb",
        "exchange: alice's outbox": ex / "outbox/trainees/alice/workbook.ipynb",
        "exchange: the folder itself": ex,
    }
    out: list[Route] = []

    # -- 1. bob's kernel: Python file access, as the Unix user bob --------------------------
    own_files = {"alice's workbook": a_book, "alice's recording": a_rec,
                 "alice's recordings folder": f"{a_ws}/recordings", "alice's home": "/home/alice",
                 "instructor's mirror of alice's recording":
                     f"/home/instructor/rupture/reviews/trainees/alice/recordings/"
                     f"{sent['to_inst']}.webm"}
    writes = {"write into alice's workspace": a_ws,
              "write into the exchange's returns": str(ex / "returns/alice")}
    bob_files = json.loads(bob.run(K.try_files(
        {**own_files, **{k: str(v) for k, v in ex_files.items()}}, writes)))
    alice_files = json.loads(alice.run(K.try_files(
        {k: v for k, v in own_files.items() if "instructor" not in k},
        {"write into alice's workspace": a_ws})))
    inst_files = json.loads(inst.run(K.try_files(
        {"instructor's mirror of alice's recording":
         own_files["instructor's mirror of alice's recording"]}, {})))
    for label in own_files:
        control = inst_files if "instructor" in label else alice_files
        out.append(Route("kernel file access", label, lambda l=label: bob_files[l] == "reached",
                         lambda l=label, c=control: c[l] == "reached"))
    for label, path in ex_files.items():  # nobody's kernel opens these: the service's alone
        out.append(Route("kernel file access", label,
                         lambda l=label: bob_files[l] == "reached",
                         lambda p=path: p.exists()))
    out.append(Route("kernel file access", "write into alice's workspace",
                     lambda: bob_files["write into alice's workspace"] == "reached",
                     lambda: alice_files["write into alice's workspace"] == "reached"))
    out.append(Route("kernel file access", "write into the exchange's returns",
                     lambda: bob_files["write into the exchange's returns"] == "reached",
                     lambda: (ex / "returns/alice").is_dir()))

    # -- 2. HTTP routes of bob's own server: ../ and absolute paths --------------------------
    targets = {"workbook": (a_book, sent["to_inst"].encode()),
               "recording": (a_rec, WEBM_MAGIC),
               "exchange return": (str(ex_files["exchange: alice's return"]),
                                   sent["fid"].encode())}
    in_root = {"workbook": ("notebooks/practice.ipynb", b"practice_app"),
               "recording": ("clips/catalog.json", b"clips"),
               "exchange return": ("notebooks/review.ipynb", b"review_app")}
    # (the attack on bob's server, the same route on alice's server for a file it serves)
    shapes = {
        "files ../": ("/user/bob/files/../../../..{p}", "/user/alice/files/{r}"),
        "files %2e%2e": ("/user/bob/files/%2e%2e/%2e%2e/%2e%2e/%2e%2e{p}",
                         "/user/alice/files/{r}"),
        "files absolute (//)": ("/user/bob/files/{p}", "/user/alice/files/{r}"),
        "contents API ../": ("/user/bob/api/contents/../../../..{p}?content=1",
                             "/user/alice/api/contents/{r}?content=1"),
        "contents API %2F absolute": ("/user/bob/api/contents/{q}?content=1",
                                      "/user/alice/api/contents/{r}?content=1"),
        "Voilà files ../": ("/user/bob/voila/files/../../../..{p}",
                            "/user/alice/voila/files/clips/media/{poster}"),
        "Voilà files %2e%2e": ("/user/bob/voila/files/%2e%2e/%2e%2e/%2e%2e/%2e%2e{p}",
                               "/user/alice/voila/files/clips/media/{poster}"),
        "Voilà render absolute": ("/user/bob/voila/render/{q}",
                                  "/user/alice/voila/render/notebooks/practice.ipynb"),
    }
    poster = next((PREFIX / "app/clips/media").glob("*.jpg")).name
    for shape, (attack, live) in shapes.items():
        for what, (path, secret) in targets.items():
            if "render" in shape and what != "workbook":
                continue  # render takes notebooks only
            rel, rel_secret = in_root[what]
            if "Voilà" in shape:
                rel_secret = b"<html" if "render" in shape else b"\xff\xd8"  # page, JPEG
            url = attack.format(p=path, q=path.replace("/", "%2F"))
            ctl = live.format(r=rel, poster=poster)
            out.append(Route(
                "bob's server HTTP", f"{shape} -> alice's {what}",
                lambda url=url, s=secret: _reached(*bob.request("GET", url), s),
                lambda c=ctl, s=rel_secret: _reached(*alice.request("GET", c), s)))

    # -- 3. alice's server, with bob's token -------------------------------------------------
    for name, path, secret in [
            ("her contents API", "/user/alice/api/contents/notebooks", b"practice.ipynb"),
            ("her kernels API (code as alice)", "/user/alice/api/kernels", b"["),
            ("her Voilà practice app", "/user/alice/voila/render/notebooks/practice.ipynb",
             b"<html"),
            ("her files route", "/user/alice/files/notebooks/practice.ipynb", b"practice_app")]:
        out.append(Route("alice's server, bob's token", name,
                         lambda p=path, s=secret: _reached(*bob.request("GET", p), s),
                         lambda p=path, s=secret: _reached(*alice.request("GET", p), s)))
    out.append(Route("alice's server, bob's token", "start a kernel on her server",
                     lambda: bob.request("POST", "/user/alice/api/kernels", {})[0] == 201,
                     lambda: alice.request("GET", "/user/alice/api/kernels")[0] == 200))

    # -- 4. the hub's API with bob's token (his own, and his server's from his kernel) -------
    for name, method, path, ok in [
            ("alice's user model", "GET", "/hub/api/users/alice", 200),
            ("alice's tokens", "GET", "/hub/api/users/alice/tokens", 200),
            ("a new token for alice", "POST", "/hub/api/users/alice/tokens", 201)]:
        body = {"note": "t", "expires_in": 60} if method == "POST" else None
        out.append(Route("hub API, bob's token", name,
                         lambda m=method, p=path, b=body, o=ok: bob.request(m, p, b)[0] == o,
                         lambda m=method, p=path, b=body, o=ok: alice.request(m, p, b)[0] == o))
    kernel_urls = {"alice's user model": f"{bob.base}/hub/api/users/alice",
                   "alice's server contents": f"{bob.base}/user/alice/api/contents/notebooks",
                   "exchange: alice's returns": f"{bob.base}/services/rupture-exchange/api/"
                                                 "returns",
                   "exchange: instructor's queue": f"{bob.base}/services/rupture-exchange/api/"
                                                    "queue"}
    bob_k = json.loads(bob.run(K.try_http_with_server_token(kernel_urls)))
    alice_k = json.loads(alice.run(K.try_http_with_server_token(
        {"exchange: alice's returns": kernel_urls["exchange: alice's returns"]})))
    out.append(Route("bob's kernel, his server's token", "alice's user model",
                     lambda: bob_k["alice's user model"][0] == 200,
                     lambda: alice.request("GET", "/hub/api/users/alice")[0] == 200))
    out.append(Route("bob's kernel, his server's token", "alice's server contents",
                     lambda: bob_k["alice's server contents"][0] == 200,
                     lambda: alice.request("GET", "/user/alice/api/contents/notebooks")[0]
                     == 200))
    out.append(Route("bob's kernel, his server's token", "exchange: alice's returns",
                     lambda: sent["fid"] in bob_k["exchange: alice's returns"][1],
                     lambda: sent["fid"] in alice_k["exchange: alice's returns"][1]))
    out.append(Route("bob's kernel, his server's token", "exchange: instructor's queue",
                     lambda: sent["to_inst"] in bob_k["exchange: instructor's queue"][1],
                     lambda: sent["to_inst"] in inst.request(
                         "GET", "/services/rupture-exchange/api/queue")[1].decode()))

    # -- 5. the exchange service with bob's token ---------------------------------------------
    api = "/services/rupture-exchange/api/"

    def has(user, method, route, secret, body=None):
        status, got = user.request(method, api + route, body)
        return status == 200 and secret.encode() in got

    fb = {"id": "forged1", "attempt_id": sent["to_inst"], "reviewer": "bob", "role": "peer",
          "created_at": "2026-12-01T00:00:00Z", "ratings": {}, "strategies": [],
          "comments": [], "summary": "forged"}
    for name, method, route, secret, body, owner in [
            ("alice's returns", "GET", "returns", sent["fid"], None, alice),
            ("alice's statuses", "GET", "statuses", sent["to_inst"], None, alice),
            ("the instructor's inbox (queue)", "GET", "queue?reviewer=instructor",
             sent["to_inst"], None, inst),
            ("the instructor's review of alice", "GET", "review/alice", sent["to_inst"], None,
             inst),
            ("the recording sent to the instructor", "GET",
             f"review/alice/{sent['to_inst']}/recording", "", None, inst)]:
        out.append(Route("exchange service, bob's token", name,
                         lambda m=method, r=route, s=secret, b=body: has(bob, m, r, s, b),
                         lambda m=method, r=route, s=secret, b=body, o=owner:
                         has(o, m, r, s, b)))
    out.append(Route(
        "exchange service, bob's token", "return feedback on an attempt not sent to him",
        lambda: bob.request("POST", api + "review/alice/returns", {"feedback": fb})[0] == 200,
        lambda: inst.request("POST", api + "review/alice/drafts", {"feedback": {
            **fb, "id": "draft1", "reviewer": "instructor", "role": "instructor"}})[0] == 200))
    out.append(Route(
        "exchange service, bob's token", "feedback signed as the instructor",
        lambda: bob.request("POST", api + "review/alice/returns", {"feedback": {
            **fb, "attempt_id": sent["to_bob"], "reviewer": "instructor"}})[0] == 200,
        lambda: bob.request("POST", api + "review/alice/drafts", {"feedback": {
            **fb, "id": "peerdraft", "attempt_id": sent["to_bob"]}})[0] == 200))
    out.append(Route(
        "exchange service, bob's token", "withdraw alice's attempt",
        lambda: bool(json.loads(bob.request("POST", api + "withdraw", {
            "attempt_id": sent["to_withdraw"]})[1] or b"{}").get("withdrawn")),
        lambda: json.loads(alice.request("POST", api + "withdraw", {
            "attempt_id": sent["to_withdraw"]})[1]).get("withdrawn") == ["instructor"]))
    out.append(Route("exchange service, bob's token", "send as alice",
                     # reached if it went to her folder, or the copy says it is hers
                     lambda: "alice" in _send_as(bob, sent, claim="alice"),
                     lambda: _send_as(alice, sent, claim="alice") == ("alice", "alice")))
    out.append(Route("exchange service, no token", "alice's returns",
                     lambda: bob.request("GET", api + "returns", token="-")[0] == 200,
                     lambda: alice.request("GET", api + "returns")[0] == 200))
    return out


def _send_as(user, sent, claim: str) -> tuple:
    """Send an attempt through the service's routes claiming to be ``claim``; whose outbox it
    went to (the service takes the caller from the token, never from the request)."""
    import hashlib

    api = "/services/rupture-exchange/api/"
    webm = sent["webm"]
    aid = f"forged{user.name}"
    status, body = user.request("POST", api + "uploads", {
        "attempt_id": aid, "size": len(webm), "sha256": hashlib.sha256(webm).hexdigest(),
        "trainee_id": claim})
    if status != 200:
        return ()
    upload = json.loads(body)["upload"]
    user.request("PUT", api + f"uploads/{upload}?offset=0", raw=webm)
    record = {"id": aid, "trainee_id": claim, "clip_id": "c1-advanced-daniel", "marker": "W1",
              "level": "beginner", "created_at": "2026-12-01T00:00:00Z",
              "recording": f"recordings/{aid}.webm", "status": "complete", "duration_s": 3.0,
              "latency_s": None, "speaking_s": None, "self_assessment": None, "sent_to": []}
    status, body = user.request("POST", api + "sent", {
        "attempt": record, "upload": upload, "reviewer": "instructor", "role": "instructor",
        "trainee_id": claim})
    if status != 200:
        return ()
    got = json.loads(body)  # whose folder it went to, and whose the record says it is
    return (got["trainee_id"], got["attempt"]["trainee_id"])


def test_bob_reaches_nothing_of_alice_and_each_route_is_live(users, sent):
    tried = routes(users, sent)
    rows, reached, dead = [], [], []
    for r in tried:
        by_bob, control = r.by_bob(), r.control()
        rows.append(f"{'REACHED' if by_bob else 'refused':8} | control "
                    f"{'ok' if control else 'FAILED':6} | {r.kind}: {r.name}")
        if by_bob:
            reached.append(r)
        if not control:
            dead.append(r)
    print(f"\n{len(tried)} routes tried, {len(reached)} reachable by bob:\n" + "\n".join(rows))
    assert not dead, "controls that failed (the route is not live, so proves nothing): " + \
        ", ".join(f"{r.kind}: {r.name}" for r in dead)
    assert not reached, "bob reached: " + ", ".join(f"{r.kind}: {r.name}" for r in reached)
    assert len(tried) >= 40


def test_a_peer_sees_only_what_was_sent_to_them(users, sent):
    bob = users["bob"]
    api = "/services/rupture-exchange/api/"
    status, body = bob.request("GET", api + "queue")
    queue = json.loads(body)
    assert status == 200
    assert [q["attempt"]["id"] for q in queue] == [sent["to_bob"]]
    status, body = bob.request("GET", api + "review/alice")
    assert [a["record"]["id"] for a in json.loads(body)["attempts"]] == [sent["to_bob"]]
    status, body = bob.request("GET", api + f"review/alice/{sent['to_bob']}/recording")
    # byte for byte the recording in alice's workbook (the store gave it its Duration)
    mine = f"/home/alice/rupture/trainees/alice/recordings/{sent['to_bob']}.webm"
    assert status == 200 and body == open(mine, "rb").read()


def test_kernels_talk_over_sockets_in_their_owners_folder_not_ports(users):
    """Every user's server starts its kernels with the ipc transport: their channels are Unix
    sockets in the owner's runtime folder (0700, in a 0700 home), not loopback ports that any
    user of the machine can connect to (the key still guards a port, but a socket cannot even
    be reached), and no two servers' kernels can race for the same port: with tcp, one of 12
    pages at 6 trainees at once never loaded (bench/hub_load.py: "Address already in use")."""
    code = ("import json, os; from ipykernel.connect import get_connection_info; "
            "info = json.loads(get_connection_info()); "
            "folder = os.path.dirname(info['ip']) if info['transport'] == 'ipc' else None; "
            "print(info['transport'], folder and oct(os.stat(folder).st_mode & 0o777), "
            "bool(folder) and folder.startswith(os.path.expanduser('~') + '/'))")
    for name in ("alice", "bob"):
        assert users[name].run(code).split() == ["ipc", "0o700", "True"], name
