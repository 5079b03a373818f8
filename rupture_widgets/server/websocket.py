"""Kernel websockets: only clients that speak the v1 kernel protocol.

Why (found in Voilà 0.5.13, `voila/tornado/kernel_websocket_handler.py`): Voilà's
``write_message`` reads the header of every binary frame in the v1 layout (an 8-byte
little-endian count of offsets), whatever protocol the client chose. A client that connects
without the ``v1.kernel.websocket.jupyter.org`` subprotocol gets jupyter_server's legacy binary
layout (a 4-byte big-endian count), so for a message with one buffer Voilà reads a count of
~8.6e17 and loops on it with the event loop blocked: memory grew ~25 MB/s and every other page
and clip froze (measured; the Recorder's playback sends such messages). jupyter_server's
``kernel_ws_protocol`` setting cannot refuse a client, but the connection's ``prepare`` runs
before the websocket upgrade, so a client that does not offer v1 is refused there. Every
browser page Voilà or JupyterLab serves offers v1.
"""
from __future__ import annotations

from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection
from tornado import web

V1 = "v1.kernel.websocket.jupyter.org"


class V1OnlyWebsocketConnection(ZMQChannelsWebsocketConnection):
    """Refuse (HTTP 400) a kernel websocket that does not negotiate the v1 protocol."""

    async def prepare(self):
        handler = self.websocket_handler
        offered = [p.strip() for p in handler.request.headers.get("Sec-WebSocket-Protocol", "")
                   .split(",") if p.strip()]
        if handler.select_subprotocol(offered) != V1:
            self.log.warning("Refusing a kernel websocket without the %s subprotocol "
                             "(offered: %r)", V1, offered)
            handler.set_status(400)
            handler.set_header("Content-Type", "text/plain; charset=UTF-8")
            # web.Finish, not HTTPError: Voilà's app has no static_path, and its write_error
            # crashes on this handler.
            raise web.Finish(f"This server requires the {V1} websocket subprotocol.\n")
        await super().prepare()
