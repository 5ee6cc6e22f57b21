"""A graded class in real headless Chromium: `pmsim serve --class CODE`, two students in two
browser tabs. A wrong PIN is refused; each student joins with the class code, their name and
PIN, reads the briefing and plays a round; the class report then lists both games as played on
the class server (verified). The database URL is never on a command line, and stopping the
server leaves no process behind (checked by pid).

Skipped (with the reason) when no Chromium is installed, except on CI (see test_browser.py).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import urllib.request
import uuid
from pathlib import Path

import aiohttp
from cdp import CAPTURE_JS, CDP, find_browser, free_port, kill_group, start_browser, wait_http
from test_browser import is_app, need, processes_mentioning
from tui_helpers import small_text

ROOT = Path(__file__).resolve().parents[2]


def test_two_students_join_play_and_are_verified(tmp_path):
    browser = find_browser()
    need("Chromium", browser is not None)
    try:
        import textual_serve  # noqa: F401
    except ImportError:
        need("textual-serve", False)
    from pmsim.storage.saves import SaveStore

    db = tmp_path / "graded-class.sqlite3"
    url = f"sqlite:///{db}"
    with SaveStore(url) as store:
        code = store.create_class("PM 101", small_text(), 11).code
        pins = {s.name: pin for s, pin in store.add_students(code, ["Ada", "Bob"])}
    port, debug_port = free_port(), free_port()
    marker = f"pmsim-class-browser-{uuid.uuid4().hex}"
    env = dict(os.environ, PMSIM_DB_URL=url, PMSIM_TEST_MARK=marker, PMSIM_CONFIG_DIR=str(tmp_path / "config"))
    log = open(tmp_path / "serve.log", "wb")
    server = subprocess.Popen([sys.executable, "-m", "pmsim", "serve", "--class", code, "--port", str(port)],
                              cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    chrome = None
    seen: list[int] = []
    try:
        wait_http(f"http://127.0.0.1:{port}/", 30)
        chrome = start_browser(browser, tmp_path / "profile", debug_port)
        try:
            asyncio.run(two_students(debug_port, f"http://127.0.0.1:{port}/", code, pins, marker, seen, tmp_path))
        except AssertionError as e:  # the server's log has the apps' stderr (a traceback, if one crashed)
            log.flush()
            tail = (tmp_path / "serve.log").read_text(errors="replace")[-3000:]
            raise AssertionError(f"{e}\n--- the end of serve.log ---\n{tail}") from e
        report = subprocess.run([sys.executable, "-m", "pmsim", "class", "report", code], cwd=ROOT, env=env,
                                capture_output=True, text=True, timeout=60)
    finally:
        if chrome is not None:
            kill_group(chrome)
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            kill_group(server, signal.SIGKILL)
        log.close()
    assert report.returncode == 0, report.stderr
    md = report.stdout
    assert "0 games counted, 2 rejected" in md  # both still playing: listed, not ranked
    rows = {line.split("|")[2].strip(): line for line in md[md.index("## Rejected files"):].splitlines()
            if line.startswith("| save ")}
    assert set(rows) == {"Ada", "Bob"}
    for line in rows.values():  # quarter 1 played: both are in quarter 2, on the class server
        assert "in progress (round 2)" in line and line.rstrip().endswith("| yes |"), line
    with SaveStore(url) as store:
        games = {s.player: s for s in store.class_saves(code)}
        assert set(games) == {"Ada", "Bob"}  # the wrong PIN made no game
        assert store.server_save_ids(store.get_class(code).id) == {g.id for g in games.values()}
    assert len(seen) == 2
    left = [pid for pid in seen if Path(f"/proc/{pid}").exists()] + [p for p, _ in processes_mentioning(marker)]
    assert not left, f"processes left after stopping the server: {left}"
    assert url not in (tmp_path / "serve.log").read_text(errors="replace")  # nor in the banner


def new_page(debug_port: int) -> str:
    """Open a second tab; returns its DevTools websocket URL."""
    req = urllib.request.Request(f"http://127.0.0.1:{debug_port}/json/new?about:blank", method="PUT")
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())["webSocketDebuggerUrl"]


async def two_students(debug_port: int, url: str, code: str, pins: dict[str, str], marker: str,
                       seen: list[int], tmp_path: Path) -> None:
    async with aiohttp.ClientSession() as session:
        first = await CDP.connect(session, debug_port)
        second = CDP(await session.ws_connect(new_page(debug_port), max_msg_size=0))
        first.dump_to, second.dump_to = tmp_path / "screen-Ada.txt", tmp_path / "screen-Bob.txt"
        try:
            await asyncio.gather(
                student(first, url, code, "Ada", pins["Ada"]),
                student(second, url, code, "Bob", pins["Bob"], wrong_first=True),
            )
            apps = [(pid, cmd) for pid, cmd in processes_mentioning(marker) if is_app(cmd)]
            seen += [pid for pid, _ in apps]
            for _, cmd in apps:  # the secret stays in the environment
                assert url not in cmd and "sqlite" not in cmd
        finally:
            await first.close()
            await second.close()


async def type_text(cdp: CDP, text: str) -> None:
    for ch in text:
        await cdp.key(ch)


async def student(cdp: CDP, url: str, code: str, name: str, pin: str, wrong_first: bool = False) -> None:
    await cdp.send("Page.enable")
    await cdp.send("Runtime.enable")
    await cdp.send("Page.addScriptToEvaluateOnNewDocument", source=CAPTURE_JS)
    await cdp.send("Page.navigate", url=url)
    text = await cdp.wait_for_text("join your class", timeout=60)
    await cdp.evaluate("document.querySelector('.xterm-helper-textarea').focus()")
    mark = len(text)
    await type_text(cdp, code)
    await cdp.wait_for_text(code, after=mark)  # echoed in the code field
    await cdp.key("tab")
    await type_text(cdp, name)
    await cdp.key("tab")
    if wrong_first:
        wrong = f"{(int(pin.replace('-', '')) + 1) % 10**8:08d}"
        mark = len(await cdp.text())
        await type_text(cdp, wrong)
        await cdp.key("enter")
        await cdp.wait_for_text("Name or PIN not recognised", after=mark, timeout=30)
        await cdp.wait_for_text("4 tries left", after=mark)  # the PIN field is cleared and focused again
    mark = len(await cdp.text())
    await type_text(cdp, pin)
    await cdp.key("enter")
    await cdp.wait_for_text(f"welcome, {name}", after=mark, timeout=60)  # the briefing of quarter 1
    await cdp.wait_for_text("Start the quarter", after=mark)
    mark = len(await cdp.text())
    await cdp.key("enter")
    await cdp.wait_for_text("End round", after=mark, timeout=30)  # the game screen's keys (the briefing names "4 Roadmap")
    mark = len(await cdp.text())
    await cdp.key("e")
    await cdp.wait_for_text("Commit the roadmap for quarter 1", after=mark, timeout=30)
    mark = len(await cdp.text())
    await cdp.key("enter")
    await cdp.wait_for_text("Quarter 1 report", after=mark, timeout=60)
