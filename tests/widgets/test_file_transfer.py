"""FileDownload / FileUpload, their Python side driven by simulated browser messages: a file
goes in pieces under the websocket's cap, a few at a time, and arrives whole or not at all."""
from __future__ import annotations

import io

import pytest

from rupture_widgets.widgets.file_transfer import PIECE_BYTES, WINDOW, FileDownload, FileUpload


def browser_says(widget, content, buffers=()):
    widget._handle_custom_msg(content, list(buffers))


def capture(widget):
    widget.sent = []
    widget.send = lambda content, buffers=None: widget.sent.append((content, buffers))
    return widget


def data_of(n: int) -> bytes:
    return bytes((i * 7 + i // 251) % 256 for i in range(n))


@pytest.mark.parametrize("size", [0, 10, PIECE_BYTES, 9 * PIECE_BYTES + 123])
def test_a_download_goes_in_pieces_each_sent_after_an_acknowledgement(size):
    down = capture(FileDownload(label="Download my work"))
    requested, saved = [], []
    down.on_request(lambda: requested.append(True))
    down.on_saved(lambda name, n: saved.append((name, n)))
    browser_says(down, {"kind": "request"})
    assert requested == [True]
    payload = data_of(size)
    source = io.BytesIO(payload)
    down.send_file("rupture-alex-2026-12-01.zip", source)
    begin = down.sent[0][0]
    pieces = max(1, -(-size // PIECE_BYTES))
    assert begin == {"kind": "begin", "id": begin["id"], "name": "rupture-alex-2026-12-01.zip",
                     "size": size, "pieces": pieces, "mime_type": "application/zip"}
    sent = [m for m in down.sent if m[0]["kind"] == "piece"]
    assert len(sent) == min(WINDOW, pieces)  # no more in flight than the window
    got, acked = {}, 0
    while acked < pieces:
        content, buffers = [m for m in down.sent if m[0]["kind"] == "piece"][acked]
        assert len(buffers) == 1 and len(buffers[0]) <= PIECE_BYTES
        got[content["index"]] = bytes(buffers[0])
        browser_says(down, {"kind": "ack", "id": begin["id"], "index": content["index"]})
        acked += 1
        in_flight = len([m for m in down.sent if m[0]["kind"] == "piece"]) - acked
        assert in_flight <= WINDOW
    assert b"".join(got[i] for i in range(pieces)) == payload
    assert not source.closed
    browser_says(down, {"kind": "saved", "id": begin["id"], "name": begin["name"], "size": size})
    assert saved == [("rupture-alex-2026-12-01.zip", size)] and source.closed


def test_an_old_transfer_is_cancelled_by_a_new_one_and_a_busy_button_asks_nothing():
    down = capture(FileDownload())
    requested, saved, failed = [], [], []
    down.on_request(lambda: requested.append(1))
    down.on_saved(lambda *a: saved.append(a))
    down.on_failed(failed.append)
    first = io.BytesIO(b"a" * 10)
    down.send_file("a.zip", first)
    old = down.sent[0][0]["id"]
    down.send_file("b.zip", io.BytesIO(b"b" * 10))
    assert first.closed
    browser_says(down, {"kind": "saved", "id": old, "size": 10})
    assert saved == []  # a message about the replaced transfer is ignored
    new = down.sent[-2][0]["id"]
    browser_says(down, {"kind": "failed", "id": new, "message": "3 of 10 bytes arrived"})
    assert failed == ["3 of 10 bytes arrived"]
    down.busy = True
    browser_says(down, {"kind": "request"})
    down.busy, down.disabled = False, True
    browser_says(down, {"kind": "request"})
    assert requested == []


def upload(up, payload: bytes, name="work.zip", upload_id="u1"):
    browser_says(up, {"kind": "begin", "id": upload_id, "name": name, "size": len(payload)})
    for i in range(0, max(1, -(-len(payload) // PIECE_BYTES))):
        piece = payload[i * PIECE_BYTES:(i + 1) * PIECE_BYTES]
        if piece:
            browser_says(up, {"kind": "piece", "id": upload_id, "index": i}, [memoryview(piece)])
    browser_says(up, {"kind": "end", "id": upload_id})


def test_an_upload_arrives_whole_in_a_temporary_file_removed_afterwards():
    up = capture(FileUpload(label="Restore my work", accept=".zip"))
    got = []
    up.on_received(lambda name, path: got.append((name, path, path.read_bytes())))
    payload = data_of(3 * PIECE_BYTES + 5)
    upload(up, payload)
    (name, path, data), = got
    assert name == "work.zip" and data == payload
    assert not path.exists() and not path.parent.exists()
    kinds = [m[0]["kind"] for m in up.sent]
    assert kinds == ["ack"] * 4 + ["received"]


def test_an_upload_cut_off_out_of_order_or_too_large_is_refused_in_plain_words():
    up = capture(FileUpload(max_bytes=2 * PIECE_BYTES))
    got, refused = [], []
    up.on_received(lambda *a: got.append(a))
    up.on_refused(refused.append)
    browser_says(up, {"kind": "begin", "id": "u1", "name": "big.zip", "size": 3 * PIECE_BYTES})
    assert "big.zip is 3 MB, more than the 2 MB this app takes in one file." == refused[-1]
    browser_says(up, {"kind": "begin", "id": "u2", "name": "cut.zip", "size": 100})
    browser_says(up, {"kind": "piece", "id": "u2", "index": 0}, [b"x" * 60])
    browser_says(up, {"kind": "end", "id": "u2"})
    assert refused[-1] == "cut.zip did not arrive whole (60 of 100 bytes); choose it again."
    browser_says(up, {"kind": "begin", "id": "u3", "name": "skip.zip", "size": 100})
    browser_says(up, {"kind": "piece", "id": "u3", "index": 1}, [b"x" * 50])
    assert "skip.zip did not arrive whole" in refused[-1]
    browser_says(up, {"kind": "begin", "id": "u4", "name": "long.zip", "size": 10})
    browser_says(up, {"kind": "piece", "id": "u4", "index": 0}, [b"x" * 11])
    assert "long.zip did not arrive whole" in refused[-1]
    browser_says(up, {"kind": "begin", "id": "u5", "name": "gone.zip", "size": 10})
    browser_says(up, {"kind": "unreadable", "id": "u5", "message": "NotFoundError: gone"})
    assert refused[-1] == ("gone.zip could not be read from your disk (NotFoundError: gone); "
                           "choose it again.")
    assert got == [] and [m[0]["kind"] for m in up.sent].count("refused") == 5
