"""A minimal Chrome DevTools Protocol client (aiohttp websocket) for the browser test."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any

import aiohttp

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

# Captures what the app sends to xterm.js (textual-serve's page keeps its terminal private), so the
# test can read the screen's text instead of guessing from a canvas.
CAPTURE_JS = r"""
(() => {
  window.__pmsimText = "";
  const Orig = window.WebSocket;
  const dec = new TextDecoder();
  function Capturing(url, protocols) {
    const ws = protocols === undefined ? new Orig(url) : new Orig(url, protocols);
    ws.addEventListener("message", (e) => {
      if (typeof e.data !== "string") {
        window.__pmsimText += dec.decode(new Uint8Array(e.data), {stream: true});
      }
    });
    return ws;
  }
  Capturing.prototype = Orig.prototype;
  Object.assign(Capturing, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3});
  window.WebSocket = Capturing;
})();
"""
# the screen text without terminal escape sequences
TEXT_JS = r"""(window.__pmsimText || "").replace(/\x1b\[[0-9;?<>=]*[ -\/]*[@-~]/g, "")
  .replace(/\x1b\][^\x07\x1b]*(\x07|\x1b\\)/g, "").replace(/\x1b[()][A-Z0-9]/g, "")"""

KEYS = {
    "enter": {"key": "Enter", "code": "Enter", "windowsVirtualKeyCode": 13, "text": "\r"},
    "escape": {"key": "Escape", "code": "Escape", "windowsVirtualKeyCode": 27},
    "tab": {"key": "Tab", "code": "Tab", "windowsVirtualKeyCode": 9},
    "down": {"key": "ArrowDown", "code": "ArrowDown", "windowsVirtualKeyCode": 40},
    "up": {"key": "ArrowUp", "code": "ArrowUp", "windowsVirtualKeyCode": 38},
    "-": {"key": "-", "code": "Minus", "windowsVirtualKeyCode": 189, "text": "-"},  # 45 would be Insert
}


def find_browser() -> str | None:
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, timeout: float) -> bytes:
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                return r.read()
        except OSError as e:
            last = e
            time.sleep(0.1)
    raise TimeoutError(f"{url} did not answer within {timeout} s: {last}")


def start_browser(path: str, profile: Path, port: int) -> subprocess.Popen:
    args = [path, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-dev-shm-usage", f"--user-data-dir={profile}", f"--remote-debugging-port={port}",
            "--window-size=1200,800", "about:blank"]
    return subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def kill_group(proc: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 10) -> None:
    """Stop `proc` (which leads its own process group) and everything it started."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)


class CDP:
    """Send commands over one page's DevTools websocket; events are ignored."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.next_id = 0
        self.pending: dict[int, asyncio.Future] = {}
        self.reader = asyncio.create_task(self._read())
        self.dump_to: Path | None = None  # where a failed wait writes the whole captured text

    @classmethod
    async def connect(cls, session: aiohttp.ClientSession, debug_port: int) -> CDP:
        targets = json.loads(wait_http(f"http://127.0.0.1:{debug_port}/json/list", 20))
        page = next(t for t in targets if t.get("type") == "page")
        ws = await session.ws_connect(page["webSocketDebuggerUrl"], max_msg_size=0)
        return cls(ws)

    async def _read(self) -> None:
        async for msg in self.ws:
            if msg.type != aiohttp.WSMsgType.TEXT:
                continue
            data = json.loads(msg.data)
            fut = self.pending.pop(data.get("id", -1), None)
            if fut is not None and not fut.done():
                fut.set_result(data)

    async def send(self, method: str, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        fut = asyncio.get_running_loop().create_future()
        self.pending[self.next_id] = fut
        await self.ws.send_json({"id": self.next_id, "method": method, "params": params})
        data = await asyncio.wait_for(fut, 20)
        if "error" in data:
            raise RuntimeError(f"{method}: {data['error']}")
        return data.get("result", {})

    async def evaluate(self, expression: str) -> Any:
        res = await self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        return res.get("result", {}).get("value")

    async def text(self) -> str:
        return await self.evaluate(TEXT_JS) or ""

    async def wait_for_text(self, needle: str, after: int = 0, timeout: float = 30) -> str:
        """Poll the captured screen text until `needle` appears past offset `after`."""
        deadline = time.monotonic() + timeout
        text = ""
        while time.monotonic() < deadline:
            text = await self.text()
            if needle in text[after:]:
                return text
            await asyncio.sleep(0.1)
        where = ""
        if self.dump_to is not None:
            self.dump_to.write_text(text)
            where = f" (all the text from the app: {self.dump_to})"
        raise AssertionError(f"{needle!r} never appeared{where}; the screen said: {text[after:][-2000:]!r}")

    async def key(self, name: str) -> None:
        """Press a key: a name from KEYS or a single printable character."""
        if name in KEYS:
            k = dict(KEYS[name])
        else:
            k = {"key": name, "text": name, "code": f"Key{name.upper()}" if name.isalpha() else "",
                 "windowsVirtualKeyCode": ord(name.upper())}
        await self.send("Input.dispatchKeyEvent", type="keyDown", **k)
        k.pop("text", None)
        await self.send("Input.dispatchKeyEvent", type="keyUp", **k)

    async def close(self) -> None:
        self.reader.cancel()
        await self.ws.close()
