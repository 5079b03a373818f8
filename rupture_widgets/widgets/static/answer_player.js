// AnswerPlayer, part 2 of 2: one of the trainee's recordings, received through the kernel piece
// by piece (recordings are never a public URL, docs/decisions.md #7) and played as the pieces
// arrive (answer_stream.js), or from one Blob URL where the browser cannot stream it. It reports
// where the video is, and obeys seek / play / pause from Python. The only traffic is the
// widget's own comm: no fetch, no CDN.

/** @typedef {{get: Function, set: Function, save_changes: Function, send: Function,
 *             on: Function, off: Function}} AnyModel */

// Chromium fires timeupdate about every 250 ms while playing; reporting at most every 200 ms
// gives about 4 updates a second without flooding the kernel.
const REPORT_EVERY_MS = 200;
const DEFAULT_LABEL = "Your recorded answer";
// Events that let a page start sound (Safari and Firefox ask for one in the same call stack)
const GESTURES = ["pointerdown", "keydown", "click", "touchend"];

/** @param {{model: AnyModel, el: HTMLElement}} ctx */
function render({ model, el }) {
  // each view says who it is: pieces re-sent for a view shown later are addressed to it alone
  const viewId = Math.random().toString(36).slice(2);

  const root = document.createElement("div");
  root.className = "rw-answer-player";
  root.setAttribute("role", "group");
  root.dataset.state = "empty"; // empty, loading, playable (streaming still), loaded, error

  const video = document.createElement("video");
  video.className = "rw-answer-video";
  video.controls = true; // the browser's own controls are keyboard operable
  video.playsInline = true;
  video.preload = "auto";

  const status = document.createElement("p");
  status.className = "rw-answer-status";
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");

  root.append(video, status);
  el.appendChild(root);

  let url = null;          // the Blob URL playing now (revoked when replaced and on cleanup)
  let stream = null;       // the MediaSource being fed, when streaming
  let pieces = [];         // the pieces of the file being received (the fallback's Blob)
  let parts = 0;           // how many pieces the file has
  let complete = false;    // the last piece has arrived
  let mime = "video/webm";
  let token = null;        // which transfer they belong to
  let load = null;         // which load() in Python they are (said back in "loaded")
  let pendingSeek = null;  // a seek asked for before the file could be played
  let pendingPlay = false;
  let lastReport = 0;

  function setLabel() {
    const label = model.get("label") || DEFAULT_LABEL;
    video.setAttribute("aria-label", label);
    root.setAttribute("aria-label", label);
  }

  function setState(state, words) {
    root.dataset.state = state;
    status.textContent = words || "";
  }

  const ready = () => root.dataset.state === "loaded" || root.dataset.state === "playable";

  function clamp(seconds) {
    const s = Math.max(0, Number(seconds) || 0);
    return Number.isFinite(video.duration) ? Math.min(s, video.duration) : s;
  }

  function report(force) {
    if (!ready()) return; // nothing to say while loading (and not about the file replaced)
    const now = performance.now();
    if (!force && now - lastReport < REPORT_EVERY_MS) return;
    const at = video.currentTime;
    if (!Number.isFinite(at)) return;
    lastReport = now;
    model.set("current_time", at);
    model.set("playing", !video.paused && !video.ended);
    model.save_changes();
  }

  /** Play, and say so when the browser holds sound back (instead of sitting at 0:00). */
  function playNow() {
    video.play().then(() => { if (status.dataset.held) { status.textContent = ""; delete status.dataset.held; } })
      .catch((err) => {
        if (!err || err.name !== "NotAllowedError") return; // e.g. replaced by a newer file
        status.dataset.held = "1";
        status.textContent = "Your browser held the sound back: press Play (▶) to hear your answer.";
      });
  }

  // Safari and Firefox let a page start sound only from a person's gesture; a play() that
  // comes later through the kernel ("Play attempt N") is refused. A media element played once
  // inside a gesture may be played later, so the first gesture anywhere on the page does that.
  let unlocked = false;
  const unlock = (ev) => {
    if (unlocked || !ev.isTrusted) return;
    unlocked = true;
    for (const g of GESTURES) document.removeEventListener(g, unlock, true);
    if (!video.paused || video.ended) return; // an ended one would go back to 0:00
    const tried = video.play();
    video.pause();
    if (tried) tried.catch(() => {}); // aborted by the pause, as meant
  };
  for (const g of GESTURES) document.addEventListener(g, unlock, true);

  function useBlob() {
    const old = url;
    url = URL.createObjectURL(new Blob(pieces, { type: mime }));
    if (stream) { stream.close(); stream = null; }
    video.src = url; // replacing src first lets the old file go before its URL is revoked
    root.dataset.via = "file"; // played from one Blob of every piece (what tests can tell)
    if (old) URL.revokeObjectURL(old);
    if (root.dataset.state === "playable") setState("loading", "Loading your recording…");
  }

  function finished() {
    setState("loaded", "");
    model.send({ kind: "loaded", load, view: viewId,
                 duration: Number.isFinite(video.duration) ? video.duration : null });
  }

  function receive(msg, buffers) {
    if (msg.to && !msg.to.includes(viewId)) return; // re-sent for a view shown later
    if (msg.part === 0) {
      pieces = [];
      token = msg.token;
      load = msg.load;
      parts = msg.parts;
      complete = false;
      mime = msg.mime_type || "video/webm";
      pendingSeek = msg.start_at ?? null; // seeks asked for before this view got the file
      pendingPlay = false;
      setState("loading", "Loading your recording…");
      video.pause(); // the file it replaces stops (ready() is false: not reported)
      if (stream) { stream.close(); stream = null; }
      const first = buffers[0] ? new Uint8Array(buffers[0].buffer || buffers[0],
        buffers[0].byteOffset || 0, buffers[0].byteLength) : new Uint8Array(0);
      const type = msg.parts > 1 ? streamType(mime, first) : null; // one piece: a Blob is as quick
      if (type) {
        const mine = openStream(type, () => {
          if (stream === mine && complete) { useBlob(); pieces = []; } // else at the last piece
        });
        stream = mine;
        // the last piece can be appended before the video has read the header (a busy page):
        // "loaded" then waits for the metadata, or it would say the length is unknown
        const done = () => { if (stream === mine && root.dataset.state !== "loaded") finished(); };
        mine.source.addEventListener("sourceended", () => {
          if (video.readyState >= 1) done();
          else video.addEventListener("loadedmetadata", done, { once: true });
        });
        const old = url;
        url = null;
        video.src = mine.url;
        root.dataset.via = "stream"; // fed piece by piece (Media Source)
        if (old) URL.revokeObjectURL(old);
      }
    }
    if (msg.token !== token) return; // a newer transfer replaced this one
    pieces.push(...buffers);
    if (stream) buffers.forEach((b) => stream.append(b));
    root.dataset.pieces = `${msg.part + 1}/${msg.parts}`;
    if (msg.part < msg.parts - 1) { // ask for the next piece (the kernel ignores repeats)
      model.send({ kind: "piece-ack", part: msg.part, token: msg.token, view: viewId });
      if (root.dataset.state === "loading") {
        setState("loading", `Loading your recording… ${Math.round((100 * (msg.part + 1)) / parts)} %`);
      }
      return;
    }
    complete = true;
    if (stream && !stream.failed) stream.end(); // the pieces stay for the fallback
    else { useBlob(); pieces = []; } // the Blob holds them now
  }

  const onMetadata = () => {
    if (root.dataset.state !== "loading") return;
    if (stream) setState("playable", ""); // streaming: "sourceended" makes it loaded
    else finished();
    if (pendingSeek !== null) video.currentTime = clamp(pendingSeek); // "seeked" reports it
    else report(true);
    pendingSeek = null;
    if (pendingPlay) playNow();
    pendingPlay = false;
  };
  const onError = () => {
    if (!video.getAttribute("src")) return; // the cleanup's own removal of the source
    if (stream) { if (complete) { useBlob(); pieces = []; } return; } // the Blob plays it
    const why = video.error ? video.error.message || `code ${video.error.code}` : "unknown";
    setState("error", `Your recording could not be played (${why}).`);
  };
  const onTime = () => report(false);
  const onEvent = () => report(true);
  const listeners = [["loadedmetadata", onMetadata], ["error", onError], ["timeupdate", onTime],
    ["play", onEvent], ["pause", onEvent], ["seeked", onEvent], ["ended", onEvent]];
  for (const [name, fn] of listeners) video.addEventListener(name, fn);

  function onMessage(msg, buffers) {
    if (!msg) return;
    if (msg.kind === "piece") receive(msg, buffers || []);
    else if (msg.kind === "seek") {
      if (ready()) video.currentTime = clamp(msg.seconds);
      else pendingSeek = msg.seconds; // applied once the file can play
    } else if (msg.kind === "play") {
      if (ready()) playNow(); // a page may refuse to autoplay sound: playNow says so
      else pendingPlay = true;
    } else if (msg.kind === "pause") {
      pendingPlay = false;
      video.pause();
    } else if (msg.kind === "clear") { // the recording was deleted: nothing of it stays here
      token = null; pieces = []; pendingPlay = false; pendingSeek = null;
      video.pause();
      if (stream) { stream.close(); stream = null; }
      video.removeAttribute("src"); // the error this raises is ignored (no src)
      video.load();
      if (url) { URL.revokeObjectURL(url); url = null; }
      setState("empty", "");
    }
  }

  model.on("msg:custom", onMessage);
  model.on("change:label", setLabel);
  setLabel();
  model.send({ kind: "ready", view: viewId }); // the kernel sends the file now (or once loaded)

  return () => {
    model.off("msg:custom", onMessage);
    model.off("change:label", setLabel);
    for (const g of GESTURES) document.removeEventListener(g, unlock, true);
    for (const [name, fn] of listeners) video.removeEventListener(name, fn);
    video.pause();
    video.removeAttribute("src");
    video.load(); // lets go of the Blob before its URL is revoked
    if (stream) stream.close();
    if (url) URL.revokeObjectURL(url);
    url = null;
    stream = null;
    pieces = [];
  };
}

export default { render };
