"""The exchange as a JupyterHub-managed service (docs/decisions.md #36, docs/hub.md).

The service alone owns the exchange folder (a ``FolderExchange`` tree, 0700, as its own Unix
user); trainees' and reviewers' servers reach it only through these routes, each authorised
by the caller's hub token (access.py). ``python -m rupture_widgets.exchange.service`` is the
command a hub runs it with (deploy/local/jupyterhub_config.py); it reads the hub's usual
service environment ($JUPYTERHUB_API_TOKEN, $JUPYTERHUB_API_URL, $JUPYTERHUB_SERVICE_URL,
$JUPYTERHUB_SERVICE_PREFIX) and $RUPTURE_EXCHANGE_ROOT, $RUPTURE_REVIEWER_GROUPS,
$RUPTURE_MAX_RECORDING_MB.

Routes, under ``<prefix>api/``; a trainee's, a reviewer's, or anyone's:

    GET  whoami                           the caller and the review roles they hold
    POST uploads                          a recording is coming: attempt id, size, SHA-256
    PUT  uploads/<id>?offset=N            one chunk of it
    POST sent                             send: the attempt record + its finished upload
    GET  statuses | returns               the caller's own, as a trainee
    POST withdraw                         the caller takes back one of their attempts
    GET  queue                            what was sent to the caller, as a reviewer
    GET  review/<trainee>                 the caller's review notebook of that trainee
    GET  review/<trainee>/<attempt>/recording
    POST review/<trainee>/drafts | returns   a feedback record on an attempt sent to the caller
"""
from __future__ import annotations

import asyncio
import json
import logging
import os
from pathlib import Path
from urllib.parse import urlparse

from tornado import web

from ..errors import ExchangeRefused, RuptureError, UnknownAttempt
from ..storage import file_sha256, parse_json
from ..workbook import Workspace, check_record_id, check_trainee_id, paths
from . import wire
from .access import Caller, Directory, caller_from_model, role_groups
from .folder import INBOX, FolderExchange, returned_envelopes
from .uploads import Uploads

log = logging.getLogger("rupture.exchange.service")
OUTBOX = "outbox"  # <exchange>/outbox/trainees/<trainee>/: what each trainee has sent, kept
MAX_JSON_BYTES = 2 * 1024 * 1024


class Exchange:
    """The folder, its uploads and the trainees' outboxes: the service's state."""

    def __init__(self, root: Path, max_bytes: int):
        root = Path(root)
        root.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(root, 0o700)  # nobody but the service's own user, whatever made it
        self.folder = FolderExchange(root)
        self.uploads = Uploads(self.folder.root, max_bytes)
        self.outbox = Workspace(self.folder.root / OUTBOX)

    def inbox(self, reviewer: str) -> Workspace:
        return Workspace(self.folder.root / INBOX / reviewer)

    def review(self, caller: Caller, trainee: str):
        """The caller's review notebook of ``trainee``, only if that trainee sent them
        something (a reviewer cannot open, or create, a review of anyone else)."""
        trainee = check_trainee_id(trainee)
        if trainee not in self.inbox(caller.name).trainees():
            raise ExchangeRefused.answered(404, f"{trainee} has sent you nothing.")
        return self.folder.review_workbook(caller.name, trainee)


class Handler(web.RequestHandler):
    """Every route: the caller from their hub token first (403 without one), errors as JSON."""

    caller: Caller

    def initialize(self, exchange: Exchange, auth, directory: Directory):
        self.exchange, self.auth, self.directory = exchange, auth, directory

    async def prepare(self):
        header = self.request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        # a token in the URL is refused: it would end up in logs and browser history
        model = None
        if scheme.lower() in ("token", "bearer") and token.strip():
            model = await self.auth.user_for_token(token.strip(), sync=False)
        if model is None:
            raise ExchangeRefused.answered(403, "Sign in to the hub first (no valid token).")
        if not self.auth.check_scopes(self.auth.access_scopes, model):
            raise ExchangeRefused.answered(
                403, "This token may not use the exchange (it lacks access to the "
                     f"{wire.SERVICE_NAME} service); ask the administrator.")
        self.caller = caller_from_model(model)

    def body_json(self) -> dict:
        if len(self.request.body) > MAX_JSON_BYTES:
            raise ExchangeRefused.answered(413, "The request is too large.")
        try:
            body = parse_json(self.request.body)
        except ValueError as e:
            raise ExchangeRefused.answered(400, f"The request is not valid JSON: {e}") from None
        if not isinstance(body, dict):
            raise ExchangeRefused.answered(400, "The request should be a JSON object.")
        return body

    def reply(self, data) -> None:
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps(data, ensure_ascii=False))

    async def run(self, fn, *args):
        """File work off the event loop, so one slow disk does not stall every request."""
        return await asyncio.get_running_loop().run_in_executor(None, fn, *args)

    def write_error(self, status_code, **kwargs):
        e = kwargs.get("exc_info", (None, None))[1]
        message = str(e) if isinstance(e, RuptureError) else self._reason
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps({"message": message}))

    def log_exception(self, typ, value, tb):
        if isinstance(value, RuptureError):
            log.info("%s %s by %s: %s", self.request.method, self.request.path,
                     getattr(self, "caller", None), value)
            return
        super().log_exception(typ, value, tb)

    def send_error(self, status_code=500, **kwargs):
        e = kwargs.get("exc_info", (None, None))[1]
        if isinstance(e, ExchangeRefused):
            status_code = e.status
        elif isinstance(e, UnknownAttempt):
            status_code = 404
        elif isinstance(e, RuptureError):
            status_code = 400
        super().send_error(status_code, **kwargs)


class WhoAmI(Handler):
    async def get(self):
        self.reply({"name": self.caller.name,
                    "roles": await self.directory.roles_of(self.caller.name)})


class StartUpload(Handler):
    async def post(self):
        b = self.body_json()
        upload = await self.run(self.exchange.uploads.start, self.caller.name,
                                b.get("attempt_id"), b.get("size"), b.get("sha256"))
        self.reply({"upload": upload})


class PutChunk(Handler):
    async def put(self, upload_id):
        if len(self.request.body) > wire.CHUNK_BYTES:
            raise ExchangeRefused.answered(413, "A chunk is at most 4 MiB.")
        try:
            offset = int(self.get_query_argument("offset"))
        except (ValueError, web.MissingArgumentError):
            raise ExchangeRefused.answered(400, "A chunk needs its offset.") from None
        got = await self.run(self.exchange.uploads.put, self.caller.name, upload_id, offset,
                             self.request.body)
        self.reply({"received": got})


class Send(Handler):
    async def post(self):
        b = self.body_json()
        role = b.get("role")
        rid = await self.directory.check_reviewer(b.get("reviewer", ""), role)
        if rid == self.caller.name:
            raise ExchangeRefused.answered(400, "You cannot send an attempt to yourself.")
        sent = await self.run(self._send, b, rid, role)
        self.reply(wire.sent_to_json(sent))

    def _send(self, b: dict, rid: str, role: str):
        record = b.get("attempt")
        if not isinstance(record, dict):
            raise ExchangeRefused.answered(400, "A send needs the attempt's record.")
        aid = check_record_id(record.get("id"))
        ex = self.exchange
        part = ex.uploads.finish(self.caller.name, b.get("upload"), aid)
        # the trainee's outbox: a workbook of what they sent, the source every send links from
        outbox = ex.outbox.workbook(self.caller.name)
        outbox.recordings_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        target = paths.recording_file(outbox.recordings_dir, aid)
        os.replace(part, target)
        ex.uploads.discard(self.caller.name, b["upload"])
        # whose it is comes from the token, never from the record the caller sent
        copy = {**record, "trainee_id": self.caller.name,
                "recording": target.relative_to(outbox.dir).as_posix(), "sent_to": []}
        outbox.put_attempt(copy)
        name = b.get("display_name")
        if isinstance(name, str) and name.strip() and name != self.caller.name:
            outbox.set_display_name(name)
        return ex.folder.send(outbox, aid, reviewer=rid, role=role)


class Statuses(Handler):
    async def get(self):
        rows = await self.run(self.exchange.folder.statuses, self.caller.name)
        self.reply(wire.statuses_to_json(rows))


class Returns(Handler):
    async def get(self):
        folder = self.exchange.folder.root / "returns" / self.caller.name
        self.reply(await self.run(returned_envelopes, folder))


class Withdraw(Handler):
    async def post(self):
        aid = check_record_id(self.body_json().get("attempt_id"))
        self.reply(wire.withdrawal_to_json(await self.run(self._withdraw, aid)))

    def _withdraw(self, aid: str):
        from . import Withdrawal

        outbox = self.exchange.outbox.workbook(self.caller.name)
        if self.caller.name not in self.exchange.outbox.trainees():
            return Withdrawal(aid)
        try:
            outbox.attempt(aid)
        except UnknownAttempt:
            if not outbox.was_deleted(aid):
                return Withdrawal(aid)  # never sent: nothing anywhere to take back
        withdrawal = self.exchange.folder.withdraw(outbox, aid)
        if not outbox.was_deleted(aid):
            outbox.delete_attempt(aid)  # the service keeps no copy the trainee took back
        return withdrawal


class Queue(Handler):
    async def get(self):
        items = await self.run(self.exchange.folder.queue, self.caller.name)
        self.reply([wire.sent_to_json(s) for s in items])


class Review(Handler):
    async def get(self, trainee):
        self.reply(await self.run(self._listing, trainee))

    def _listing(self, trainee: str) -> dict:
        review = self.exchange.review(self.caller, trainee)
        attempts = []
        for a in review.attempts():
            path = review.recording_path(a.id)
            attempts.append({"record": a.to_record(),
                             "sha256": file_sha256(path) if path else None,
                             "size": path.stat().st_size if path else None})
        mine = {a["record"]["id"]: [f.to_record() for f in review.feedback(a["record"]["id"])
                                    if f.reviewer == self.caller.name and f.role != "notebook"]
                for a in attempts}
        return {"display_name": review.display_name, "attempts": attempts, "feedback": mine}


class Recording(Handler):
    async def get(self, trainee, attempt_id):
        path = await self.run(self._path, trainee, attempt_id)
        self.set_header("Content-Type", "video/webm")
        self.set_header(wire.CHECKSUM_HEADER, await self.run(file_sha256, path))
        self.set_header("Content-Length", str(path.stat().st_size))
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                self.write(block)
                await self.flush()
        self.finish()

    def _path(self, trainee, attempt_id):
        review = self.exchange.review(self.caller, trainee)
        path = review.recording_path(check_record_id(attempt_id))
        if path is None:
            raise ExchangeRefused.answered(404, "That attempt has no recording.")
        return path


class Feedback(Handler):
    async def post(self, trainee, verb):
        rec = self.body_json().get("feedback")
        self.reply((await self.run(self._put, trainee, verb, rec)).to_record())

    def _put(self, trainee, verb, rec):
        if not isinstance(rec, dict):
            raise ExchangeRefused.answered(400, "A feedback record is needed.")
        if rec.get("reviewer") != self.caller.name:
            raise ExchangeRefused.answered(
                403, f"You are signed in as {self.caller.name}: feedback is signed with your "
                     "own name.")
        review = self.exchange.review(self.caller, trainee)
        review.attempt(check_record_id(rec.get("attempt_id")))  # sent to this reviewer, or 404
        put = (self.exchange.folder.return_feedback if verb == "returns"
               else self.exchange.folder.save_draft)
        return put(self.caller.name, review.trainee_id, rec)


def make_app(exchange: Exchange, auth, directory: Directory, prefix: str) -> web.Application:
    kw = {"exchange": exchange, "auth": auth, "directory": directory}
    api = prefix.rstrip("/") + "/api/"
    part = r"([A-Za-z0-9][A-Za-z0-9._-]{0,63})"
    routes = [("whoami", WhoAmI), ("uploads", StartUpload), (r"uploads/([0-9a-f]{32})", PutChunk),
              ("sent", Send), ("statuses", Statuses), ("returns", Returns),
              ("withdraw", Withdraw), ("queue", Queue), (f"review/{part}", Review),
              (f"review/{part}/{part}/recording", Recording),
              (f"review/{part}/(drafts|returns)", Feedback)]
    return web.Application([(api + path, cls, kw) for path, cls in routes])


def main() -> None:
    from jupyterhub.services.auth import HubAuth
    from tornado.ioloop import IOLoop

    logging.basicConfig(level=logging.INFO, format="[rupture-exchange %(asctime)s] %(message)s")
    name = os.environ.get("JUPYTERHUB_SERVICE_NAME", wire.SERVICE_NAME)
    auth = HubAuth(cache_max_age=60)
    auth.access_scopes = {f"access:services!service={name}"}
    root = os.environ.get("RUPTURE_EXCHANGE_ROOT") or "exchange"
    mb = float(os.environ.get("RUPTURE_MAX_RECORDING_MB") or wire.MAX_RECORDING_BYTES / 2**20)
    exchange = Exchange(Path(root).resolve(), int(mb * 2**20))
    directory = Directory(auth.api_url, auth.api_token, role_groups())
    prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", f"/services/{name}/")
    bind = urlparse(os.environ.get("JUPYTERHUB_SERVICE_URL", "http://127.0.0.1:10101"))
    app = make_app(exchange, auth, directory, prefix)
    app.listen(bind.port or 80, bind.hostname or "127.0.0.1",
               max_body_size=wire.CHUNK_BYTES + 65536)
    log.info("exchange %s at %s%s, as uid %d", exchange.folder.root, bind.geturl(), prefix,
             os.getuid())
    IOLoop.current().start()


if __name__ == "__main__":
    main()
