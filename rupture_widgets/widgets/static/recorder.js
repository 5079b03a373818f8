// Recorder: camera preview, record / stop / record again, chunks streamed to the kernel.
//
// Why chunks: a whole recording in one websocket message is silently dropped above tornado's
// message cap (DESIGN.md #1), so MediaRecorder.start(1000) hands us one chunk a second and each
// goes to Python as a binary buffer. Blob.arrayBuffer() is async, so every send is chained on
// one promise: otherwise the "stop" message could overtake the last chunk.

/** @typedef {{get: Function, set: Function, save_changes: Function, send: Function,
 *             on: Function, off: Function, widget_manager?: any}} AnyModel */

const CHUNK_MS = 1000;
// After Stop the kernel answers within a second or two; silence for this long means the
// connection (or the kernel) is gone.
const SAVE_WATCHDOG_MS = 30000;
const SPEECH_RMS = 0.015; // above this the microphone is taken to hear speech (rough, on purpose)

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

/** Turn a getUserMedia failure into [code, plain words]. */
function explain(err) {
  const name = (err && err.name) || "";
  if (name === "NotAllowedError" || name === "SecurityError" || name === "PermissionDeniedError") {
    return ["permission-denied",
      "Camera permission was denied, so your answer cannot be recorded. Allow the camera and " +
      "microphone for this page (the camera icon in the address bar), then press “Try the camera again”."];
  }
  if (name === "NotFoundError" || name === "OverconstrainedError" || name === "DevicesNotFoundError") {
    return ["no-camera",
      "No camera was found. You can still answer with your voice: press “Record with audio only”."];
  }
  if (name === "NotReadableError" || name === "AbortError" || name === "TrackStartError") {
    return ["camera-busy",
      "The camera is being used by another program or tab. Close it there, then press “Try the camera again”."];
  }
  return ["camera-failed", `The camera could not be opened (${(err && err.message) || err}). ` +
    "Press “Try the camera again”, or reload the page."];
}

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

/** Microphone level and a rough speech detector (for latency and speaking time). */
function listenTo(stream, onLevel) {
  if (!stream.getAudioTracks().length || !window.AudioContext) return null;
  const ctx = new AudioContext();
  const analyser = ctx.createAnalyser();
  analyser.fftSize = 1024;
  ctx.createMediaStreamSource(stream).connect(analyser);
  const samples = new Float32Array(analyser.fftSize);
  let onsetMs = null, speakingMs = 0, last = performance.now(), since = Date.now();
  const timer = setInterval(() => {
    analyser.getFloatTimeDomainData(samples);
    let sum = 0;
    for (const v of samples) sum += v * v;
    const rms = Math.sqrt(sum / samples.length);
    const now = performance.now();
    if (rms > SPEECH_RMS) {
      if (onsetMs === null) onsetMs = Date.now() - since;
      speakingMs += now - last;
    }
    last = now;
    onLevel(Math.min(1, rms * 5));
  }, 100);
  return {
    resume: () => ctx.resume().catch(() => {}),
    restart() { onsetMs = null; speakingMs = 0; since = Date.now(); last = performance.now(); },
    result: () => ({ speech_onset_ms: onsetMs, speaking_ms: Math.round(speakingMs) }),
    close() { clearInterval(timer); ctx.close().catch(() => {}); },
  };
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
  let generation = 0;          // guards against a stale getUserMedia promise
  /** @type {MediaStream|null} */ let stream = null;
  let ownsStream = false;      // an ipywebrtc CameraStream's tracks belong to that widget
  let audioOnly = false;
  /** @type {MediaRecorder|null} */ let recorder = null;
  let chain = Promise.resolve();
  let startedAt = 0, stoppedAt = 0, stopReason = "user";
  let tick = null;
  let watchdog = null;
  let meter = null;
  let playbackUrl = null;
  let playbackParts = [];
  let playbackToken = null;

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
    againBtn.hidden = !(status === "saved" || (status === "error" && stream));
    audioBtn.hidden = code !== "no-camera";
    retryBtn.hidden = !(status === "error" && !stream && code !== "no-mediarecorder" &&
                        code !== "insecure-context");
    level.hidden = !stream || status === "saved";
    timer.textContent = status === "recording" ? `${clock(Date.now() - startedAt)} / ${clock(max)}`
      : `0:00 / ${clock(max)}`;
    root.dataset.status = status;
  }

  function releaseStream() {
    if (meter) { meter.close(); meter = null; }
    if (stream && ownsStream) stream.getTracks().forEach((t) => t.stop());
    stream = null;
  }

  async function sourceStream() {
    const ref = model.get("source");
    if (ref && !audioOnly) {
      // an ipywebrtc CameraStream: its model opens the camera once and shares the stream
      const id = typeof ref === "string" ? ref.replace(/^IPY_MODEL_/, "") : null;
      const m = id ? await model.widget_manager.get_model(id) : ref;
      return [await m.captureStream(), false];
    }
    const constraints = audioOnly ? { audio: true, video: false }
      : { audio: true, video: { width: { ideal: 640 }, height: { ideal: 480 } } };
    return [await navigator.mediaDevices.getUserMedia(constraints), true];
  }

  async function openCamera() {
    const mine = ++generation;
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
    let got, owns;
    try {
      [got, owns] = await sourceStream();
    } catch (err) {
      if (mine !== generation || disposed) return;
      const [code, words] = explain(err);
      setStatus("error", code, words);
      return;
    }
    if (mine !== generation || disposed) { // a newer request or a closed view won the race
      if (owns) got.getTracks().forEach((t) => t.stop());
      return;
    }
    releaseStream();
    stream = got; ownsStream = owns;
    showPreview();
    meter = listenTo(stream, (v) => { level.value = v; });
    setStatus("ready");
  }

  function showPreview() {
    if (playbackUrl) { URL.revokeObjectURL(playbackUrl); playbackUrl = null; }
    video.removeAttribute("src");
    video.controls = false;
    video.muted = true;
    video.srcObject = stream;
    video.setAttribute("aria-label", "Camera preview");
    video.play().catch(() => {});
  }

  // One step per message; a failed send is reported but never blocks the ones after it.
  function enqueue(step) {
    chain = chain.then(step).catch((err) => console.warn("[rupture recorder] send failed", err));
  }

  function send(msg, buffers) {
    enqueue(() => { if (!disposed) model.send({ ...msg, view: viewId }, undefined, buffers || []); });
  }

  function startRecording() {
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
    chain = Promise.resolve();
    send({ kind: "start", mime_type: rec.mimeType || mimeType, started_at_ms: startedAt,
           audio_only: !hasVideo });
    rec.ondataavailable = (ev) => {
      if (!ev.data || !ev.data.size) return;
      const n = seq++, blob = ev.data;
      enqueue(async () => {
        const buf = await blob.arrayBuffer();
        if (!disposed) model.send({ kind: "chunk", seq: n, view: viewId }, undefined, [buf]);
      });
    };
    rec.onstop = () => {
      const elapsed = (stoppedAt || Date.now()) - startedAt;
      const speech = meter ? meter.result() : { speech_onset_ms: null, speaking_ms: null };
      send({ kind: "stop", elapsed_ms: elapsed, reason: stopReason, chunks: seq, ...speech });
      recorder = null;
    };
    rec.onerror = (ev) => {
      send({ kind: "abort", reason: `recorder error: ${ev.error ? ev.error.name : "unknown"}` });
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

  function showPlayback(parts, mime, label) {
    if (playbackUrl) URL.revokeObjectURL(playbackUrl);
    playbackUrl = URL.createObjectURL(new Blob(parts, { type: mime }));
    video.srcObject = null;
    video.src = playbackUrl;
    video.muted = false;
    video.controls = true;
    video.setAttribute("aria-label", label || "Your recorded answer");
    root.dataset.playback = "loaded";
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
      if (msg.part === 0) {
        playbackParts = []; playbackToken = msg.token; root.dataset.playback = "loading";
      }
      if (msg.token !== playbackToken) return; // a newer playback replaced this one
      playbackParts.push(...buffers);
      if (msg.part < msg.parts - 1) { // ask for the next piece (the kernel ignores repeats)
        model.send({ kind: "playback-ack", part: msg.part, token: msg.token, view: viewId });
        return;
      }
      // never swap the preview out from under a running answer
      if (!recorder) showPlayback(playbackParts, msg.mime_type, msg.label);
      playbackParts = [];
    }
  }

  startBtn.addEventListener("click", () => startRecording());
  stopBtn.addEventListener("click", () => stopRecording("user"));
  againBtn.addEventListener("click", () => {
    if (stream) { showPreview(); startRecording(); } else openCamera();
  });
  audioBtn.addEventListener("click", () => { audioOnly = true; openCamera(); });
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
    generation++;
    clearInterval(tick);
    clearTimeout(watchdog);
    if (recorder && recorder.state !== "inactive") {
      // the view is going away mid-answer: tell the kernel so it keeps what it has as incomplete
      recorder.ondataavailable = null; recorder.onstop = null;
      try { recorder.stop(); } catch (_) { /* already stopped */ }
      try { model.send({ kind: "abort", reason: "view closed", view: viewId }); } catch (_) { /* kernel gone */ }
    }
    releaseStream();
    if (playbackUrl) URL.revokeObjectURL(playbackUrl);
    model.off("msg:custom", onMessage);
    model.off("change:status", onChange);
    model.off("change:error", onChange);
    model.off("change:max_seconds", onChange);
  };
}

export default { render };
