"""N trainees at once through the hub: the local deployment (deploy/local/), loopback only.

`python -m bench.hub_load [--ns 1,2,4,6,8] [--rounds 2]` (as root: it makes Unix users t01…,
and removes them after). Each trainee has their own server, started through the hub before the
round (as at sign-in). In a round, N trainees, each in their own Chromium context signed in to
the hub, open the practice app at the same moment and log an attempt: pick a clip, record 2 s
with the fake camera, Stop, until the kernel says "saved". Figures: time-to-interactive
(navigation → the first clip's "Practise" button, on the page's own clock), navigation → attempt
logged, and the resident memory of each trainee's processes (their server and its kernels,
summed by Unix user with psutil) once the attempt is logged. Baseline: N = 1 in the same run.
The N at which the median time-to-interactive is twice the baseline's is reported (or that it
was not reached at the largest N tried). Every loop is bounded; nothing leaves 127.0.0.1.
Writes its own section of docs/benchmarks.md; `python -m bench` keeps it as it is.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from pathlib import Path

from ._browser import BASE_ARGS, CHROMIUM, FAKE_MEDIA_ARGS, ROOT, write_y4m
from .startup import WATCH_JS

sys.path[:0] = [str(ROOT / "tests" / "hub"), str(ROOT / "tests")]
DOC = ROOT / "docs" / "benchmarks.md"
HEADING = "## (h) A programme on JupyterHub: trainees at once"


async def one_trainee(browser, hub, name: str, clip_title: str, start: asyncio.Event) -> dict:
    ctx = await browser.new_context(permissions=["camera", "microphone"])
    try:
        page = await ctx.new_page()
        page.set_default_timeout(180_000)
        await page.goto(hub.base + "/hub/login?next=%2Fhub%2Fhome")  # no app, no kernel yet
        await page.locator("#username_input").fill(name)
        await page.locator("#password_input").fill(hub.passwords[name])
        await page.locator("#login_submit").click()
        await page.wait_for_url("**/hub/home")
        await page.add_init_script(WATCH_JS % json.dumps("Practise"))  # a clip card
        await start.wait()  # everyone opens the app at once
        await page.goto(hub.base + f"/user/{name}/voila/render/notebooks/practice.ipynb")
        await page.wait_for_function("window.__interactive_ms", timeout=180_000)
        tti = await page.evaluate("window.__interactive_ms") / 1000
        await page.get_by_role("button", name=f"Practise: {clip_title}").click()
        await page.evaluate("""() => { window.__saved = 0; new MutationObserver(() => {
            const r = document.querySelector('.rw-recorder');
            if (r && r.dataset.status === 'saved' && !window.__saved)
              window.__saved = performance.now(); }).observe(document,
            {subtree: true, attributes: true, childList: true}); }""")
        await page.get_by_role("button", name="Record my answer", exact=True).click()
        await page.wait_for_selector(".rw-recorder[data-status='recording']", timeout=60_000)
        await page.wait_for_timeout(2000)
        await page.get_by_role("button", name="Stop recording", exact=True).click()
        await page.wait_for_function("window.__saved", timeout=120_000)
        logged = await page.evaluate("window.__saved") / 1000
        # the page still open: the server and the kernel serving it
        return {"tti_s": tti, "logged_s": logged, "rss_mb": rss_mb_of([name])[name]}
    except Exception:
        await page.screenshot(path=f"/tmp/rupture-hub-load-{name}.png")
        print(f"{name} failed at {page.url}", flush=True)
        raise
    finally:
        await ctx.close()


def rss_mb_of(names) -> dict[str, float]:
    import psutil

    out = {n: 0.0 for n in names}
    for p in psutil.process_iter(["username", "memory_info"]):
        if p.info["username"] in out and p.info["memory_info"]:
            out[p.info["username"]] += p.info["memory_info"].rss / 2**20
    return out


def end_kernels(clients) -> None:
    """Every kernel of every trainee, ended through their server's API between rounds: a
    context closed without its page's unload sends no shutdown, and the culler would take 10
    minutes, so the next round would count the last round's kernels."""
    for c in clients:
        status, body = c.request("GET", f"/user/{c.name}/api/kernels")
        for k in json.loads(body) if status == 200 else []:
            c.request("DELETE", f"/user/{c.name}/api/kernels/{k['id']}")


async def rounds(hub, users, ns, n_rounds, camera, clients) -> dict:
    from playwright.async_api import async_playwright

    from views import practice_clip

    clip = practice_clip()
    results = {}
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=(
            BASE_ARGS + FAKE_MEDIA_ARGS + [f"--use-file-for-fake-video-capture={camera}"]))
        try:
            for n in ns:
                per = {"tti_s": [], "logged_s": [], "rss_mb": [], "failed": 0, "why": [],
                       "load": os.getloadavg()[0]}
                for _ in range(n_rounds):
                    start = asyncio.Event()
                    tasks = [asyncio.create_task(one_trainee(browser, hub, u, clip.title,
                                                             start)) for u in users[:n]]
                    await asyncio.sleep(0)
                    # every context signed in and waiting before the common start
                    await asyncio.sleep(5 + 2 * n)
                    start.set()
                    done = await asyncio.gather(*tasks, return_exceptions=True)
                    got = [g for g in done if isinstance(g, dict)]
                    per["failed"] = per.get("failed", 0) + len(done) - len(got)
                    for e in done:
                        if not isinstance(e, dict):
                            print(f"N={n}: a trainee's round failed: {e!r:.300}", flush=True)
                            per["why"].append(str(e).splitlines()[0][:160])
                    per["tti_s"] += [g["tti_s"] for g in got]
                    per["logged_s"] += [g["logged_s"] for g in got]
                    per["rss_mb"] += [g["rss_mb"] for g in got]
                    end_kernels(clients[:n])
                results[n] = per
                print(f"N={n}: TTI median {statistics.median(per['tti_s']):.2f} s, logged "
                      f"{statistics.median(per['logged_s']):.2f} s, memory "
                      f"{statistics.median(per['rss_mb']):.0f} MB/trainee", flush=True)
        finally:
            await browser.close()
    return results


def report(results: dict, n_rounds: int) -> str:
    ns = sorted(results)
    base = statistics.median(results[ns[0]]["tti_s"])
    doubled = next((n for n in ns if statistics.median(results[n]["tti_s"]) >= 2 * base), None)
    rows = ["| trainees at once | time-to-interactive (median, max) | navigation → attempt "
            "logged (median) | memory per trainee (median) | × one trainee | not logged | "
            "load average |", "|---|---|---|---|---|---|---|"]
    for n in ns:
        r = results[n]
        tti = statistics.median(r["tti_s"])
        rows.append(f"| {n}{' (baseline)' if n == ns[0] else ''} | {tti:.2f} s, "
                    f"{max(r['tti_s']):.2f} s | {statistics.median(r['logged_s']):.2f} s | "
                    f"{statistics.median(r['rss_mb']):.0f} MB | {tti / base:.2f}× | "
                    f"{r['failed']} of {n * n_rounds} | {r['load']:.1f} |")
    failures = [f"N = {n}: {why}" for n in ns for why in results[n].get("why", [])]
    verdict = (f"Time-to-interactive doubles at **N = {doubled}**." if doubled else
               f"Time-to-interactive had not doubled at N = {ns[-1]}, the most tried.")
    return "\n".join([
        HEADING, "",
        f"`python -m bench.hub_load` (as root) on {time.strftime('%Y-%m-%d')}: the local "
        "deployment (deploy/local/, every server its own Unix user), N trainees each in their "
        "own Chromium context open the practice app at the same moment and log a 2 s answer "
        f"through the hub's proxy; {n_rounds} rounds per N, every trainee's figure counted. "
        "Time-to-interactive is navigation → the first clip's \"Practise\" button on the page's "
        "clock (the server already running, as after sign-in; Voilà starts a kernel per page). "
        "Memory is the resident memory of each trainee's processes (their server and kernels) "
        "once the attempt is logged, the page still open (every kernel is ended between rounds "
        "through the server's API: a Playwright context closed without its page's unload "
        "sends no shutdown, and the culler would take 10 minutes). Chromium itself runs on the same 2 "
        "cores, as does whatever else the machine runs (the load average when each N began is "
        "in the table): the ratios are what to read. \"Not logged\": trainees whose answer "
        "did not reach \"saved\" in the time allowed (3 minutes to load the page, 1 to start "
        "recording, 2 to be saved), each listed below the table with what failed.", "",
        *rows, "", verdict, "",
        "Not logged: " + ("; ".join(failures).rstrip(".") if failures else "none") + "."])


def write_section(text: str) -> None:
    """Replace this benchmark's section (a heading of its own, which `python -m bench` keeps
    as it keeps every section it did not measure), or add it at the end."""
    doc = DOC.read_text(encoding="utf-8")
    if HEADING in doc:
        start = doc.index(HEADING)
        nxt = doc.find("\n## ", start + len(HEADING))
        doc = doc[:start] + text + ("\n" + doc[nxt:] if nxt != -1 else "\n")
    else:
        doc = doc.rstrip("\n") + "\n\n" + text + "\n"
    DOC.write_text(doc, encoding="utf-8")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ns", default="1,2,4,6,8")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args(argv)
    ns = sorted({int(n) for n in args.ns.split(",")})
    # a prefix of its own, so that it never meets a hub test's users or exchange
    os.environ.setdefault("RUPTURE_HUB_TEST_PREFIX", "/opt/rupture-hub-bench")
    from hub_client import HubUser
    from hub_deployment import Deployment, require_root_and_hub

    why = require_root_and_hub()
    if why:
        raise SystemExit(why)
    users = [f"t{i:02d}" for i in range(1, max(ns) + 1)]
    log = Path("/tmp/rupture-hub-load.log")
    hub = Deployment({u: "trainee" for u in users}, log).up()
    try:
        clients = [HubUser(hub.base, u, hub.passwords[u]).login() for u in users]
        for c in clients:  # each server up first, as at sign-in
            c.start_server()
        camera = write_y4m(Path("/tmp/rupture-hub-load-camera.y4m"))
        results = asyncio.run(rounds(hub, users, ns, args.rounds, camera, clients))
    finally:
        hub.down()
    text = report(results, args.rounds)
    print(text)
    if not args.no_write:
        write_section(text)


if __name__ == "__main__":
    main()
