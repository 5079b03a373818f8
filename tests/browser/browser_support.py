"""What the browser tests share: a y4m fake camera, server processes, recorder status in the page.

(A plain module rather than conftest.py so tests can import it by a name that is unique.)
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
BASE_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--autoplay-policy=no-user-gesture-required"]
FAKE_MEDIA_ARGS = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]


def write_y4m(path: Path, seconds: float = 3.0, width: int = 640, height: int = 480,
              fps: int = 30) -> Path:
    """Raw YUV4MPEG2 (4:2:0): a drifting gradient under heavy noise, hard to compress on purpose."""
    import numpy as np

    rng = np.random.default_rng(1)
    yy, xx = np.mgrid[0:height, 0:width]
    chroma = np.full((height // 2) * (width // 2) * 2, 128, dtype=np.uint8)
    with open(path, "wb") as f:
        f.write(f"YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        for i in range(int(seconds * fps)):
            base = ((xx + yy + 4 * i) % 256).astype(np.int16)
            luma = np.clip(base + rng.integers(-60, 61, base.shape), 0, 255).astype(np.uint8)
            f.write(b"FRAME\n")
            f.write(luma.tobytes())
            f.write(chroma.tobytes())
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited early with code {proc.returncode}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise TimeoutError(f"nothing listening on port {port} after {timeout} s")


class Server:
    """A server process in its own process group (so its kernels die with it)."""

    def __init__(self, cmd: list[str], port: int, env: dict, cwd: Path, log: Path):
        self.port, self.log = port, log
        self.url = f"http://127.0.0.1:{port}/"
        # what `rupture serve` prints: the first visit with the token sets the login cookie
        self.token = env.get("JUPYTER_TOKEN", "")
        self.app_url = f"{self.url}?token={self.token}" if self.token else self.url
        self._log = open(log, "wb")
        self.proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=self._log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        try:
            wait_for_port(port, self.proc)
        except Exception:
            self.stop()
            raise RuntimeError(f"{cmd[2:4]} did not start:\n{log.read_text()[-3000:]}")

    def stop(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=15)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self._log.close()


# -- helpers for the page ---------------------------------------------------------------------

STATUS_LOG_JS = """
() => {
  window.__rw = [];
  const seen = new WeakSet();
  const watch = () => document.querySelectorAll('.rw-recorder').forEach((el) => {
    if (seen.has(el)) return;
    seen.add(el);
    new MutationObserver(() => window.__rw.push({status: el.dataset.status, t: Date.now()}))
      .observe(el, {attributes: true, attributeFilter: ['data-status']});
  });
  watch();
  new MutationObserver(watch).observe(document.body, {childList: true, subtree: true});
}
"""


def watch_recorder(page) -> None:
    """Log every recorder status change with the page clock (Date.now())."""
    page.evaluate(STATUS_LOG_JS)


def status_times(page, status: str) -> list[int]:
    """Page-clock times at which the recorder entered ``status`` (repeats of a state skipped)."""
    times, previous = [], None
    for e in page.evaluate("window.__rw"):
        if e["status"] == status and previous != status:
            times.append(e["t"])
        previous = e["status"]
    return times


def wait_status(page, status: str, timeout: float = 60_000) -> None:
    page.locator(f".rw-recorder[data-status='{status}']").first.wait_for(timeout=timeout)


def recorded_ms(page, nth: int) -> int:
    """Page-clock time between the nth start of recording and the following Stop."""
    return status_times(page, "saving")[nth] - status_times(page, "recording")[nth]


#: The page's clip player has its captions: the cues of its <track> are read.
CAPTIONS_LOADED_JS = ("() => { const v = document.querySelector('video.rw-clip-video');"
                      " const t = v && v.textTracks[0]; return !!(t && t.cues && t.cues.length); }")


def wait_captions_loaded(page, timeout: float = 30_000) -> None:
    """The clip's captions arrived (under a hub, a plain <track> was refused: 403)."""
    page.wait_for_function(CAPTIONS_LOADED_JS, timeout=timeout)


def turn_camera_on(page) -> None:
    """The camera is off until the trainee chooses: press "Turn camera on", wait for the preview."""
    page.get_by_role("button", name="Turn camera on", exact=True).click()
    wait_status(page, "ready")


def record_answer(page, seconds: float, button: str = "Record my answer") -> None:
    """Press ``button`` (the camera opens if it is off, then the countdown), answer for
    ``seconds`` once recording has started, Stop, and wait until the kernel has saved it."""
    page.get_by_role("button", name=button, exact=True).click()
    wait_status(page, "recording", timeout=30_000)
    page.wait_for_timeout(int(seconds * 1000))
    page.get_by_role("button", name="Stop recording", exact=True).click()
    wait_status(page, "saved", timeout=30_000)


# -- geometry: what a phone's width cuts off (tests/browser/test_phone_layout.py) -------------

CLIPPED_JS = """
() => {
  const W = document.documentElement.clientWidth, out = [];
  const name = (el) => {
    const text = (el.getAttribute('aria-label') || el.innerText || el.value || el.title ||
                  el.getAttribute('src') || '').trim().replace(/\\s+/g, ' ').slice(0, 50);
    const cls = (el.className && el.className.baseVal === undefined ? el.className : '')
      .split(' ').filter((c) => c.startsWith('rw-') || c.startsWith('widget-')).slice(0, 2);
    return `${el.tagName.toLowerCase()}${cls.length ? '.' + cls.join('.') : ''} "${text}"`;
  };
  for (const el of document.querySelectorAll('button, input, select, textarea, label, video')) {
    const s = getComputedStyle(el), r = el.getBoundingClientRect();
    if (!el.getClientRects().length || s.visibility === 'hidden' || r.width === 0) continue;
    if (el.type === 'hidden') continue;
    const box = {left: Math.round(r.left), right: Math.round(r.right), viewport: W,
                 scrollWidth: el.scrollWidth, clientWidth: el.clientWidth};
    if (r.left < -0.5 || r.right > W + 0.5)
      out.push({what: name(el), why: 'beyond the viewport', ...box});
    else if (el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1)
      out.push({what: name(el), why: s.textOverflow === 'ellipsis' ? 'text cut (ellipsis)'
                                                                 : 'text cut', ...box});
  }
  // labels too: a label wrapped onto two lines in a row of fixed height runs into the next
  const controls = [...document.querySelectorAll('button, input, select, textarea, video, label')]
    .filter((el) => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden');
  // a row pinned in view (position sticky or fixed: the throw-away server's buttons) lies over
  // whatever scrolls under it by design; controls pinned together are still checked
  const pinned = (el) => { for (let e = el; e; e = e.parentElement) {
      if (/sticky|fixed/.test(getComputedStyle(e).position)) return e; } return null; };
  for (let i = 0; i < controls.length; i++) {
    for (let j = i + 1; j < controls.length; j++) {
      const a = controls[i], b = controls[j];
      if (a.contains(b) || b.contains(a) || pinned(a) !== pinned(b)) continue;
      const p = a.getBoundingClientRect(), q = b.getBoundingClientRect();
      const dx = Math.min(p.right, q.right) - Math.max(p.left, q.left);
      const dy = Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top);
      if (dx > 2 && dy > 2)
        out.push({what: name(a), why: 'overlaps ' + name(b), overlap: [Math.round(dx),
                                                                      Math.round(dy)]});
    }
  }
  for (const el of document.querySelectorAll('.widget-html, .widget-htmlmath')) {
    const r = el.getBoundingClientRect(), text = el.innerText.trim();
    if (el.getClientRects().length && r.width > 0 && r.width < 96 && text.length > 24)
      out.push({what: name(el), why: 'text squeezed into a narrow column',
                width: Math.round(r.width), viewport: W});
  }
  // a box that scrolls (or cuts) sideways; an area meant to scroll is named *-scroll
  for (const el of document.querySelectorAll('#rendered_cells *')) {
    const ox = getComputedStyle(el).overflowX;
    if (ox === 'visible' || el.clientWidth <= 1 || /-scroll\\b/.test(String(el.className)))
      continue;
    const control = el.matches('button, input, select, textarea, label');  // checked above
    if (!control && el.scrollWidth > el.clientWidth + 1)
      out.push({what: name(el), why: `box ${/auto|scroll/.test(ox) ? 'scrolls' : 'cuts'} sideways`,
                scrollWidth: el.scrollWidth, clientWidth: el.clientWidth});
  }
  for (const el of [document.documentElement, document.getElementById('rendered_cells')]) {
    if (el && el.scrollWidth > el.clientWidth + 1)
      out.push({what: el.id ? '#' + el.id : 'html', why: 'scrolls sideways',
                scrollWidth: el.scrollWidth, clientWidth: el.clientWidth, viewport: W});
  }
  return out;
}
"""


def clipped_controls(page) -> list[dict]:
    """Every visible button, input, select, textarea, label and video whose box reaches beyond
    the viewport's width or whose content is wider than its box (scrollWidth > clientWidth:
    a label cut by overflow or by text-overflow: ellipsis), controls overlapping one another,
    text (an HTML widget) squeezed into a column under 6 rem (a control in a row pinned in view,
    position sticky or fixed, is not compared with what scrolls under it), a box that scrolls or cuts its
    content sideways (except an area meant to scroll, class ``*-scroll``: a wide table), and
    the page itself if it scrolls sideways. Each: what (tag, rw-/widget- classes, text), why,
    and the measures."""
    return page.evaluate(CLIPPED_JS)


# -- focus: where a keyboard user is -----------------------------------------------------------

def focused(page) -> str:
    """What has keyboard focus: its tag, role-ish name and text, for assertions and messages."""
    return page.evaluate("""() => { const e = document.activeElement;
        return e ? `${e.tagName.toLowerCase()}|${(e.getAttribute('aria-label') || e.textContent || '').trim()}` : ''; }""")


def wait_focus(page, pattern: str) -> None:
    page.wait_for_function("""(p) => { const e = document.activeElement; if (!e) return false;
        const t = `${e.tagName.toLowerCase()}|${(e.getAttribute('aria-label') || e.textContent || '').trim()}`;
        return new RegExp(p).test(t); }""", arg=pattern, timeout=15_000)
