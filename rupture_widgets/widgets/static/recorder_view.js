// Recorder, part 4 of 6: what the trainee sees: the preview (or their answer), the countdown,
// the Recording indicator, the buttons and the auto-record choice. Only the elements are made
// here; recorder.js decides which are shown.

/** Plain words for each state, in the status line (read out politely by screen readers). */
const STATUS_WORDS = {
  idle: "The camera is off. Turn it on to check how you look, or press “Record my answer” " +
    "when you are ready.",
  "opening-camera": "Opening the camera…",
  ready: "Camera on. Press “Record my answer” when you want to answer.",
  countdown: "Get ready: recording starts after the countdown.",
  recording: "Answer as you would with your own client. Press “Stop recording” when you are done.",
  saving: "Saving your answer…",
  saved: "Your answer is saved. Play it back here, or press “Record again”.",
  error: "",
};

/** @param {number} ms */
function clock(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

function button(label, className) {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = label;
  b.className = `rw-button ${className || ""}`;
  return b;
}

function part(tag, className, attrs = {}) {
  const e = document.createElement(tag);
  e.className = className;
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

/** The recorder's elements, appended to ``el``. */
function buildRecorderView(el) {
  const root = part("div", "rw-recorder", { role: "group", "aria-label": "Answer recorder" });

  const stage = part("div", "rw-recorder-stage");
  const video = part("video", "rw-recorder-video", { "aria-label": "Camera preview" });
  video.playsInline = true;
  video.muted = true; // never play the trainee's own microphone back while they speak
  // the big 3-2-1 is for the eyes; the announcer below says it for screen readers
  const countdown = part("div", "rw-recorder-countdown", { "aria-hidden": "true" });
  countdown.hidden = true;
  const cameraOff = part("p", "rw-recorder-camera-off");
  cameraOff.textContent = "Camera off";
  stage.append(video, countdown, cameraOff);

  const indicator = part("p", "rw-recorder-indicator");
  indicator.hidden = true;
  const dot = part("span", "rw-recorder-dot", { "aria-hidden": "true" });
  const word = part("span", "rw-recorder-word");
  word.textContent = "Recording";
  const timer = part("span", "rw-recorder-timer", { role: "timer", "aria-label": "Recording time" });
  indicator.append(dot, word, timer);

  const statusLine = part("p", "rw-recorder-status", { role: "status", "aria-live": "polite" });
  // said at once: the countdown, and recording started / stopped (visually hidden)
  const announcer = part("p", "rw-recorder-announcer",
                         { role: "status", "aria-live": "assertive", "aria-atomic": "true" });
  const errorLine = part("p", "rw-recorder-error", { role: "alert" });

  const level = part("meter", "rw-recorder-level", { "aria-label": "Microphone level" });
  level.min = 0; level.max = 1; level.value = 0;

  const buttons = {
    record: button("Record my answer", "rw-primary"),
    cancel: button("Cancel"),
    stop: button("Stop recording", "rw-danger"),
    again: button("Record again", "rw-primary"),
    camera: button("Turn camera on"),
    audio: button("Record with audio only"),
    retry: button("Try the camera again"),
  };

  const auto = part("label", "rw-recorder-auto");
  const autoBox = part("input", "rw-recorder-auto-box", { type: "checkbox" });
  auto.append(autoBox, document.createTextNode(" Start recording when the clip ends"));

  const controls = part("div", "rw-recorder-controls");
  controls.append(...Object.values(buttons), level);
  root.append(stage, indicator, controls, auto, statusLine, announcer, errorLine);
  el.appendChild(root);
  return { root, stage, video, countdown, cameraOff, indicator, timer, statusLine, announcer,
           errorLine, level, buttons, autoBox };
}
