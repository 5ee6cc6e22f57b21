"""`pmsim serve` in a real headless Chromium, driven over the DevTools protocol.

Skipped (with the reason) when no Chromium is installed, except on CI (CI=true), where it fails:
`.ci/run` is expected to call scripts/ensure_chromium.sh first.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest
from cdp import CAPTURE_JS, CDP, find_browser, free_port, kill_group, start_browser, wait_http

ROOT = Path(__file__).resolve().parents[2]


def need(thing: str, ok: bool) -> None:
    if not ok:
        msg = f"{thing} is not installed (run scripts/ensure_chromium.sh / pip install 'pmsim[serve]')"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(msg)
        pytest.skip(msg)


def serve_command(port: int, db: Path) -> list[str]:
    return [sys.executable, "-m", "pmsim", "serve", "--host", "127.0.0.1", "--port", str(port), "--db", str(db)]


def processes_mentioning(marker: str) -> list[tuple[int, str]]:
    """Live processes with `marker` in their command line or environment (the server passes the
    database URL to its apps as PMSIM_DB_URL, never on a command line): (pid, command line)."""
    out = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit() and int(d.name) != os.getpid():
            try:
                cmd = (d / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                env = (d / "environ").read_bytes().decode(errors="replace")
                state = (d / "stat").read_text().rsplit(")", 1)[1].split()[0]
            except OSError:
                continue
            if (marker in cmd or marker in env) and state != "Z":
                out.append((int(d.name), cmd))
    return out


def is_app(cmd: str) -> bool:
    """A browser tab's app process (`python -m pmsim.commands.serve app...`), not the server itself."""
    return "pmsim.commands.serve app" in cmd and "--command" not in cmd


def test_serve_in_headless_chromium(tmp_path):
    browser = find_browser()
    need("Chromium", browser is not None)
    try:
        import textual_serve  # noqa: F401
    except ImportError:
        need("textual-serve", False)
    db = tmp_path / "browser-saves.sqlite3"
    port, debug_port = free_port(), free_port()
    log = open(tmp_path / "serve.log", "wb")
    server = subprocess.Popen(serve_command(port, db), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)
    chrome = None
    try:
        wait_http(f"http://127.0.0.1:{port}/", 30)
        chrome = start_browser(browser, tmp_path / "profile", debug_port)
        seen_apps = asyncio.run(drive(debug_port, f"http://127.0.0.1:{port}/", db))
        assert seen_apps, "no app process was started for the browser tab"
    finally:
        if chrome is not None:
            kill_group(chrome)
        server.terminate()  # pmsim serve's own SIGTERM handling must take its apps down
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            kill_group(server, signal.SIGKILL)
        log.close()
    left = processes_mentioning(str(db))
    assert not left, f"processes left after stopping the server: {left}"


async def drive(debug_port: int, url: str, db: Path) -> list[tuple[int, str]]:
    """Open the app, start a new game by keys, check the game screen. Returns the app processes seen."""
    async with aiohttp.ClientSession() as session:
        cdp = await CDP.connect(session, debug_port)
        try:
            await cdp.send("Page.enable")
            await cdp.send("Runtime.enable")
            await cdp.send("Page.addScriptToEvaluateOnNewDocument", source=CAPTURE_JS)
            await cdp.send("Page.navigate", url=url)
            text = await cdp.wait_for_text("New game", timeout=60)  # the title screen has rendered
            assert "Continue" in text and "Replay" in text
            apps = [p for p in processes_mentioning(str(db)) if is_app(p[1])]
            assert not [cmd for _, cmd in apps if str(db) in cmd], "the database URL is on an app's command line"
            await cdp.evaluate("document.querySelector('.xterm-helper-textarea').focus()")
            mark = len(text)
            await cdp.key("n")
            text = await cdp.wait_for_text("pick a scenario", after=mark)
            mark = len(text)
            await cdp.key("enter")
            text = await cdp.wait_for_text("Start the quarter", after=mark, timeout=60)  # the briefing
            mark = len(text)
            await cdp.key("enter")
            text = await cdp.wait_for_text("Dashboard", after=mark, timeout=60)
            await cdp.wait_for_text("Score", after=mark)
            await cdp.wait_for_text("Customers", after=mark)
            for word in ("Inbox", "Research", "Roadmap", "OKRs"):
                assert word in text[mark:], word
            mark = len(text)
            await cdp.key("4")  # the roadmap pane, by keys too
            await cdp.wait_for_text("Backlog", after=mark)
            return apps
        finally:
            await cdp.close()
