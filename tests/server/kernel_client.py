"""A kernel websocket client that speaks either protocol, and drives the practice app's widgets
over comms the way the page does (no browser): open a clip, record an answer, Stop. After Stop
the app plays the answer back, a comm message with a binary buffer."""
from __future__ import annotations

import json
import time
import uuid
from datetime import datetime, timezone

import websocket  # websocket-client, a jupyter_server dependency
from jupyter_server.services.kernels.connection.base import (deserialize_binary_message,
                                                              deserialize_msg_from_ws_v1,
                                                              serialize_binary_message,
                                                              serialize_msg_to_ws_v1)

V1 = "v1.kernel.websocket.jupyter.org"


class KernelClient:
    def __init__(self, base_url: str, kernel_id: str, protocol: str, **kw):
        self.session = uuid.uuid4().hex
        self.protocol = protocol
        url = (base_url.replace("http", "ws", 1).split("?")[0]
               + f"api/kernels/{kernel_id}/channels?session_id={self.session}")
        if protocol == "v1":
            kw["subprotocols"] = [V1]
        self.ws = websocket.create_connection(url, timeout=30, **kw)
        self.widgets: dict[str, dict] = {}

    def send(self, msg_type, content, buffers=(), channel="shell", metadata=None):
        header = {"msg_id": uuid.uuid4().hex, "username": "test", "session": self.session,
                  "msg_type": msg_type, "version": "5.3",
                  "date": datetime.now(timezone.utc).isoformat()}
        if self.protocol == "v1":
            parts = [json.dumps(x).encode() for x in (header, {}, metadata or {}, content)]
            self.ws.send_binary(serialize_msg_to_ws_v1(parts + [bytes(b) for b in buffers],
                                                       channel))
            return header["msg_id"]
        msg = {"header": header, "parent_header": {}, "metadata": metadata or {},
               "content": content, "channel": channel, "buffers": [bytes(b) for b in buffers]}
        if buffers:
            self.ws.send_binary(serialize_binary_message(msg))
        else:
            msg.pop("buffers")
            self.ws.send(json.dumps(msg))
        return header["msg_id"]

    def recv(self, timeout: float) -> dict:
        self.ws.settimeout(timeout)
        op, data = self.ws.recv_data()
        if self.protocol == "v1":
            channel, parts = deserialize_msg_from_ws_v1(data)
            msg = {k: json.loads(parts[i]) for i, k in
                   enumerate(("header", "parent_header", "metadata", "content"))}
            msg["buffers"], msg["channel"] = parts[4:], channel
        elif op == websocket.ABNF.OPCODE_BINARY:
            msg = deserialize_binary_message(data)
        else:
            msg = json.loads(data)
            msg["buffers"] = []
        msg["msg_type"] = msg["header"]["msg_type"]
        return msg

    def wait_for(self, pred, timeout: float) -> dict | None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                m = self.recv(max(0.1, deadline - time.monotonic()))
            except websocket.WebSocketTimeoutException:
                return None
            if m["msg_type"] == "comm_open":  # every widget the page would show, by comm id
                self.widgets[m["content"]["comm_id"]] = m["content"]["data"].get("state", {})
            if pred(m):
                return m
        return None

    def kernel_info(self) -> str:
        msg_id = self.send("kernel_info_request", {})
        reply = self.wait_for(lambda m: m["msg_type"] == "kernel_info_reply"
                              and m["parent_header"].get("msg_id") == msg_id, 30)
        assert reply, "no kernel_info_reply"
        return reply["content"]["status"]

    def comm_msg(self, comm_id: str, data: dict, buffers=()) -> None:
        self.send("comm_msg", {"comm_id": comm_id, "data": data}, buffers)

    def record_an_answer(self, answer: bytes) -> None:
        """Open the first clip, stream ``answer`` into its Recorder, Stop."""
        control = uuid.uuid4().hex
        self.send("comm_open", {"comm_id": control, "target_name": "jupyter.widget.control",
                                "data": {}}, metadata={"version": "1.0.0"})
        self.comm_msg(control, {"method": "request_states"})
        m = self.wait_for(lambda m: m["msg_type"] == "comm_msg"
                          and m["content"]["data"].get("method") == "update_states", 30)
        # the library is one ClipGrid: "Practise" on a card sends the kernel a pick
        grid, state = next((k, v["state"]) for k, v in m["content"]["data"]["states"].items()
                           if "sections" in v["state"] and "recommended" in v["state"])
        first = next(c["id"] for sec in state["sections"] for c in sec["cards"])
        self.comm_msg(grid, {"method": "custom", "content": {"kind": "pick", "clip": first}})
        rec = self.wait_for(lambda m: m["msg_type"] == "comm_open"
                            and "max_seconds" in m["content"]["data"].get("state", {}), 60)
        rec_id = rec["content"]["comm_id"]
        chunks = [answer[i:i + 65536] for i in range(0, len(answer), 65536)]

        def say(content, buffers=()):
            self.comm_msg(rec_id, {"method": "custom", "content": {**content, "view": "t"}},
                          buffers)
        say({"kind": "start", "mime_type": "video/webm", "started_at_ms": time.time() * 1000})
        for i, chunk in enumerate(chunks):
            say({"kind": "chunk", "seq": i}, [chunk])
        say({"kind": "stop", "elapsed_ms": 2000, "reason": "user", "chunks": len(chunks),
             "speech_onset_ms": None, "speaking_ms": None})

    def close(self) -> None:
        self.ws.close()
