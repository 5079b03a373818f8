"""AnswerPlayer in Chromium: a real WebM arrives through the kernel, plays, reports, seeks.

JupyterLab is heavy, so the player is served in a one-cell notebook by Voilà, the way
`rupture serve` serves the app (same command line and voila.json, bench/startup.py's baseline).
The recording lies outside the served folder and its path reaches the kernel in an environment
variable: the page can only get it through the widget's comm (docs/decisions.md #7).
"""
from __future__ import annotations

import re
import shutil

import nbformat
import pytest

from browser_support import ROOT, Server, free_port
from webm_media import make_webm

LABEL = "Your recorded answer to Maya"

CELL = f'''import os
import ipywidgets as w
import rupture_widgets.widgets.answer_player as answer_player
from rupture_widgets.widgets import AnswerPlayer

answer_player.PLAYBACK_PART_BYTES = 64 * 1024  # small pieces: the page must ack several

player = AnswerPlayer(label={LABEL!r})
player.load(os.environ["RUPTURE_TEST_ANSWER"])  # before any page shows it, as apps do
seek = w.Button(description="Seek to 3 s")
seek.on_click(lambda _: player.seek(3.0))
shown = w.Label(value="time: 0.00")
state = w.Label(value="loaded: False")

def show_time(change):
    shown.value = f"time: {{player.current_time:.2f}}"

def show_state(change):
    state.value = (f"loaded: {{player.loaded}} duration: {{player.duration}} "
                   f"playing: {{player.playing}}")

player.observe(show_time, "current_time")
player.observe(show_state, ["loaded", "duration", "playing"])
w.VBox([player, seek, shown, state])'''

# The kernel's report of current_time, as the Label shows it.
LABEL_TIME_JS = """() => {
  const el = [...document.querySelectorAll('.widget-label')]
    .find((e) => (e.textContent || '').startsWith('time:'));
  return el ? parseFloat(el.textContent.slice(5)) : NaN;
}"""


@pytest.fixture
def player_server(tmp_path, request):
    from rupture_widgets.server.serve import serve_environment, voila_command

    served = tmp_path / "served"
    served.mkdir()
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(CELL)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    notebook = served / "answer_player.ipynb"
    nbformat.write(nb, notebook)
    shutil.copy(ROOT / "notebooks" / "voila.json", served / "voila.json")
    (tmp_path / "private").mkdir()
    answer = make_webm(tmp_path / "private" / "answer.webm", seconds=getattr(request, "param", 6.0))

    env = serve_environment(tmp_path / "workspace")
    env["RUPTURE_TEST_ANSWER"] = str(answer)
    port = free_port()
    server = Server(voila_command(port, notebook=notebook, root=served), port, env, served,
                    tmp_path / "voila.log")
    yield server
    server.stop()


def test_a_recording_plays_through_the_kernel_reports_its_time_and_seeks(page, player_server):
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(player_server.app_url)

    video = page.locator("video.rw-answer-video")
    video.wait_for()
    assert video.get_attribute("aria-label") == LABEL
    assert video.evaluate("v => v.controls")  # native controls: keyboard operable
    page.wait_for_function("document.querySelector('video.rw-answer-video').readyState >= 1")
    assert video.evaluate("v => v.src").startswith("blob:")
    assert video.evaluate("v => v.duration") == pytest.approx(6.0, abs=0.3)
    # streamed piece by piece, not the fallback's one Blob (a test answer whose first block
    # was at -7 ms was refused by Media Source, so this test only ever played the fallback)
    assert page.locator(".rw-answer-player").get_attribute("data-via") == "stream"
    state = page.get_by_text(re.compile(r"^loaded: True duration: [\d.]+"))
    state.wait_for()
    duration = float(re.search(r"duration: ([\d.]+)", state.text_content()).group(1))
    assert duration == pytest.approx(6.0, abs=0.3)

    page.get_by_role("button", name="Seek to 3 s").click()
    page.wait_for_function(
        "Math.abs(document.querySelector('video.rw-answer-video').currentTime - 3) < 0.3")
    page.wait_for_function(f"Math.abs(({LABEL_TIME_JS})() - 3) < 0.3")

    video.evaluate("v => v.play()")
    page.wait_for_function(f"({LABEL_TIME_JS})() > 3.6")  # the kernel hears it advance
    page.get_by_text(re.compile(r"playing: True$")).wait_for()
    assert video.evaluate("v => !v.paused && v.currentTime > 3.5")

    # the recording never travelled as a file request: only the widget's comm carried it
    assert not [u for u in requests if u.startswith("http") and ".webm" in u]


# Safari's (and Firefox's) rule, which Chromium's own policy is kinder than: a media element
# may start sound only inside a person's gesture, or once it has been played inside one.
STRICT_AUTOPLAY_JS = """
(() => {
  const gestures = new Set(["click", "pointerdown", "pointerup", "keydown", "keyup", "touchend"]);
  const allowed = new WeakSet();
  const inGesture = () => !!(window.event && window.event.isTrusted &&
                             gestures.has(window.event.type));
  const realPlay = HTMLMediaElement.prototype.play;
  HTMLMediaElement.prototype.play = function () {
    if (inGesture()) allowed.add(this);
    if (!this.muted && !allowed.has(this)) {
      return Promise.reject(new DOMException("play() needs a user gesture", "NotAllowedError"));
    }
    return realPlay.call(this);
  };
})();
"""

PLAYING_JS = ("() => { const v = document.querySelector('.rw-answer-video');"
              " return v && !v.paused && v.currentTime > 0.5; }")


def test_play_attempt_n_plays_the_answer(page, voila_server):
    """Reported: "Play attempt N" loaded the answer but left it paused at 0:00. The play()
    arrives through the kernel, after the click: a browser that wants a gesture refused it, and
    the refusal was swallowed."""
    from browser_support import record_answer
    from test_practice_voila import open_app

    page.context.add_init_script(STRICT_AUTOPLAY_JS)
    open_app(page, voila_server, "Play Presser")
    record_answer(page, 4)
    page.get_by_role("button", name="Play attempt 1").click()
    page.wait_for_function(PLAYING_JS, timeout=15_000)
    video = page.locator(".rw-answer-video")
    assert not video.evaluate("v => v.muted")  # with its sound


LONG_S = 30.0


@pytest.mark.parametrize("player_server", [LONG_S], indirect=True)
def test_a_long_answer_starts_playing_before_its_last_piece_arrives(page, player_server):
    """Streamed (Media Source Extensions): playable after the first pieces, not all of them."""
    page.add_init_script("""
      window.__states = [];
      new MutationObserver(() => {
        const p = document.querySelector('.rw-answer-player');
        if (p) window.__states.push([p.dataset.state, p.dataset.pieces || '']);
      }).observe(document, {attributes: true, subtree: true,
                            attributeFilter: ['data-state', 'data-pieces']});
    """)
    page.goto(player_server.app_url)
    page.locator(".rw-answer-player[data-state='loaded']").wait_for()
    states = page.evaluate("window.__states")
    playable = [p for s, p in states if s == "playable"]
    assert playable, states
    got, parts = map(int, playable[0].split("/"))
    assert got < parts, states  # it could play while later pieces were still on their way
    video = page.locator("video.rw-answer-video")
    assert video.evaluate("v => v.src").startswith("blob:")  # a MediaSource's: still private
    assert video.evaluate("v => v.duration") == pytest.approx(LONG_S, abs=0.3)
    video.evaluate("v => { v.currentTime = v.duration - 2; return v.play(); }")
    page.wait_for_function("() => document.querySelector('video.rw-answer-video').ended",
                           timeout=15_000)
