"""The practice app on a throw-away server (RUPTURE_EPHEMERAL=1), as `rupture serve` starts it,
in Debian's Chromium with the fake camera: the notice, the reminder before leaving (and the app
still alive after "Stay"), Download my work, then on a fresh server and a fresh workspace, the
same name and Restore my work: every attempt and every recording back, byte for byte. A bad
bundle and someone else's are refused in plain words. Off such a server: none of it."""
from __future__ import annotations

import hashlib
import time
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError

from browser_support import clipped_controls, record_answer, wait_status
from test_accessibility import BLOCKING, axe_violations, describe
from views import (PRACTICE_VIEWS, make_answer_webm, new_page, practice_clip, practice_views,
                   seed_sent_attempt, start_app)

EPHEMERAL = {"RUPTURE_EPHEMERAL": "1", "RUPTURE_IDLE_MINUTES": "10"}
NOTICE = ("This is a temporary server: it stops after about 10 minutes without use and keeps "
          "nothing. Download your work before you leave, and restore it next time.")


def serve(folder: Path, name: str):
    return start_app(folder / f"{name}-workspace", folder / f"{name}.log", env_extra=EPHEMERAL)


def wait_guard(page, state: str) -> None:
    """The reminder is on ("on") or off ("off"); the kernel looks every 2 s."""
    page.wait_for_function("(s) => document.body.dataset.rwLeaveGuard === s", arg=state,
                           timeout=20_000)


def try_to_leave(page) -> list[str]:
    """Close the tab as a person would (the page's beforeunload runs); answer "Stay" to any
    dialog. Returns the dialogs' types."""
    dialogs = []

    def stay(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", stay)
    page.close(run_before_unload=True)
    for _ in range(30):
        if dialogs or page.is_closed():
            break
        try:
            page.wait_for_timeout(100)  # Playwright delivers the dialog event while called
        except PlaywrightError:  # the page closed meanwhile
            break
    if not page.is_closed():
        page.remove_listener("dialog", stay)
    return dialogs


def sign_in(page, server, name: str) -> None:
    page.goto(server.app_url)
    page.get_by_role("textbox", name="Your name").fill(name)
    page.get_by_role("button", name="Start practising").click()
    page.get_by_role("button", name="Download my work").wait_for()


def restore(page, bundle: Path) -> None:
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Restore my work").click()
    chooser.value.set_files(str(bundle))


def work_of(workspace: Path, trainee: str) -> tuple[list, dict]:
    """The attempt records, and the SHA-256 of every recording file."""
    from rupture_widgets.workbook import Workspace

    wb = Workspace(workspace).workbook(trainee)
    recordings = {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
                  for p in sorted(wb.recordings_dir.glob("*"))}
    return [dict(r) for r in wb.records().attempts], recordings


def test_download_then_restore_on_a_fresh_server_gives_back_the_same_work(browser, tmp_path):
    clip = practice_clip()
    first = serve(tmp_path, "first")
    try:
        with new_page(browser) as page:
            page.goto(first.app_url)
            page.get_by_role("note").filter(has_text=NOTICE).wait_for()
            sign_in(page, first, "Robin Temp")
            page.get_by_role("note").filter(has_text=NOTICE).wait_for()  # every view
            wait_guard(page, "off")  # nothing to lose yet
            page.get_by_role("button", name=f"Practise: {clip.title}").click()
            record_answer(page, 2.0)
            page.get_by_role("button", name="2", exact=True).click()
            page.get_by_role("button", name="Save self-assessment").click()
            page.get_by_text("That felt easy").wait_for()
            page.get_by_role("button", name="Record again").click()
            wait_status(page, "ready")  # back to the preview
            record_answer(page, 2.0)
            wait_guard(page, "on")

            assert try_to_leave(page) == ["beforeunload"]
            assert not page.is_closed()
            # "Stay" kept the kernel: Voilà's own beforeunload (its kernel shutdown) did not run
            page.get_by_role("button", name="My progress").click()
            page.get_by_role("heading", name="Your progress").wait_for()

            with page.expect_download() as download:
                page.get_by_role("button", name="Download my work").click()
            today = datetime.now(timezone.utc).strftime("%Y-%m-%d")
            assert download.value.suggested_filename == f"rupture-robin.temp-{today}.zip"
            bundle = tmp_path / download.value.suggested_filename
            download.value.save_as(bundle)
            page.get_by_role("status").filter(has_text=f"Saved rupture-robin.temp-{today}.zip"
                                              ).wait_for()
            wait_guard(page, "off")
            assert try_to_leave(page) == [] and page.is_closed()  # no warning after it
        attempts, recordings = work_of(tmp_path / "first-workspace", "robin.temp")
    finally:
        first.stop()
    assert len(attempts) == 2 and len(recordings) == 2
    assert attempts[0]["self_assessment"]["difficulty"] == 2
    with zipfile.ZipFile(bundle) as z:
        assert "manifest.json" in z.namelist()

    second = serve(tmp_path, "second")  # a new launch: a fresh server, an empty workspace
    try:
        with new_page(browser) as page:
            sign_in(page, second, "Robin Temp")
            card = page.locator(f".rw-clip-card[data-clip='{clip.id}']").first
            card.get_by_text("Not practised yet").wait_for()
            restore(page, bundle)
            page.get_by_role("status").filter(has_text=f"Restored from {bundle.name}: 2 attempts "
                                              "and 2 recordings added.").wait_for()
            card.get_by_text("Practised 2 times").wait_for()  # the library shows them at once
            page.get_by_role("button", name=f"Practise: {clip.title}").click()
            page.get_by_role("button", name="Play attempt 2", exact=True).wait_for()
            page.wait_for_timeout(2500)  # one look of the kernel: a restore is not new work
            wait_guard(page, "off")
            assert try_to_leave(page) == []
        assert work_of(tmp_path / "second-workspace", "robin.temp") == (attempts, recordings)
    finally:
        second.stop()


def test_a_damaged_bundle_and_someone_elses_are_refused_in_plain_words(browser, tmp_path):
    from rupture_widgets.bundles import export_bundle
    from rupture_widgets.workbook import Workspace

    seeded = tmp_path / "seeded"
    seed_sent_attempt(seeded, make_answer_webm(tmp_path / "answer.webm"))
    good = tmp_path / "rupture-alex.morgan.zip"
    export_bundle(Workspace(seeded), good, trainee="alex.morgan")
    damaged = tmp_path / "damaged.zip"
    data = bytearray(good.read_bytes())
    with zipfile.ZipFile(good) as z:  # one byte of the recording, flipped where it is stored
        info = next(i for i in z.infolist() if i.filename.endswith(".webm"))
    at = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra) + 500
    data[at] ^= 0xFF
    damaged.write_bytes(bytes(data))

    server = serve(tmp_path, "server")
    try:
        with new_page(browser) as page:
            sign_in(page, server, "Sam Other")
            restore(page, good)
            page.get_by_role("alert").filter(
                has_text="holds the work of alex.morgan, not yours (sam.other)").wait_for()
        with new_page(browser) as page:
            sign_in(page, server, "Alex Morgan")
            restore(page, damaged)
            alert = page.get_by_role("alert").filter(has_text="The bundle damaged.zip was not "
                                                     "imported")
            alert.wait_for()
            assert "Traceback" not in page.content()
            restore(page, good)  # the same button works again after a refusal
            page.locator(".rw-work-status [role='status']").wait_for()
        assert work_of(tmp_path / "server-workspace", "alex.morgan") == work_of(seeded,
                                                                               "alex.morgan")
        assert Workspace(tmp_path / "server-workspace").trainees() == ["alex.morgan",
                                                                       "sam.other"]
        assert work_of(tmp_path / "server-workspace", "sam.other") == ([], {})
    finally:
        server.stop()


@pytest.mark.parametrize("width", [1280, 400])
def test_every_view_with_the_bar_passes_axe_and_fits(browser, tmp_path, width):
    server = serve(tmp_path, "server")
    problems, seen = [], []
    try:
        with new_page(browser, width=width, height=800 if width == 400 else 1000) as page:
            for view in practice_views(page, server, trainee="Robin Axe"):
                seen.append(view)
                page.get_by_role("note").filter(has_text=NOTICE).wait_for()
                if view != "name-box":
                    page.locator(".rw-work-bar").wait_for()
                problems += describe(view, [v for v in axe_violations(page)
                                            if v["impact"] in BLOCKING])
                if width == 400:
                    page.wait_for_timeout(300)
                    problems += [f"[{view}] {c}" for c in clipped_controls(page)]
            # the row stays in reach at the bottom of a long page
            page.evaluate("document.getElementById('rendered_cells').scrollTo(0, 1e6)")
            page.wait_for_timeout(300)
            box = page.get_by_role("button", name="Download my work").bounding_box()
            assert box is not None and 0 <= box["y"] <= 40, box
    finally:
        server.stop()
    assert seen == list(PRACTICE_VIEWS)
    assert not problems, "\n".join(problems)


def test_off_a_throwaway_server_there_is_no_notice_no_buttons_and_no_warning(browser,
                                                                             voila_server):
    with new_page(browser) as page:
        page.goto(voila_server.app_url)
        page.get_by_role("textbox", name="Your name").fill("Robin Local")
        page.get_by_role("button", name="Start practising").click()
        page.get_by_role("button", name=f"Practise: {practice_clip().title}").click()
        record_answer(page, 1.5)
        page.wait_for_timeout(2500)
        assert page.locator(".rw-work-bar, .rw-work-notice").count() == 0
        assert page.get_by_role("button", name="Download my work").count() == 0
        assert page.evaluate("document.body.dataset.rwLeaveGuard") is None
        assert try_to_leave(page) == [] and page.is_closed()


def test_the_layout_check_lets_a_pinned_row_lie_over_content_but_not_over_itself(
        browser, voila_server):
    """clipped_controls skips a sticky row over what scrolls under it (the bar's design), and
    still reports two controls overlapping inside that row."""
    with new_page(browser, width=400, height=800) as page:
        page.goto(voila_server.app_url)
        page.get_by_role("textbox", name="Your name").wait_for()
        page.evaluate("""() => {
            const row = document.createElement('div');
            row.style.cssText = 'position:sticky;top:0;height:40px;margin-bottom:-40px';
            const a = document.createElement('button'); a.textContent = 'pinned a';
            const b = document.createElement('button'); b.textContent = 'pinned b';
            b.style.cssText = 'margin-left:-30px';
            row.append(a, b);
            const under = document.createElement('button'); under.textContent = 'under';
            document.querySelector('#rendered_cells').prepend(row, under); }""")
        found = {(c["what"], c["why"]) for c in clipped_controls(page)}
    assert ('button "pinned a"', 'overlaps button "pinned b"') in found
    assert not [f for f in found if "under" in f[0] or "under" in f[1]], found


def test_leaving_after_the_reminder_still_ends_the_kernel(browser, tmp_path):
    """"Leave" (after "Stay" had kept it): Voilà's own shutdown runs once the page goes."""
    server = serve(tmp_path, "server")
    try:
        with new_page(browser) as page:
            sign_in(page, server, "Robin Leaves")
            page.get_by_role("button", name=f"Practise: {practice_clip().title}").click()
            record_answer(page, 1.5)
            wait_guard(page, "on")
            assert try_to_leave(page) == ["beforeunload"] and not page.is_closed()
            before = server.log.read_text().count("Kernel shutdown:")
            page.on("dialog", lambda dialog: dialog.accept())
            with page.expect_event("close", timeout=10_000):  # (delivers the dialog event)
                page.close(run_before_unload=True)
            for _ in range(100):
                if server.log.read_text().count("Kernel shutdown:") > before:
                    break
                time.sleep(0.1)
            assert server.log.read_text().count("Kernel shutdown:") == before + 1
    finally:
        server.stop()


def test_a_restore_arrives_in_order_when_the_disk_answers_out_of_order(browser, tmp_path):
    """File.slice().arrayBuffer() may resolve out of order (a slow read of the first slice):
    the pieces must still go in order. Regression: sent as each read finished, piece 1
    overtook piece 0 and the upload was refused as "did not arrive whole" (seen once with a
    93 MB bundle; made certain here by slowing the first read)."""
    from rupture_widgets.bundles import export_bundle
    from rupture_widgets.workbook import Workspace

    seeded = tmp_path / "seeded"
    seed_sent_attempt(seeded, make_answer_webm(tmp_path / "answer.webm", seconds=30.0))
    bundle = tmp_path / "rupture-alex.morgan.zip"
    export_bundle(Workspace(seeded), bundle, trainee="alex.morgan")
    assert bundle.stat().st_size > 1024 * 1024  # two pieces or more
    server = serve(tmp_path, "server")
    try:
        with new_page(browser) as page:
            sign_in(page, server, "Alex Morgan")
            page.evaluate("""() => { const read = Blob.prototype.arrayBuffer; let n = 0;
                Blob.prototype.arrayBuffer = function () { const first = n++ === 0;
                  return read.call(this).then((b) => new Promise((ok) =>
                    setTimeout(() => ok(b), first ? 400 : 0))); }; }""")
            restore(page, bundle)
            page.get_by_role("status").filter(has_text="Restored from rupture-alex.morgan.zip"
                                              ).wait_for(timeout=30_000)
        assert work_of(tmp_path / "server-workspace", "alex.morgan") == work_of(seeded,
                                                                               "alex.morgan")
    finally:
        server.stop()
