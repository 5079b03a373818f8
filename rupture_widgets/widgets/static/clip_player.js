// ClipPlayer: plays a catalog clip straight from the server's file route, never through the
// kernel (docs/decisions.md #4), with poster, WebVTT captions and its own few controls. It tells
// Python when the clip started and ended (page clock, ms) so the app can time the answer.
//
// Why its own controls: the browser's native ones are 7 Tab stops (play, time, mute, volume,
// captions, fullscreen, more), a long way round for a keyboard user who wants to play a clip.
// Here there are 3, each a real <button>: Play/Pause, Restart, Captions; the time is read out
// beside them, not a stop.

/** @typedef {{get: Function, set: Function, save_changes: Function, send: Function,
 *             on: Function, off: Function}} AnyModel */

// filesBase / servedUrl: served_url.js, joined before this module (clip_player.py).

function button(label) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = "rw-button";
  b.textContent = label; // its accessible name: the words seen are the words heard
  return b;
}

/** @param {number} s seconds */
function clock(s) {
  const whole = Number.isFinite(s) ? Math.max(0, Math.floor(s)) : 0;
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")}`;
}

/** @param {{model: AnyModel, el: HTMLElement}} ctx */
function render({ model, el }) {
  const root = document.createElement("div");
  root.className = "rw-clip-player";
  root.setAttribute("role", "group");

  const video = document.createElement("video");
  video.className = "rw-clip-video";
  video.preload = "metadata";
  video.playsInline = true;
  video.controls = false; // ours below: 3 Tab stops instead of the native 7

  const track = document.createElement("track");
  track.kind = "captions";
  track.srclang = "en";
  track.label = "English captions";
  video.appendChild(track);

  const playBtn = button("Play clip");
  const restartBtn = button("Restart the clip");
  const captionsBtn = button("Captions");
  const time = document.createElement("span");
  time.className = "rw-clip-time";
  time.setAttribute("role", "timer"); // read on request, not announced every second
  time.setAttribute("aria-label", "Clip time");
  const controls = document.createElement("div");
  controls.className = "rw-clip-controls";
  controls.append(playBtn, restartBtn, captionsBtn, time);
  root.append(video, controls);
  el.appendChild(root);

  function captionsShowing() {
    const on = model.get("captions_on") && !!model.get("captions");
    if (video.textTracks.length) video.textTracks[0].mode = on ? "showing" : "hidden";
    captionsBtn.setAttribute("aria-pressed", String(on));
    captionsBtn.textContent = on ? "Captions on" : "Captions off";
    captionsBtn.disabled = !model.get("captions");
  }

  // The captions are fetched here and given to the <track> as a blob: URL. A <track> fetches
  // in mode "same-origin", which a JupyterHub user's server (JupyterHub >= 4.1; Binder's too)
  // takes as a request that needs the page's XSRF token, and it has none: there the captions
  // were refused (403) while the video played. A fetch can send the token (the page's _xsrf
  // cookie, which the app's server sets: rupture_widgets/server); if it fails, the <track>
  // asks as before.
  let captionsBlob = "";
  let captionsUrl = null;
  let captionsAsked = 0;
  async function loadCaptions(url) {
    if (url === captionsUrl) return; // (load() runs on every change of the clip's fields)
    captionsUrl = url;
    const mine = ++captionsAsked;
    if (captionsBlob) { URL.revokeObjectURL(captionsBlob); captionsBlob = ""; }
    if (!url) { track.removeAttribute("src"); return; }
    try {
      const xsrf = document.cookie.match(/(?:^|;\s*)_xsrf=([^;]*)/);
      const resp = await fetch(url, { credentials: "same-origin",
        headers: xsrf ? { "X-XSRFToken": xsrf[1] } : {} });
      if (!resp.ok) throw new Error(`HTTP ${resp.status}`);
      const blob = URL.createObjectURL(new Blob([await resp.text()], { type: "text/vtt" }));
      if (mine !== captionsAsked) { URL.revokeObjectURL(blob); return; } // another clip since
      captionsBlob = blob;
      track.src = blob;
    } catch {
      if (mine === captionsAsked) track.src = url;
    }
  }

  function load() {
    const title = model.get("title") || "Client clip";
    root.setAttribute("aria-label", title);
    video.setAttribute("aria-label", title);
    video.poster = servedUrl(model, model.get("poster"));
    loadCaptions(model.get("captions") ? servedUrl(model, model.get("captions")) : "");
    video.src = servedUrl(model, model.get("src"));
    playBtn.disabled = !model.get("src");
    restartBtn.disabled = !model.get("src");
    captionsShowing();
    showTime();
  }

  function report(kind) {
    const at = Date.now();
    if (kind === "started") model.set("started_at_ms", at);
    if (kind === "ended") {
      model.set("ended_at_ms", at);
      model.set("plays", model.get("plays") + 1);
    }
    model.set("playing", kind === "started");
    model.save_changes();
    model.send({ kind, at_ms: at, src: model.get("src") });
  }

  const showTime = () => { time.textContent = `${clock(video.currentTime)} / ${clock(video.duration)}`; };
  const onPlay = () => { playBtn.textContent = "Pause clip";
    if (video.currentTime < 0.5) report("started"); };
  const onPause = () => { playBtn.textContent = "Play clip";
    if (!video.ended && model.get("playing")) { model.set("playing", false); model.save_changes(); } };
  const onEnded = () => report("ended");
  const onTrackLoad = () => captionsShowing();
  const onError = () => {
    model.set("error", video.error ? `The clip could not be played (${video.error.message ||
      "code " + video.error.code}).` : "The clip could not be played.");
    model.save_changes();
  };
  video.addEventListener("play", onPlay);
  video.addEventListener("pause", onPause);
  video.addEventListener("ended", onEnded);
  video.addEventListener("error", onError);
  video.addEventListener("timeupdate", showTime);
  video.addEventListener("durationchange", showTime);
  video.addEventListener("emptied", showTime);
  track.addEventListener("load", onTrackLoad);
  video.addEventListener("click", () => playBtn.click()); // the picture itself, for a mouse

  playBtn.addEventListener("click", () => { if (video.paused) video.play().catch(() => {}); else video.pause(); });
  restartBtn.addEventListener("click", () => { video.currentTime = 0; video.play().catch(() => {}); });
  captionsBtn.addEventListener("click", () => {
    model.set("captions_on", !model.get("captions_on"));
    model.save_changes();
    captionsShowing();
  });
  // keyboard: Enter / Space press the focused button; k toggles play and c captions from any
  // of them (the shortcuts of the usual video players)
  root.addEventListener("keydown", (ev) => {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (ev.key === "k") { ev.preventDefault(); playBtn.click(); }
    else if (ev.key === "c" && !captionsBtn.disabled) { ev.preventDefault(); captionsBtn.click(); }
  });

  const onCommand = (msg) => {
    if (!msg) return;
    if (msg.kind === "play") { if (msg.from_start) video.currentTime = 0; video.play().catch(() => {}); }
    else if (msg.kind === "pause") video.pause();
  };
  const onSource = () => load();
  const onCaptions = () => captionsShowing();
  model.on("msg:custom", onCommand);
  model.on("change:src", onSource);
  model.on("change:poster", onSource);
  model.on("change:captions", onSource);
  model.on("change:title", onSource);
  model.on("change:captions_on", onCaptions);
  load();

  return () => {
    captionsAsked++; // a fetch still under way is let go
    if (captionsBlob) URL.revokeObjectURL(captionsBlob);
    video.pause();
    video.removeAttribute("src");
    video.load(); // releases the network connection held by the media element
    model.off("msg:custom", onCommand);
    model.off("change:src", onSource);
    model.off("change:poster", onSource);
    model.off("change:captions", onSource);
    model.off("change:title", onSource);
    model.off("change:captions_on", onCaptions);
  };
}

export default { render };
