// AnswerPlayer, part 1 of 2: a recording fed to the video piece by piece as it arrives, so a
// long answer starts playing after its first piece instead of after all of them.
//
// Media Source Extensions: the pieces are appended to a SourceBuffer in order (Chromium, Edge
// and Firefox play WebM VP8/VP9 + Opus this way). The object URL of a MediaSource is private to
// the page like a Blob URL (docs/decisions.md #7). Where MSE is missing, cannot take the codecs,
// or fails part-way (e.g. its buffer quota on a very long answer), the caller falls back to one
// Blob of every piece once the last has arrived (it keeps them for that).

/** The WebM's codecs from its Tracks (their CodecIDs are plain ASCII in the first piece). */
function webmCodecs(bytes) {
  const head = bytes.subarray(0, Math.min(bytes.length, 64 * 1024));
  const text = String.fromCharCode.apply(null, Array.from(head, (b) => (b < 128 ? b : 0)));
  const video = text.includes("V_VP9") ? "vp9" : text.includes("V_VP8") ? "vp8" : null;
  const audio = text.includes("A_OPUS") ? "opus" : text.includes("A_VORBIS") ? "vorbis" : null;
  if (!video && !audio) return null;
  const codecs = [video, audio].filter(Boolean).join(", ");
  return `${video ? "video" : "audio"}/webm; codecs="${codecs}"`;
}

/** The MSE type for this recording, or null when the browser cannot stream it. */
function streamType(mimeType, first) {
  if (typeof window.MediaSource === "undefined" || !/webm/.test(mimeType || "")) return null;
  const type = webmCodecs(first);
  return type && MediaSource.isTypeSupported(type) ? type : null;
}

/**
 * A MediaSource for ``video``: ``append`` pieces in order, then ``end``. ``onFail`` is called
 * once if the browser refuses a piece; nothing more is appended after that.
 * @param {string} type  from streamType()
 * @param {(err: any) => void} onFail
 */
function openStream(type, onFail) {
  const source = new MediaSource();
  const url = URL.createObjectURL(source);
  let buffer = null, ended = false, failed = false;
  const queue = [];

  function fail(err) {
    if (failed) return;
    failed = true;
    queue.length = 0;
    onFail(err);
  }
  function pump() {
    if (failed || !buffer || buffer.updating) return;
    if (queue.length) {
      try { buffer.appendBuffer(queue.shift()); } catch (err) { fail(err); }
    } else if (ended && source.readyState === "open") {
      try { source.endOfStream(); } catch (_) { /* ended already */ }
    }
  }
  source.addEventListener("sourceopen", () => {
    try { buffer = source.addSourceBuffer(type); } catch (err) { fail(err); return; }
    buffer.addEventListener("updateend", pump);
    buffer.addEventListener("error", () => fail(new Error("the browser refused a piece")));
    pump();
  }, { once: true });

  return {
    url,
    source,
    get failed() { return failed; },
    /** @param {ArrayBuffer|DataView} piece */
    append(piece) {
      if (failed) return;
      queue.push(piece instanceof DataView
        ? new Uint8Array(piece.buffer, piece.byteOffset, piece.byteLength) : piece);
      pump();
    },
    end() { ended = true; pump(); },
    /** Stop feeding (a newer file replaces this one). */
    close() { failed = true; queue.length = 0; URL.revokeObjectURL(url); },
  };
}
