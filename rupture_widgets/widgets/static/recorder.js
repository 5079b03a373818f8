// Recorder, part 6 of 6: the camera only when the trainee chooses it, a countdown, recording
// with chunks streamed to the kernel, and the answer replayed from the browser after Stop.
// Joined after recorder_camera.js, recorder_upload.js, recorder_playback.js, recorder_view.js
// and recorder_answer.js.
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
// The trainee's auto-record choice, kept by this browser for every workbook on this server.
const AUTO_RECORD_KEY = "rupture-widgets.recorder.auto_record";

/** The best WebM type this browser can record for the stream. */
function pickMimeType(hasVideo) {
  const candidates = hasVideo
    ? ["video/webm;codecs=vp8,opus", "video/webm;codecs=vp9,opus", "video/webm", "video/mp4"]
    : ["audio/webm;codecs=opus", "audio/webm", "audio/mp4"];
  return candidates.find((t) => MediaRecorder.isTypeSupported(t)) || "";
}

function storedChoice() {
  try { return window.localStorage.getItem(AUTO_RECORD_KEY); } catch (_) { return null; }
}

function storeChoice(on) {
  try { window.localStorage.setItem(AUTO_RECORD_KEY, String(on)); } catch (_) { /* private mode */ }
}

/** @param {{model: AnyModel, el: HTMLElement}} ctx */
function render({ model, el }) {
  const ui = buildRecorderView(el);
  const { root, video, buttons: b } = ui;

  let disposed = false;
  // A widget shown twice has two views; the kernel takes chunks from the view that started.
  const viewId = Math.random().toString(36).slice(2);
  const camera = createCamera(model, (v) => { ui.level.value = v; });
  const uplink = createUplink(model, viewId, () => disposed);
  const playback = createPlayback(model, viewId, video, root);
  const answer = createLocalAnswer(video, root);
  /** @type {MediaRecorder|null} */ let recorder = null;
  let startedAt = 0, stoppedAt = 0, stopReason = "user";
  let tick = null, watchdog = null, counting = null;
  let recordWhenOpen = false; // "Record my answer" pressed with the camera off

  function setStatus(status, code = "", words = "") {
    if (disposed) return;
    model.set("status", status);
    model.set("error_code", code);
    model.set("error", words);
    model.save_changes();
    update();
  }

  function announce(words) { ui.announcer.textContent = words; }

  // A keyboard user's focus must not fall to the page's top when the button they pressed is
  // hidden (Record -> Cancel -> Stop -> Record again): it moves to the control that took its place.
  const NEXT_FOCUS = { countdown: "cancel", recording: "stop", saved: "again", ready: "record",
                       idle: "record", error: "retry" };

  function update() {
    const status = model.get("status");
    const code = model.get("error_code");
    const live = !!camera.stream;
    const active = document.activeElement;
    // (the recorder's frame itself holds focus while nothing can be pressed, e.g. opening the camera)
    const focusHere = !!active && root.contains(active) && (active.tagName === "BUTTON" || active === root);
    ui.statusLine.textContent = STATUS_WORDS[status] ?? "";
    ui.errorLine.textContent = model.get("error") || "";
    ui.errorLine.hidden = !model.get("error");
    b.record.hidden = !(status === "idle" || status === "ready");
    b.cancel.hidden = status !== "countdown";
    b.stop.hidden = status !== "recording";
    b.again.hidden = !(status === "saved" || (status === "error" && live));
    b.camera.hidden = !(status === "idle" || status === "ready" || status === "saved");
    b.camera.textContent = live ? "Turn camera off" : "Turn camera on";
    b.audio.hidden = code !== "no-camera";
    b.retry.hidden = !(status === "error" && !live && code !== "no-mediarecorder" &&
                       code !== "insecure-context");
    ui.level.hidden = !live || status === "saved";
    ui.cameraOff.hidden = live || !!root.dataset.answer || root.dataset.playback === "loaded";
    ui.indicator.hidden = status !== "recording";
    ui.timer.textContent = `${clock(status === "recording" ? Date.now() - startedAt : 0)} / ` +
      clock(model.get("max_seconds") * 1000);
    ui.countdown.hidden = status !== "countdown";
    ui.autoBox.checked = !!model.get("auto_record");
    root.dataset.status = status;
    if (focusHere && (active.hidden || active === root)) {
      const next = [b[NEXT_FOCUS[status]], b.again, b.record].find((x) => x && !x.hidden);
      if (!root.hasAttribute("tabindex")) root.setAttribute("tabindex", "-1");
      (next || root).focus();
    }
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
    if (opened.error) { recordWhenOpen = false; setStatus("error", ...opened.error); return; }
    showPreview();
    setStatus("ready");
    if (recordWhenOpen) { recordWhenOpen = false; beginCountdown(); }
  }

  function turnCameraOff() {
    camera.cancel();
    camera.release();
    video.srcObject = null;
    const status = model.get("status");
    if (status === "ready" || status === "opening-camera") setStatus("idle");
    else update();
  }

  function showPreview() {
    playback.clear();
    answer.clear();
    video.removeAttribute("src");
    video.controls = false;
    video.muted = true;
    video.srcObject = camera.stream;
    video.setAttribute("aria-label", "Camera preview");
    video.play().catch(() => {});
  }

  /** "Record my answer", and Python's record(): the camera if needed, the countdown, record. */
  function requestRecording() {
    const status = model.get("status");
    if (recorder || counting || !["idle", "ready", "saved"].includes(status)) return;
    if (!camera.stream) { recordWhenOpen = true; openCamera(); return; }
    showPreview();
    beginCountdown();
  }

  function beginCountdown() {
    let left = Math.max(0, Math.round(model.get("countdown_seconds") || 0));
    if (!left) { startRecording(); return; }
    const show = () => {
      ui.countdown.textContent = String(left);
      announce(`Recording in ${left}`);
    };
    show();
    setStatus("countdown");
    counting = setInterval(() => {
      left -= 1;
      if (left > 0) { show(); return; }
      clearInterval(counting); counting = null;
      startRecording();
    }, 1000);
  }

  function cancelCountdown() {
    if (!counting) return;
    clearInterval(counting); counting = null;
    announce("Recording cancelled");
    setStatus("ready");
  }

  function startRecording() {
    const stream = camera.stream, meter = camera.meter;
    if (!stream || recorder || disposed) return;
    if (!stream.getTracks().some((t) => t.readyState === "live")) {
      recordWhenOpen = true; openCamera(); return;
    }
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
    answer.reset();
    startedAt = Date.now();
    uplink.restart();
    uplink.send({ kind: "start", mime_type: rec.mimeType || mimeType, started_at_ms: startedAt,
                  audio_only: !hasVideo });
    rec.ondataavailable = (ev) => {
      if (!ev.data || !ev.data.size) return;
      answer.keep(ev.data);
      uplink.sendChunk(seq++, ev.data);
    };
    rec.onstop = () => {
      const elapsed = (stoppedAt || Date.now()) - startedAt;
      const speech = meter ? meter.result() : { speech_onset_ms: null, speaking_ms: null };
      uplink.send({ kind: "stop", elapsed_ms: elapsed, reason: stopReason, chunks: seq, ...speech });
      recorder = null;
      // the trainee can watch it at once: the browser has every chunk (the kernel saves its own)
      answer.show(elapsed, rec.mimeType || mimeType).then(() => update());
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
    announce("Recording started");
    setStatus("recording");
  }

  function stopRecording(reason = "user") {
    if (!recorder || recorder.state === "inactive") return;
    stopReason = reason;
    stoppedAt = Date.now();
    clearInterval(tick); tick = null;
    recorder.stop(); // fires a last dataavailable, then onstop
    announce("Recording stopped");
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
      requestRecording();
    } else if (msg.kind === "stop") {
      cancelCountdown();
      stopRecording(msg.reason || "kernel");
    } else if (msg.kind === "busy" && msg.view === viewId && recorder) {
      // another view of this recorder is already recording: drop ours quietly
      recorder.ondataavailable = null; recorder.onstop = null;
      try { recorder.stop(); } catch (_) { /* already stopped */ }
      recorder = null;
      clearInterval(tick); tick = null;
    } else if (msg.kind === "playback") {
      playback.receive(msg, buffers, () => recorder !== null || counting !== null);
      update();
    }
  }

  b.record.addEventListener("click", () => requestRecording());
  b.cancel.addEventListener("click", () => cancelCountdown());
  b.stop.addEventListener("click", () => stopRecording("user"));
  b.again.addEventListener("click", () => {
    if (!camera.stream) { answer.clear(); playback.clear(); video.removeAttribute("src");
      video.controls = false; setStatus("idle"); return; }
    showPreview();
    setStatus("ready");
  });
  b.camera.addEventListener("click", () => {
    if (camera.stream) turnCameraOff(); else openCamera();
  });
  b.audio.addEventListener("click", () => { camera.audioOnly = true; openCamera(); });
  b.retry.addEventListener("click", () => openCamera());
  ui.autoBox.addEventListener("change", () => {
    storeChoice(ui.autoBox.checked);
    model.set("auto_record", ui.autoBox.checked);
    model.save_changes();
  });
  const onChange = () => {
    // the kernel could not take the answer (e.g. no workbook): stop rather than record into nothing
    if (model.get("status") === "error" && recorder && recorder.state !== "inactive") {
      clearInterval(tick); tick = null;
      recorder.stop();
    }
    update();
  };
  const watched = ["status", "error", "max_seconds", "auto_record"];
  model.on("msg:custom", onMessage);
  for (const name of watched) model.on(`change:${name}`, onChange);

  // the choice this browser remembers wins over the kernel's default, and the kernel hears it
  const stored = storedChoice();
  if (stored !== null && (stored === "true") !== !!model.get("auto_record")) {
    model.set("auto_record", stored === "true");
    model.save_changes();
  }
  // a view shown again (JupyterLab re-renders an output) starts with its camera off; a view
  // shown while another records leaves that one alone
  if (["opening-camera", "ready", "countdown"].includes(model.get("status"))) setStatus("idle");
  update();

  return () => {
    disposed = true;
    camera.cancel();
    clearInterval(tick);
    clearInterval(counting);
    clearTimeout(watchdog);
    if (recorder && recorder.state !== "inactive") {
      // the view is going away mid-answer: tell the kernel so it keeps what it has as incomplete
      recorder.ondataavailable = null; recorder.onstop = null;
      try { recorder.stop(); } catch (_) { /* already stopped */ }
      try { uplink.sendNow({ kind: "abort", reason: "view closed" }); } catch (_) { /* kernel gone */ }
    }
    camera.release();
    playback.clear();
    answer.clear();
    model.off("msg:custom", onMessage);
    for (const name of watched) model.off(`change:${name}`, onChange);
  };
}

export default { render };
