"""`pmsim serve` exposure limits, on the real server with real websocket clients (aiohttp, as the
browser page talks to it): tabs per address and in total, the idle timeout (nothing lost: the
student rejoins their game), each app's address-space cap, no secret on a command line, the loud
warning when listening beyond this computer without --class, and no app left behind when the
supervisor and the server are both SIGKILLed."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import aiohttp
import pytest
from cdp import free_port, wait_http
from test_browser import need, processes_mentioning

ROOT = Path(__file__).resolve().parents[2]
ESC = re.compile(r"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b[()][A-Z0-9]")


@pytest.fixture(autouse=True)
def _textual_serve():
    try:
        import textual_serve  # noqa: F401
    except ImportError:
        need("textual-serve", False)


@pytest.fixture
def klass(tmp_path):
    """A class database with two students; (url, code, {name: pin})."""
    from tui_helpers import small_text

    from pmsim.storage.saves import SaveStore

    url = f"sqlite:///{tmp_path / 'class-server.sqlite3'}"
    with SaveStore(url) as store:
        code = store.create_class("PM 101", small_text(), 3).code
        pins = {s.name: pin for s, pin in store.add_students(code, ["Ada", "Bob"])}
    return url, code, pins


class Server:
    def __init__(self, tmp_path: Path, url: str, *args: str, host: str = "127.0.0.1") -> None:
        self.port = free_port()
        self.marker = f"pmsim-test-{uuid.uuid4().hex}"
        env = dict(os.environ, PMSIM_DB_URL=url, PMSIM_TEST_MARK=self.marker,
                   PMSIM_CONFIG_DIR=str(tmp_path / "config"))
        self.log = tmp_path / f"serve-{self.port}.log"
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "pmsim", "serve", "--host", host, "--port", str(self.port), *args],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        wait_http(f"http://127.0.0.1:{self.port}/", 30)

    def apps(self) -> list[int]:
        return [pid for pid, cmd in processes_mentioning(self.marker)
                if "pmsim.commands.serve app" in cmd and "--command" not in cmd]

    def everything(self) -> list[int]:
        return [pid for pid, _ in processes_mentioning(self.marker)]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while self.everything() and time.monotonic() < deadline:
            time.sleep(0.1)
        left = self.everything()
        for pid in left:  # never leave a process behind, even when the test failed
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        assert not left, f"processes left after stopping the server: {left}"

    def output(self) -> str:
        return self.log.read_text(errors="replace")


class Tab:
    """One browser tab's websocket: reads the screen's text, types keys. Every tab opened is in
    `Tab.opened` (closed by `Tab.close_all()` whatever happened)."""

    opened: list[Tab] = []

    def __init__(self, session: aiohttp.ClientSession, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.session, self.ws, self.text = session, ws, ""

    @classmethod
    async def open(cls, port: int, source: str = "127.0.0.1") -> Tab:
        session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(local_addr=(source, 0)))
        ws = await session.ws_connect(f"http://127.0.0.1:{port}/ws?width=100&height=30")
        tab = cls(session, ws)
        cls.opened.append(tab)
        return tab

    @classmethod
    async def close_all(cls) -> None:
        while cls.opened:
            await cls.opened.pop().close()

    async def wait_for(self, needle: str, timeout: float = 30, after: int = 0) -> str:
        try:
            async with asyncio.timeout(timeout):
                while needle not in self.text[after:]:
                    msg = await self.ws.receive()
                    if msg.type == aiohttp.WSMsgType.BINARY:
                        self.text += ESC.sub("", msg.data.decode(errors="replace"))
                    elif msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
                        break
        except TimeoutError:
            pass
        assert needle in self.text[after:], f"{needle!r} never appeared; the tab showed: {self.text[-1500:]!r}"
        return self.text

    async def type(self, keys: str) -> None:
        await self.ws.send_json(["stdin", keys])

    async def close(self) -> None:
        await self.ws.close()
        await self.session.close()


def run_tabs(body) -> None:
    """Run an async test body; its tabs are closed at the end, passed or failed."""
    async def wrapped() -> None:
        try:
            await body()
        finally:
            await Tab.close_all()

    asyncio.run(wrapped())


async def join(tab: Tab, code: str, name: str, pin: str) -> None:
    await tab.wait_for("join your class")
    for value, shown, then in ((code, code, "\r"), (name, name, "\t"), (pin, "•" * len(pin), "\r")):
        mark = len(tab.text)
        await tab.type(value)
        await tab.wait_for(shown, after=mark)  # echoed: the field had the keys
        await tab.type(then)  # enter or tab: the next field; enter in the PIN field joins


def test_tabs_are_limited_per_address_and_in_total(tmp_path, klass):
    url, _, _ = klass
    server = Server(tmp_path, url, "--class", klass[1], "--per-client", "2", "--max-sessions", "3")

    async def body() -> None:
        a1, a2 = await Tab.open(server.port), await Tab.open(server.port)
        for t in (a1, a2):
            await t.wait_for("join your class")
        a3 = await Tab.open(server.port)
        await a3.wait_for("2 games are already open from your computer")
        b1 = await Tab.open(server.port, "127.0.0.2")  # another address still gets in
        await b1.wait_for("join your class")
        b2 = await Tab.open(server.port, "127.0.0.2")
        await b2.wait_for("the server is full (3 games open)")
        assert len(server.apps()) == 3  # the refused tabs started no app
        await a1.close()
        for _ in range(100):
            await asyncio.sleep(0.1)
            if len(server.apps()) == 2:
                break
        a4 = await Tab.open(server.port)  # a place came free
        await a4.wait_for("join your class")

    try:
        run_tabs(body)
    finally:
        server.stop()


def test_an_idle_game_is_closed_and_nothing_is_lost(tmp_path, klass):
    url, code, pins = klass
    server = Server(tmp_path, url, "--class", code, "--idle-timeout", "0.08", "--app-memory", "700")

    async def body() -> None:
        tab = await Tab.open(server.port)
        await join(tab, code, "Ada", pins["Ada"])
        await tab.wait_for("welcome, Ada")
        [app] = server.apps()
        limits = Path(f"/proc/{app}/limits").read_text()
        assert re.search(rf"Max address space\s+{700 * 1024 * 1024}\s+{700 * 1024 * 1024}", limits), limits
        await tab.wait_for("closed after 5 seconds without a key pressed", timeout=20)
        assert "Your game is saved" in tab.text
        try:  # the message stays readable: a closed socket would show "Session ended" over it
            msg = await tab.ws.receive(timeout=1.5)
            assert msg.type not in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSING, aiohttp.WSMsgType.CLOSED)
        except TimeoutError:
            pass
        for _ in range(50):
            if not Path(f"/proc/{app}").exists():
                break
            await asyncio.sleep(0.1)
        assert not Path(f"/proc/{app}").exists(), "the idle app is still running"
        await tab.close()
        again = await Tab.open(server.port)
        await join(again, code, "ada", pins["Ada"])
        await again.wait_for("welcome back, Ada")  # the same game, resumed

    try:
        run_tabs(body)
    finally:
        server.stop()
    from pmsim.storage.saves import SaveStore

    with SaveStore(url) as store:
        assert [s.player for s in store.list()] == ["Ada"]  # one game: rejoining resumed it


@pytest.mark.parametrize("mode", ["class", "play"])
def test_sigkill_of_supervisor_and_server_leaves_no_app(tmp_path, klass, mode):
    url, code, _ = klass
    args = ["--class", code] if mode == "class" else []
    server = Server(tmp_path, url, *args)

    async def body() -> None:
        for t in [await Tab.open(server.port), await Tab.open(server.port)]:
            await t.wait_for("join your class" if mode == "class" else "New game")

    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(body())
        apps = server.apps()
        assert len(apps) == 2
        for pid in apps:  # no secret on any command line: the database is in the environment
            assert url not in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        others = [p for p in server.everything() if p not in apps]
        assert server.proc.pid in others and len(others) == 2  # the supervisor and the server
        for pid in others:
            os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 8
        while any(Path(f"/proc/{p}").exists() and _alive(p) for p in apps) and time.monotonic() < deadline:
            time.sleep(0.1)
        orphans = [p for p in apps if _alive(p)]
        assert not orphans, f"apps orphaned by SIGKILL of the server: {orphans}"
    finally:
        loop.run_until_complete(Tab.close_all())
        loop.close()
        server.stop()


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_listening_beyond_this_computer_warns_loudly_without_class(tmp_path, klass):
    url, code, _ = klass
    open_server = Server(tmp_path, url, host="0.0.0.0")
    try:
        out = open_server.output()
    finally:
        open_server.stop()
    assert "WARNING: listening on 0.0.0.0, beyond this computer, with NO authentication" in out
    assert "use --class CODE" in out and url not in out
    class_server = Server(tmp_path, url, "--class", code, host="0.0.0.0")
    try:
        out = class_server.output()
    finally:
        class_server.stop()
    assert "WARNING" not in out and f"class {code}" in out and "join with the class code" in out
    assert url not in out
    assert f"class {code} plays seed 3, small enough to find" in out  # the fixture's class: --seed 3


def test_serve_class_refuses_what_cannot_work(tmp_path, klass):
    url, code, _ = klass
    from pmsim.storage.saves import SaveStore

    with SaveStore(url) as store:
        empty = store.create_class("nobody yet", store.get_class(code).scenario_text, 4).code

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "pmsim", "serve", "--port", str(free_port()), *args],
                              cwd=ROOT, env=dict(os.environ, PMSIM_DB_URL=url), capture_output=True,
                              text=True, timeout=60)

    for args, words in ((["--class", "PM-ZZZZ"], "no class PM-ZZZZ"),
                        (["--class", empty], "has no students on its roster"),
                        (["--class", code, "--scenario", "b2b_saas"], "leave out --scenario")):
        r = run(*args)
        assert r.returncode == 2 and words in r.stderr and "Traceback" not in r.stderr, r.stderr
