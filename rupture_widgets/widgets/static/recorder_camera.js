// Recorder, part 1 of 6: the camera (or the microphone alone), opened, shared and released.
// The parts are joined into one ES module by recorder.py (anywidget loads a single module).

const SPEECH_RMS = 0.015; // above this the microphone is taken to hear speech (rough, on purpose)

/** Turn a getUserMedia failure into [code, plain words]. */
function explainCameraError(err) {
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

/**
 * The stream the recorder records: an ipywebrtc CameraStream's (its tracks belong to that
 * widget), or the camera's own. A newer open() or a cancel() makes a slower earlier open()
 * stale: its stream is stopped and it reports nothing.
 * @param {AnyModel} model
 * @param {(level: number) => void} onLevel
 */
function createCamera(model, onLevel) {
  let generation = 0;
  /** @type {MediaStream|null} */ let stream = null;
  let owns = false;
  let meter = null;

  async function sourceStream(audioOnly) {
    const ref = model.get("source");
    if (ref && !audioOnly) {
      const id = typeof ref === "string" ? ref.replace(/^IPY_MODEL_/, "") : null;
      const m = id ? await model.widget_manager.get_model(id) : ref;
      return [await m.captureStream(), false];
    }
    const constraints = audioOnly ? { audio: true, video: false }
      : { audio: true, video: { width: { ideal: 640 }, height: { ideal: 480 } } };
    return [await navigator.mediaDevices.getUserMedia(constraints), true];
  }

  const camera = {
    audioOnly: false,
    get stream() { return stream; },
    get meter() { return meter; },
    /** @returns {Promise<{opened?: true, stale?: true, error?: [string, string]}>} */
    async open() {
      const mine = ++generation;
      let got, gotOwns;
      try {
        [got, gotOwns] = await sourceStream(camera.audioOnly);
      } catch (err) {
        return mine === generation ? { error: explainCameraError(err) } : { stale: true };
      }
      if (mine !== generation) { // a newer request or a closed view won the race
        if (gotOwns) got.getTracks().forEach((t) => t.stop());
        return { stale: true };
      }
      camera.release();
      stream = got; owns = gotOwns;
      meter = listenTo(stream, onLevel);
      return { opened: true };
    },
    cancel() { generation++; },
    release() {
      if (meter) { meter.close(); meter = null; }
      if (stream && owns) stream.getTracks().forEach((t) => t.stop());
      stream = null;
    },
  };
  return camera;
}
