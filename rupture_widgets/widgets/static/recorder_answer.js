// Recorder, part 5 of 6: the answer just recorded, replayed from the browser at once after Stop.
//
// The browser already holds every chunk it sent, so nothing comes back from the kernel: the
// chunks become a Blob URL (never a server URL, docs/decisions.md #7). MediaRecorder's WebM has
// no Duration, so Chromium would show "Infinity" and could not seek; the first chunk's Info gets
// one (as the kernel's copy does, webm.py), measured by the page clock. If the header is not
// the expected shape, the old trick finds the length instead: seek far past the end once.

const EBML_ID = 0x1a45dfa3, SEGMENT_ID = 0x18538067, INFO_ID = 0x1549a966, CLUSTER_ID = 0x1f43b675;
const TIMECODE_SCALE_ID = 0x2ad7b1, DURATION_ID = 0x4489;

/** An EBML variable-length integer at ``pos``: the id keeps its marker bit, a size does not. */
function readVint(bytes, pos, isId) {
  const first = bytes[pos];
  if (first === undefined || first === 0) return null;
  const len = Math.clz32(first) - 23; // 1 to 8 bytes
  if (pos + len > bytes.length) return null;
  let value = isId ? first : first & (0xff >> len);
  let unknown = !isId && value === 0xff >> len;
  for (let i = 1; i < len; i++) {
    value = value * 256 + bytes[pos + i];
    unknown = unknown && bytes[pos + i] === 0xff;
  }
  return { value, len, unknown };
}

function elementAt(bytes, pos) {
  const id = readVint(bytes, pos, true);
  const size = id && readVint(bytes, pos + id.len, false);
  if (!size) return null;
  return { id: id.value, idLen: id.len, size: size.unknown ? -1 : size.value,
           data: pos + id.len + size.len };
}

/** ``first`` (the first chunk's bytes) with a Duration of ``ms`` in its Info, or null. */
function withDuration(first, ms) {
  const ebml = elementAt(first, 0);
  if (!ebml || ebml.id !== EBML_ID || ebml.size < 0) return null;
  const segment = elementAt(first, ebml.data + ebml.size);
  if (!segment || segment.id !== SEGMENT_ID || segment.size !== -1) return null; // must grow
  let pos = segment.data;
  for (let el = elementAt(first, pos); el && el.size >= 0; el = elementAt(first, pos)) {
    if (el.id === CLUSTER_ID || el.data + el.size > first.length) return null;
    if (el.id === INFO_ID) {
      let scale = 1e6, at = el.data;
      while (at < el.data + el.size) {
        const child = elementAt(first, at);
        if (!child || child.size < 0) return null;
        if (child.id === DURATION_ID) return null; // already there
        if (child.id === TIMECODE_SCALE_ID) {
          scale = 0;
          for (let i = 0; i < child.size; i++) scale = scale * 256 + first[child.data + i];
        }
        at = child.data + child.size;
      }
      const duration = new Uint8Array(11); // id 0x4489, size 8, float64 big-endian
      duration.set([0x44, 0x89, 0x88]);
      new DataView(duration.buffer).setFloat64(3, (ms * 1e6) / (scale || 1e6));
      const size = new Uint8Array(8); // the Info's new size as an 8-byte vint
      let n = el.size + duration.length;
      for (let i = 7; i > 0; i--) { size[i] = n % 256; n = Math.floor(n / 256); }
      size[0] = 0x01;
      const out = new Uint8Array(first.length + duration.length + 8 - (el.data - pos - el.idLen));
      let o = 0;
      const put = (b) => { out.set(b, o); o += b.length; };
      put(first.subarray(0, pos + el.idLen));
      put(size);
      put(first.subarray(el.data, el.data + el.size));
      put(duration);
      put(first.subarray(el.data + el.size));
      return out;
    }
    pos = el.data + el.size;
  }
  return null;
}

/**
 * @param {HTMLVideoElement} video
 * @param {HTMLElement} root  gets data-answer="local" while the answer is shown
 */
function createLocalAnswer(video, root) {
  let chunks = [];
  let url = null;
  let findLength = null; // the fallback's listener, while it runs

  function forget() {
    if (findLength) { video.removeEventListener("loadedmetadata", findLength); findLength = null; }
    if (url) { URL.revokeObjectURL(url); url = null; }
    delete root.dataset.answer;
  }

  return {
    /** A new answer starts: the last one's chunks are let go. */
    reset() { chunks = []; },
    /** @param {Blob} blob one MediaRecorder chunk, in order */
    keep(blob) { chunks.push(blob); },
    get empty() { return chunks.length === 0; },
    /** Show the answer with controls and sound; ``ms`` is its length by the page clock. */
    async show(ms, mimeType, label) {
      if (!chunks.length) return false;
      const mine = chunks;
      const first = new Uint8Array(await mine[0].arrayBuffer());
      if (mine !== chunks) return false; // a new answer started meanwhile
      const patched = withDuration(first, ms);
      const parts = patched ? [patched, ...mine.slice(1)] : mine;
      forget();
      url = URL.createObjectURL(new Blob(parts, { type: mimeType || mine[0].type || "video/webm" }));
      if (!patched) {
        findLength = () => {
          if (Number.isFinite(video.duration)) return;
          video.addEventListener("durationchange", () => { video.currentTime = 0; }, { once: true });
          video.currentTime = 1e101; // Chromium reads to the end and learns the length
        };
        video.addEventListener("loadedmetadata", findLength, { once: true });
      }
      video.srcObject = null;
      video.src = url;
      video.muted = false;
      video.controls = true;
      video.setAttribute("aria-label", label || "Your recorded answer");
      root.dataset.answer = "local";
      return true;
    },
    /** Back to the camera (the chunks are kept until the next answer starts). */
    clear: forget,
  };
}
