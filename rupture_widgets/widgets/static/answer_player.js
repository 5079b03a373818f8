// AnswerPlayer: one of the trainee's recordings, received through the kernel piece by piece and
// played from a Blob URL (recordings are never a public URL, docs/decisions.md #7). It reports
// where the video is, and obeys seek / play / pause from Python. The only traffic is the
// widget's own comm: no fetch, no CDN.

/** @typedef {{get: Function, set: Function, save_changes: Function, send: Function,
 *             on: Function, off: Function}} AnyModel */

// Chromium fires timeupdate about every 250 ms while playing; reporting at most every 200 ms
// gives about 4 updates a second without flooding the kernel.
const REPORT_EVERY_MS = 200;
const DEFAULT_LABEL = "Your recorded answer";

/** @param {{model: AnyModel, el: HTMLElement}} ctx */
function render({ model, el }) {
  // each view says who it is: pieces re-sent for a view shown later are addressed to it alone
  const viewId = Math.random().toString(36).slice(2);

  const root = document.createElement("div");
  root.className = "rw-answer-player";
  root.setAttribute("role", "group");
  root.dataset.state = "empty";

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
  let pieces = [];         // the pieces of the file being received
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

  const ready = () => root.dataset.state === "loaded";

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

  function receive(msg, buffers) {
    if (msg.to && !msg.to.includes(viewId)) return; // re-sent for a view shown later
    if (msg.part === 0) {
      pieces = [];
      token = msg.token;
      load = msg.load;
      pendingSeek = msg.start_at ?? null; // seeks asked for before this view got the file
      pendingPlay = false;
      setState("loading", "Loading your recording…");
      video.pause(); // the file it replaces stops (ready() is false: not reported)
    }
    if (msg.token !== token) return; // a newer transfer replaced this one
    pieces.push(...buffers);
    if (msg.part < msg.parts - 1) { // ask for the next piece (the kernel ignores repeats)
      model.send({ kind: "piece-ack", part: msg.part, token: msg.token, view: viewId });
      const percent = Math.round((100 * (msg.part + 1)) / msg.parts);
      setState("loading", `Loading your recording… ${percent} %`);
      return;
    }
    const old = url;
    url = URL.createObjectURL(new Blob(pieces, { type: msg.mime_type || "video/webm" }));
    pieces = [];
    video.src = url; // replacing src first lets the old file go before its URL is revoked
    if (old) URL.revokeObjectURL(old);
  }

  const onMetadata = () => {
    if (root.dataset.state !== "loading") return;
    setState("loaded", "");
    model.send({ kind: "loaded", load, view: viewId,
                 duration: Number.isFinite(video.duration) ? video.duration : null });
    if (pendingSeek !== null) video.currentTime = clamp(pendingSeek); // "seeked" reports it
    else report(true);
    pendingSeek = null;
    if (pendingPlay) video.play().catch(() => {});
    pendingPlay = false;
  };
  const onError = () => {
    if (!video.getAttribute("src")) return; // the cleanup's own removal of the source
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
      else pendingSeek = msg.seconds; // applied once the file is loaded
    } else if (msg.kind === "play") {
      if (ready()) video.play().catch(() => {}); // a page may refuse to autoplay sound
      else pendingPlay = true;
    } else if (msg.kind === "pause") {
      pendingPlay = false;
      video.pause();
    }
  }

  model.on("msg:custom", onMessage);
  model.on("change:label", setLabel);
  setLabel();
  model.send({ kind: "ready", view: viewId }); // the kernel sends the file now (or once loaded)

  return () => {
    model.off("msg:custom", onMessage);
    model.off("change:label", setLabel);
    for (const [name, fn] of listeners) video.removeEventListener(name, fn);
    video.pause();
    video.removeAttribute("src");
    video.load(); // lets go of the Blob before its URL is revoked
    if (url) URL.revokeObjectURL(url);
    url = null;
    pieces = [];
  };
}

export default { render };
