// Recorder, part 4 of 4: camera preview, record / stop / record again, chunks streamed to the
// kernel. Joined after recorder_camera.js, recorder_upload.js and recorder_playback.js.
//
// Why chunks: a whole recording in one websocket message is silently dropped above tornado's
// message cap (docs/decisions.md #1), so MediaRecorder.start(1000) hands us one chunk a second
// and each goes to Python as a binary buffer (recorder_upload.js keeps them in order).

/** @typedef {{get: Function, set: Function, save_changes: Function, send: Function,
 *             on: Function, off: Function, widget_manager?: any}} AnyModel */

const CHUNK_MS = 1000;
// After Stop the kernel answers within a second or two; silence for this long means the
// connection (or the kernel) is gone.
const SAVE_WATCHDOG_MS = 30000;

/** Plain words for each state the trainee can see. */
const STATUS_WORDS = {
  idle: "",
  "opening-camera": "Opening the camera…",
  ready: "Camera ready. Press “Start recording” when you want to answer.",
  recording: "Recording. Answer as you would with your own client.",
  saving: "Saving your answer…",
  saved: "Your answer is saved.",
  error: "",
};

/** @param {number} ms */
function clock(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

/** The best WebM type this browser can record for the stream. */
function pickMimeType(hasVideo) {
  const candidates = hasVideo
    ? ["video/webm;codecs=vp8,opus", "video/webm;codecs=vp9,opus", "video/webm", "video/mp4"]
    : ["audio/webm;codecs=opus", "audio/webm", "audio/mp4"];
  return candidates.find((t) => MediaRecorder.isTypeSupported(t)) || "";
}

function button(label, className) {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = label;
  b.setAttribute("aria-label", label);
  b.className = `rw-button ${className || ""}`;
  return b;
}

/** @param {{model: AnyModel, el: HTMLElement}} ctx */
function render({ model, el }) {
  const root = document.createElement("div");
  root.className = "rw-recorder";
  root.setAttribute("role", "group");
  root.setAttribute("aria-label", "Answer recorder");

  const video = document.createElement("video");
  video.className = "rw-recorder-video";
  video.playsInline = true;
  video.muted = true; // never play the trainee's own microphone back while they speak
  video.setAttribute("aria-label", "Camera preview");

  const statusLine = document.createElement("p");
  statusLine.className = "rw-recorder-status";
  statusLine.setAttribute("role", "status");
  statusLine.setAttribute("aria-live", "polite");

  const errorLine = document.createElement("p");
  errorLine.className = "rw-recorder-error";
  errorLine.setAttribute("role", "alert");

  const timer = document.createElement("span");
  timer.className = "rw-recorder-timer";
  timer.setAttribute("role", "timer");
  timer.setAttribute("aria-label", "Recording time");

  const level = document.createElement("meter");
  level.className = "rw-recorder-level";
  level.min = 0; level.max = 1; level.value = 0;
  level.setAttribute("aria-label", "Microphone level");

  const startBtn = button("Start recording", "rw-primary");
  const stopBtn = button("Stop recording", "rw-danger");
  const againBtn = button("Record again", "rw-primary");
  const audioBtn = button("Record with audio only");
  const retryBtn = button("Try the camera again");

  const controls = document.createElement("div");
  controls.className = "rw-recorder-controls";
  controls.append(startBtn, stopBtn, againBtn, audioBtn, retryBtn, timer, level);
  root.append(video, controls, statusLine, errorLine);
  el.appendChild(root);

  let disposed = false;
  // A widget shown twice has two views; the kernel takes chunks from the view that started.
  const viewId = Math.random().toString(36).slice(2);
  const camera = createCamera(model, (v) => { level.value = v; });
  const uplink = createUplink(model, viewId, () => disposed);
  const playback = createPlayback(model, viewId, video, root);
  /** @type {MediaRecorder|null} */ let recorder = null;
  let startedAt = 0, stoppedAt = 0, stopReason = "user";
  let tick = null;
  let watchdog = null;

  function setStatus(status, code = "", words = "") {
    if (disposed) return;
    model.set("status", status);
    model.set("error_code", code);
    model.set("error", words);
    model.save_changes();
    update();
  }

  function update() {
    const status = model.get("status");
    const max = model.get("max_seconds") * 1000;
    statusLine.textContent = STATUS_WORDS[status] ?? "";
    errorLine.textContent = model.get("error") || "";
    errorLine.hidden = !model.get("error");
    const code = model.get("error_code");
    startBtn.hidden = status !== "ready";
    stopBtn.hidden = status !== "recording";
    againBtn.hidden = !(status === "saved" || (status === "error" && camera.stream));
    audioBtn.hidden = code !== "no-camera";
    retryBtn.hidden = !(status === "error" && !camera.stream && code !== "no-mediarecorder" &&
                        code !== "insecure-context");
    level.hidden = !camera.stream || status === "saved";
    timer.textContent = status === "recording" ? `${clock(Date.now() - startedAt)} / ${clock(max)}`
      : `0:00 / ${clock(max)}`;
    root.dataset.status = status;
  }

  async function openCamera() {
    if (typeof window.MediaRecorder === "undefined") {
      setStatus("error", "no-mediarecorder", "This browser cannot record video (it has no " +
        "MediaRecorder). Please use a recent Chrome, Edge, Firefox or Safari.");
      return;
    }
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      setStatus("error", "insecure-context", "The camera is only available on a secure page " +
        "(https or localhost). Ask whoever set up this app for the secure address.");
      return;
    }
    setStatus("opening-camera");
    const opened = await camera.open();
    if (opened.stale || disposed) return;
    if (opened.error) { setStatus("error", ...opened.error); return; }
    showPreview();
    setStatus("ready");
  }

  function showPreview() {
    playback.clear();
    video.removeAttribute("src");
    video.controls = false;
    video.muted = true;
    video.srcObject = camera.stream;
    video.setAttribute("aria-label", "Camera preview");
    video.play().catch(() => {});
  }

  function startRecording() {
    const stream = camera.stream, meter = camera.meter;
    if (!stream || recorder || disposed) return;
    if (!stream.getTracks().some((t) => t.readyState === "live")) { openCamera(); return; }
    if (meter) { meter.resume(); meter.restart(); }
    const hasVideo = stream.getVideoTracks().length > 0;
    const mimeType = pickMimeType(hasVideo);
    const options = { audioBitsPerSecond: 96000 };
    if (mimeType) options.mimeType = mimeType;
    if (hasVideo) options.videoBitsPerSecond = model.get("video_bits_per_second");
    try {
      recorder = new MediaRecorder(stream, options);
    } catch (err) {
      setStatus("error", "recorder-failed", `Recording could not start (${err.message}).`);
      return;
    }
    showPreview();
    const rec = recorder;
    let seq = 0;
    stopReason = "user";
    startedAt = Date.now();
    uplink.restart();
    uplink.send({ kind: "start", mime_type: rec.mimeType || mimeType, started_at_ms: startedAt,
           audio_only: !hasVideo });
    rec.ondataavailable = (ev) => {
      if (!ev.data || !ev.data.size) return;
      uplink.sendChunk(seq++, ev.data);
    };
    rec.onstop = () => {
      const elapsed = (stoppedAt || Date.now()) - startedAt;
      const speech = meter ? meter.result() : { speech_onset_ms: null, speaking_ms: null };
      uplink.send({ kind: "stop", elapsed_ms: elapsed, reason: stopReason, chunks: seq, ...speech });
      recorder = null;
    };
    rec.onerror = (ev) => {
      uplink.send({ kind: "abort", reason: `recorder error: ${ev.error ? ev.error.name : "unknown"}` });
      recorder = null;
      setStatus("error", "recorder-failed", "Recording stopped unexpectedly. What was " +
        "received is kept and marked incomplete.");
    };
    rec.start(CHUNK_MS);
    stoppedAt = 0;
    tick = setInterval(() => {
      update();
      if (Date.now() - startedAt >= model.get("max_seconds") * 1000) stopRecording("max_length");
    }, 250);
    setStatus("recording");
  }

  function stopRecording(reason = "user") {
    if (!recorder || recorder.state === "inactive") return;
    stopReason = reason;
    stoppedAt = Date.now();
    clearInterval(tick); tick = null;
    recorder.stop(); // fires a last dataavailable, then onstop
    setStatus("saving");
    clearTimeout(watchdog);
    watchdog = setTimeout(() => {
      if (model.get("status") !== "saving") return;
      setStatus("error", "cut-off", "The connection to the server was lost while your answer " +
        "was being saved. What the server received is kept and will be listed as incomplete; " +
        "reload the page to continue.");
    }, SAVE_WATCHDOG_MS);
  }

  /** Python → browser: commands, and a recording played back through the kernel. */
  function onMessage(msg, buffers) {
    if (!msg || disposed) return;
    if (msg.kind === "record") {
      if (model.get("status") === "ready" || model.get("status") === "saved") startRecording();
    } else if (msg.kind === "stop") {
      stopRecording(msg.reason || "kernel");
    } else if (msg.kind === "busy" && msg.view === viewId && recorder) {
      // another view of this recorder is already recording: drop ours quietly
      recorder.ondataavailable = null; recorder.onstop = null;
      try { recorder.stop(); } catch (_) { /* already stopped */ }
      recorder = null;
      clearInterval(tick); tick = null;
    } else if (msg.kind === "playback") {
      playback.receive(msg, buffers, () => recorder !== null);
    }
  }

  startBtn.addEventListener("click", () => startRecording());
  stopBtn.addEventListener("click", () => stopRecording("user"));
  againBtn.addEventListener("click", () => {
    if (camera.stream) { showPreview(); startRecording(); } else openCamera();
  });
  audioBtn.addEventListener("click", () => { camera.audioOnly = true; openCamera(); });
  retryBtn.addEventListener("click", () => openCamera());
  const onChange = () => {
    // the kernel could not take the answer (e.g. no workbook): stop rather than record into nothing
    if (model.get("status") === "error" && recorder && recorder.state !== "inactive") {
      clearInterval(tick); tick = null;
      recorder.stop();
    }
    update();
  };
  model.on("msg:custom", onMessage);
  model.on("change:status", onChange);
  model.on("change:error", onChange);
  model.on("change:max_seconds", onChange);

  update();
  openCamera();

  return () => {
    disposed = true;
    camera.cancel();
    clearInterval(tick);
    clearTimeout(watchdog);
    if (recorder && recorder.state !== "inactive") {
      // the view is going away mid-answer: tell the kernel so it keeps what it has as incomplete
      recorder.ondataavailable = null; recorder.onstop = null;
      try { recorder.stop(); } catch (_) { /* already stopped */ }
      try { uplink.sendNow({ kind: "abort", reason: "view closed" }); } catch (_) { /* kernel gone */ }
    }
    camera.release();
    playback.clear();
    model.off("msg:custom", onMessage);
    model.off("change:status", onChange);
    model.off("change:error", onChange);
    model.off("change:max_seconds", onChange);
  };
}

export default { render };
