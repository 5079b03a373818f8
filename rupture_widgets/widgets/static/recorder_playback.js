// Recorder, part 3 of 6: a recording played back through the kernel (recordings are never a
// public URL, docs/decisions.md #7). The kernel sends one piece at a time and waits for the
// browser's ack, so a long answer never queues up in the kernel or the websocket.

/**
 * @param {AnyModel} model
 * @param {string} viewId
 * @param {HTMLVideoElement} video
 * @param {HTMLElement} root  gets data-playback="loading" | "loaded"
 */
function createPlayback(model, viewId, video, root) {
  let url = null;
  let parts = [];
  let token = null;

  function show(whole, mime, label) {
    if (url) URL.revokeObjectURL(url);
    url = URL.createObjectURL(new Blob(whole, { type: mime }));
    video.srcObject = null;
    video.src = url;
    video.muted = false;
    video.controls = true;
    video.setAttribute("aria-label", label || "Your recorded answer");
    root.dataset.playback = "loaded";
  }

  return {
    /**
     * One "playback" message and its buffer. Shows the recording once the last piece is in,
     * unless ``busy()`` (never swap the preview out from under a running answer).
     */
    receive(msg, buffers, busy) {
      if (msg.part === 0) { parts = []; token = msg.token; root.dataset.playback = "loading"; }
      if (msg.token !== token) return; // a newer playback replaced this one
      parts.push(...buffers);
      if (msg.part < msg.parts - 1) { // ask for the next piece (the kernel ignores repeats)
        model.send({ kind: "playback-ack", part: msg.part, token: msg.token, view: viewId });
        return;
      }
      if (!busy()) show(parts, msg.mime_type, msg.label);
      parts = [];
    },
    /** Back to the camera: the played-back file is let go. */
    clear() {
      if (url) { URL.revokeObjectURL(url); url = null; }
    },
  };
}
