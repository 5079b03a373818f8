"""The WebM structure of a recording, read as its bytes arrive: no demuxer, no PyAV.

A WebM is EBML: elements of (ID, size, data). MediaRecorder writes the Segment and every Cluster
with "unknown" size (it cannot know them while streaming), so a Cluster ends where the next
top-level element begins; and its Info has no Duration, so players show no length and seek
badly. Two things here let a recording be finalised on Stop in a time that does not grow with
the answer's length (docs/decisions.md #1; figures in docs/benchmarks.md):

- ``with_duration_slot`` gives the first chunk's Info an 11-byte Void, exactly the length of a
  Duration element, before the chunk is written. On Stop the Void is overwritten in place by
  ``duration_element``: no copy of the answer is made.
- ``BlockScanner`` walks the clusters chunk by chunk while recording: how many whole audio and
  video blocks arrived, each track's last timestamp (hence the duration), and how many bytes fit
  no element at all (damage, which a demuxer skips without a word).
"""
from __future__ import annotations

import struct

EBML_ID = 0x1A45DFA3
SEGMENT_ID = 0x18538067
INFO_ID = 0x1549A966
CLUSTER_ID = 0x1F43B675
TIMECODE_SCALE_ID = 0x2AD7B1
DURATION_ID = 0x4489
VOID_ID = 0xEC
CLUSTER_TIMECODE_ID = 0xE7
SIMPLE_BLOCK_ID, BLOCK_GROUP_ID = 0xA3, 0xA0

_CLUSTER = CLUSTER_ID.to_bytes(4, "big")
#: IDs that end a Cluster of unknown size: the Segment's children (Cluster, Cues, Tags,
#: SeekHead, Info, Tracks, Attachments, Chapters) and a new Segment or EBML header.
_TOP_LEVEL = {CLUSTER_ID, 0x1C53BB6B, 0x1254C367, 0x114D9B74, INFO_ID, 0x1654AE6B,
              0x1941A469, 0x1043A770, SEGMENT_ID, EBML_ID}
#: What else may stand between clusters; any other ID there is damage, not an element to skip
#: (a skipped "size" read from damaged bytes could swallow the rest of the answer unseen).
_BETWEEN_CLUSTERS = _TOP_LEVEL | {VOID_ID, 0xBF}  # Void, CRC-32
#: What a Cluster holds: Timecode, SimpleBlock, BlockGroup, Position, PrevSize, SilentTracks,
#: EncryptedBlock, Void, CRC-32. Anything else ends it (and is then judged as above).
_IN_CLUSTER = {CLUSTER_TIMECODE_ID, SIMPLE_BLOCK_ID, BLOCK_GROUP_ID, 0xA7, 0xAB, 0x5854, 0xAF,
               VOID_ID, 0xBF}
_LONGEST_HEAD = 12  # a 4-byte ID and an 8-byte size
#: A Duration element (2-byte ID, 1-byte size, 8-byte float) and the Void that holds its place
#: (1-byte ID, 1-byte size, 9 zero bytes) have the same length, so one overwrites the other.
SLOT_LENGTH = 11
_VOID_SLOT = bytes([VOID_ID, 0x80 | 9]) + bytes(9)
#: Info is a few dozen bytes; a "size" beyond this is damage, not something to wait for.
_LARGEST_INFO = 64 * 1024
#: How long a track's last block lasts is not in the file; a pause (a muted track, a hidden
#: tab) must not stretch the duration, so it is taken as the track's last gap, at most this.
_LONGEST_FRAME_S = 0.1


def element_head(buf, pos: int = 0) -> tuple[int, int, int] | None:
    """(ID, size or -1 when unknown, data start) of the element at ``pos``; None if the bytes
    there are not an element header, or are cut off before its end."""
    first = buf[pos] if pos < len(buf) else 0
    id_len = 9 - first.bit_length()
    if not first or id_len > 4 or pos + id_len >= len(buf):
        return None
    element_id = int.from_bytes(buf[pos:pos + id_len], "big")
    size_pos = pos + id_len
    lead = buf[size_pos]
    size_len = 9 - lead.bit_length()
    if not lead or size_pos + size_len > len(buf):
        return None
    size = int.from_bytes(buf[size_pos:size_pos + size_len], "big") & ((1 << (7 * size_len)) - 1)
    if size == (1 << (7 * size_len)) - 1:
        size = -1
    return element_id, size, size_pos + size_len


def _size_vint(size: int) -> bytes:
    length = next(n for n in range(1, 9) if size < (1 << (7 * n)) - 1)
    return ((1 << (7 * length)) | size).to_bytes(length, "big")


def _children(data: bytes):
    """(ID, offset, size, data start) of each child element in a master element's data."""
    pos = 0
    while (head := element_head(data, pos)) is not None and head[1] >= 0:
        yield head[0], pos, head[1], head[2]
        pos = head[2] + head[1]


def duration_element(duration: float) -> bytes:
    """A Duration element (in TimecodeScale units): SLOT_LENGTH bytes, to overwrite the slot."""
    return DURATION_ID.to_bytes(2, "big") + bytes([0x88]) + struct.pack(">d", duration)


def with_duration_slot(first_chunk: bytes) -> bytes | None:
    """``first_chunk`` with a Void for the Duration added to its Info; None when the chunk is
    not the start of a streamed WebM with a whole Info that lacks a Duration.

    Only a Segment of unknown size (what MediaRecorder writes) can grow by SLOT_LENGTH bytes
    without its size being rewritten.
    """
    ebml = element_head(first_chunk)
    if ebml is None or ebml[0] != EBML_ID or ebml[1] < 0:
        return None
    segment = element_head(first_chunk, ebml[2] + ebml[1])
    if segment is None or segment[0] != SEGMENT_ID or segment[1] != -1:
        return None
    pos = segment[2]
    while (head := element_head(first_chunk, pos)) is not None and head[1] >= 0:
        element_id, size, data = head
        if element_id == CLUSTER_ID or data + size > len(first_chunk):
            return None
        if element_id == INFO_ID:
            children = first_chunk[data:data + size]
            if any(child[0] == DURATION_ID for child in _children(children)):
                return None
            id_bytes = first_chunk[pos:pos + 9 - first_chunk[pos].bit_length()]
            return (first_chunk[:pos] + id_bytes + _size_vint(size + SLOT_LENGTH) + children
                    + _VOID_SLOT + first_chunk[data + size:])
        pos = data + size
    return None


class BlockScanner:
    """Walks a WebM's clusters as its bytes are fed in, holding at most one unfinished element
    head (blocks themselves are passed over, not kept).

    After ``finish()``: ``blocks`` counts whole SimpleBlocks and BlockGroups; ``damaged`` the
    bytes that are not part of any readable element (a recording cut off mid-element is not
    damaged: only its last, partial block is missing); ``duration_slot`` is the file offset of
    the Info's Duration, or of the Void holding its place; ``duration_s()`` the duration.
    ``is_webm`` is False when the bytes do not start with an EBML header (then nothing is
    counted).
    """

    def __init__(self):
        self.blocks = 0
        self.damaged = 0
        self.duration_slot: int | None = None
        self.timecode_scale = 1_000_000  # nanoseconds per timecode unit, unless Info says
        self.is_webm: bool | None = None  # None until the EBML header has arrived
        self._buf = bytearray()  # bytes not walked yet; file offset of the first is self._at
        self._at = 0
        self._phase = "ebml"  # then "segment" (its head), then "body" (its children)
        self._hunting = False  # passing over damage, looking for the next Cluster
        self._skip = 0  # bytes of the current element still to pass over unread
        self._pending: tuple[int, int] | None = None  # (track, time) of the block passed over
        self._in_cluster = False
        self._cluster_end: int | None = None  # file offset; None for a Cluster of unknown size
        self._cluster_time = 0
        self._tracks: dict[int, tuple[int, int]] = {}  # track -> (previous, last) block time

    # -- public -----------------------------------------------------------------------------
    def feed(self, chunk) -> None:
        if self.is_webm is False:
            return
        chunk = memoryview(chunk)
        if self._skip:
            passed = min(self._skip, len(chunk))
            self._skip -= passed
            self._at += passed
            chunk = chunk[passed:]
            if self._skip:
                return
            self._block_done()
        self._buf += chunk
        self._walk(final=False)

    def finish(self) -> "BlockScanner":
        """No more bytes will come: an unfinished element is where the recording was cut."""
        if self.is_webm is not False and not self._skip:
            self._walk(final=True)
        self._buf.clear()
        return self

    def duration_s(self) -> float:
        """The end of the last block, in seconds from timestamp 0; 0.0 when there are none."""
        if not self._tracks:
            return 0.0
        scale = self.timecode_scale / 1e9
        longest = _LONGEST_FRAME_S / scale
        end = max(last + min(max(last - prev, 0), longest) for prev, last in self._tracks.values())
        return max(0.0, end * scale)

    # -- walking ----------------------------------------------------------------------------
    def _consume(self, n: int) -> None:
        del self._buf[:n]
        self._at += n

    def _pass_over(self, length: int) -> None:
        """Drop the next ``length`` bytes: those here now, the rest as they arrive."""
        have = len(self._buf)
        self._consume(min(length, have))
        if length > have:
            self._skip = length - have
        else:
            self._block_done()

    def _block_done(self) -> None:
        if self._pending is None:
            return
        self.blocks += 1
        track, time = self._pending
        self._pending = None
        if track:  # 0: a block that is counted but not timed (BlockGroup, odd SimpleBlock)
            self._tracks[track] = (self._tracks.get(track, (time, time))[1], time)

    def _walk(self, final: bool) -> None:
        """Walk as far as the bytes allow; each step consumes bytes, changes state or returns."""
        while self._buf and not self._skip:
            if len(self._buf) < _LONGEST_HEAD and not final:
                return  # the next head may be cut off: wait for more
            if self._hunting:
                if not self._resync(final):
                    return
            elif self._phase != "body":
                if not self._walk_header(final):
                    return
            elif self._in_cluster:
                if not self._walk_cluster_child(final):
                    return
            elif not self._walk_segment_child(final):
                return

    def _walk_header(self, final: bool) -> bool:
        head = element_head(self._buf)
        if self._phase == "ebml":
            if head is None or head[0] != EBML_ID or head[1] < 0:
                self.is_webm = False
                self._buf.clear()
                return False
            if head[2] + head[1] > len(self._buf):
                if final:
                    self.is_webm = False
                return False
            self.is_webm = True
            self._consume(head[2] + head[1])
            self._phase = "segment"
            return True
        self._phase = "body"
        if head is not None and head[0] == SEGMENT_ID:
            self._consume(head[2])
        else:
            self._hunting = True  # no Segment: whatever precedes the first Cluster is damage
        return True

    def _walk_segment_child(self, final: bool) -> bool:
        head = element_head(self._buf)
        if (head is None or head[0] not in _BETWEEN_CLUSTERS
                or (head[1] < 0 and head[0] != CLUSTER_ID)):
            if final and len(self._buf) < _LONGEST_HEAD:
                return False  # the head of the recording's last element, cut off
            return self._hunt()
        element_id, size, data = head
        if element_id == CLUSTER_ID:
            self._in_cluster = True
            self._cluster_end = None if size < 0 else self._at + data + size
            self._cluster_time = 0
            self._consume(data)
        elif element_id == INFO_ID and size <= _LARGEST_INFO:
            if data + size > len(self._buf):
                return False  # wait until Info is whole (or, at the end, it never will be)
            self._read_info(data, size)
            self._consume(data + size)
        else:  # Tracks, Cues, Tags, Void, SeekHead...: passed over whole
            self._pass_over(data + size)
        return True

    def _walk_cluster_child(self, final: bool) -> bool:
        buf = self._buf
        if self._cluster_end is not None and self._at >= self._cluster_end:
            self._in_cluster = False
            return True
        head = element_head(buf)
        if head is None or head[1] < 0 or head[0] not in _IN_CLUSTER:
            if final and head is None and len(buf) < _LONGEST_HEAD:
                return False  # cut off inside the last element's head
            self._in_cluster = False  # not a child: the Segment level decides what it is
            return True
        element_id, size, data = head
        if element_id == CLUSTER_TIMECODE_ID and size <= 8:  # larger: damage, not waited for
            if data + size > len(buf):
                return False
            self._cluster_time = int.from_bytes(buf[data:data + size], "big")
            self._consume(data + size)
            return True
        if element_id == SIMPLE_BLOCK_ID:
            track_len = 9 - buf[data].bit_length() if data < len(buf) and buf[data] else 0
            if data + track_len + 2 > len(buf):
                return False  # its track and time have not all arrived yet
            if 0 < track_len <= 8 and size >= track_len + 3:
                track = int.from_bytes(buf[data:data + track_len], "big") & (
                    (1 << (7 * track_len)) - 1)
                time = int.from_bytes(buf[data + track_len:data + track_len + 2], "big",
                                      signed=True)
                self._pending = (track, self._cluster_time + time)
            else:
                self._pending = (0, 0)
        elif element_id == BLOCK_GROUP_ID:
            self._pending = (0, 0)
        self._pass_over(data + size)
        return True

    def _hunt(self) -> bool:
        """The byte here begins no readable element: damage from here to the next Cluster."""
        self.damaged += 1
        self._consume(1)
        self._hunting = True
        return True

    def _resync(self, final: bool) -> bool:
        """Bytes that fit no element are damage, up to the next Cluster ID."""
        buf = self._buf
        found = buf.find(_CLUSTER)
        if found < 0:
            keep = 0 if final else len(_CLUSTER) - 1  # the next ID may begin in these bytes
            lost = max(0, len(buf) - keep)
            self.damaged += lost
            self._consume(lost)
            return False
        self.damaged += found
        self._consume(found)
        self._hunting = self._in_cluster = False
        return True

    def _read_info(self, data: int, size: int) -> None:
        info = bytes(self._buf[data:data + size])
        for child, offset, csize, cdata in _children(info):
            value = info[cdata:cdata + csize]
            if child == TIMECODE_SCALE_ID and csize:
                self.timecode_scale = int.from_bytes(value, "big") or 1_000_000
            elif child in (DURATION_ID, VOID_ID) and cdata + csize - offset == SLOT_LENGTH:
                if self.duration_slot is None or child == DURATION_ID:
                    self.duration_slot = self._at + data + offset


def scan_file(path) -> BlockScanner:
    """A scanner fed the whole file, not finished (more bytes may still be appended)."""
    scanner = BlockScanner()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            scanner.feed(chunk)
    return scanner
