"""`pmsim serve`: the same app in a browser through textual-serve, with nothing left behind.

textual-serve starts one app process (through `sh -c`) per browser tab. To make sure stopping
the server ends every one of them, `serve()` runs the server in a child process that leads its
own session (so its own process group) and, on SIGTERM/SIGINT/SIGHUP, signals that whole group:
SIGTERM first, SIGKILL for whatever is still there after a grace period. The server process
itself also passes SIGTERM on to its group when it is asked to stop, and asks Linux to send it
SIGTERM should the supervising process die. Each app does the same towards the server (and
watches that its parent is still the server), so even SIGKILL of both leaves no app behind.

Limits (`Limits`): tabs per client address and in total (a tab over the limit gets one line
and no app), an address-space cap on each app (RLIMIT_AS) and an idle timeout (an app with no
key or click from its browser for that long is asked to quit; every action was saved when it was
made, so nothing is lost: reloading the page resumes).

What each tab runs is the `command` that `pmsim serve` (pmsim/commands/serve.py) hands down:
`play`, or with `--class CODE` the class server's app (pmsim/tui/join.py): join with the class
code, a name and a PIN, then play that student's game of the class.

No secret is ever on a command line (any user of the machine can read those in `ps`): the
database URL reaches the server and its apps in their environment ($PMSIM_DB_URL).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

GRACE_S = 3.0
ENV_SERVER_PID = "PMSIM_SERVE_PID"  # the server's pid, for its apps to watch
ENV_APP_MEMORY = "PMSIM_APP_MEMORY_MB"  # each app's address-space cap
IDLE_TAB_S = 600.0  # a tab whose game was closed for idling keeps its message this long


@dataclass(frozen=True)
class Limits:
    """What one server allows: browser tabs (each one app process) per client address and in
    total, each app's address space, and how long an app may sit without input."""

    per_client: int = 4
    total: int = 40
    app_memory_mb: int = 1024
    idle_s: float = 20 * 60.0

    def args(self) -> list[str]:
        return ["--per-client", str(self.per_client), "--max-sessions", str(self.total),
                "--app-memory", str(self.app_memory_mb), "--idle-timeout", repr(float(self.idle_s))]


def group_members(pgid: int) -> list[int]:
    """Live (non-zombie) processes in process group `pgid`."""
    proc = Path("/proc")
    if not proc.is_dir():  # not Linux: ask the kernel whether anything is left at all
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return []
        except PermissionError:
            pass
        return [pgid]
    out = []
    for d in proc.iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if fields[0] != "Z" and int(fields[2]) == pgid:
            out.append(int(d.name))
    return out


def stop_group(pgid: int, grace: float = GRACE_S) -> None:
    """SIGTERM the process group, wait up to `grace` seconds, then SIGKILL what is left."""
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 1.0)):
        if not group_members(pgid):
            return
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline and group_members(pgid):
            time.sleep(0.05)


def port_problem(host: str, port: int) -> str | None:
    """Why the server could not listen on host:port (in use, unknown address), or None.

    Checked before the server starts, so a busy port is one line instead of a traceback; the
    socket is bound the way aiohttp binds it (SO_REUSEADDR) and closed at once."""
    import socket

    try:
        infos = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError) as e:
        return f"cannot listen on {host!r}: {getattr(e, 'strerror', None) or e}"
    for family, type_, proto, _, addr in infos:
        with socket.socket(family, type_, proto) as sock:
            if hasattr(socket, "SO_REUSEADDR") and os.name == "posix":
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind(addr)
            except OSError as e:
                import errno

                if e.errno == errno.EADDRINUSE:
                    return (f"port {port} on {host} is already in use (another pmsim serve?): "
                            "stop it or choose another --port")
                if e.errno in (errno.EACCES, errno.EPERM):
                    return f"not allowed to listen on port {port} (ports below 1024 need root): choose another --port"
                return f"cannot listen on {host}:{port}: {e.strerror or e}"
    return None


def is_loopback(host: str) -> bool:
    import ipaddress

    if host in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(host: str, port: int, command: str, db_url: str | None = None, *,
          class_code: str | None = None, limits: Limits | None = None) -> int:
    """Run the web server until a signal (or its own exit); returns its exit code. `command` is
    what each browser tab runs (`pmsim.commands.serve.app_command`); with `class_code` it is the
    class server's join-and-play app, and the apps find the class code in their environment."""
    limits = limits or Limits()
    cmd = [sys.executable, "-m", "pmsim.tui.serve", "--host", host, "--port", str(port),
           "--command", command, *limits.args()]
    env = dict(os.environ)
    if db_url is not None:
        env["PMSIM_DB_URL"] = db_url  # for the apps; never on a command line
    if class_code is not None:
        from pmsim.tui.join import ENV_CLASS

        env[ENV_CLASS] = class_code
    child = subprocess.Popen(cmd, start_new_session=True, env=env)
    stop_at: list[float] = []

    def on_signal(signum: int, frame: FrameType | None) -> None:
        if not stop_at:
            stop_at.append(time.monotonic() + GRACE_S)
            try:
                os.killpg(child.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

    old = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)}
    try:
        while True:
            try:
                rc = child.wait(timeout=0.2)
                break
            except subprocess.TimeoutExpired:
                if stop_at and time.monotonic() > stop_at[0]:
                    os.killpg(child.pid, signal.SIGKILL)
    finally:
        stop_group(child.pid)  # the server is gone; now every app it started
        for s, h in old.items():
            signal.signal(s, h)
    return 0 if stop_at else rc


def _die_with_parent() -> None:
    """Linux: get SIGTERM when the supervising `pmsim serve` dies, even by SIGKILL."""
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:
        pass


def guard_app(poll_s: float = 1.0) -> None:
    """Start-up of each app the server runs: end with the server, within bounded resources.

    * Linux sends SIGTERM when the server dies (PR_SET_PDEATHSIG), even by SIGKILL; the app then
      quits as after q (each action was saved when it was made);
    * a thread also checks every `poll_s` that its parent is still the server ($PMSIM_SERVE_PID),
      where PR_SET_PDEATHSIG does not exist or the server died before it was set: then SIGTERM to
      itself, and a hard exit if the app has not quit 5 s later;
    * the address space is capped at $PMSIM_APP_MEMORY_MB (RLIMIT_AS): a runaway app fails
      alone, never the machine; glibc keeps 2 malloc arenas (threads reserve 64 MiB each otherwise).
    """
    import threading

    _die_with_parent()
    expected = os.environ.get(ENV_SERVER_PID, "")
    if expected.isdigit():
        server = int(expected)
        if os.getppid() != server:  # the server is already gone
            os._exit(1)

        def watch() -> None:
            while os.getppid() == server:
                time.sleep(poll_s)
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(5.0)
            os._exit(1)

        threading.Thread(target=watch, name="pmsim-parent-watch", daemon=True).start()
    mb = os.environ.get(ENV_APP_MEMORY, "")
    if mb.isdigit() and int(mb) > 0:
        try:
            import resource

            cap = int(mb) * 1024 * 1024
            _, hard = resource.getrlimit(resource.RLIMIT_AS)
            if hard != resource.RLIM_INFINITY:
                cap = min(cap, hard)
            resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
        except (ImportError, ValueError, OSError):
            pass


def public_url(host: str, port: int) -> str:
    """The address a browser should connect back to (textual-serve writes it into the page's
    websocket URL): a wildcard bind (0.0.0.0, ::) is not an address a browser can reach, so it
    becomes this machine's name."""
    import socket

    if host in ("0.0.0.0", "::", ""):
        host = socket.getfqdn() or "localhost"
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"  # an IPv6 literal in a URL
    return f"http://{host}:{port}"


def _refusal(text: str) -> bytes:
    """One message on the browser's terminal (textual-serve's page shows what the app writes)."""
    return ("\x1b[0m\x1b[2J\x1b[H\r\n  pmsim: " + text + "\r\n").encode()


def limited_server(command: str, host: str, port: int, url: str, limits: Limits):
    """A textual-serve `Server` that enforces `limits` and takes its apps down with it."""
    import asyncio
    import logging

    from aiohttp import WSMsgType, web
    from textual_serve.app_service import AppService
    from textual_serve.server import Server, to_int

    log = logging.getLogger("pmsim-serve")

    class LimitedServer(Server):
        def __init__(self) -> None:
            super().__init__(command, host=host, port=port, title="pmsim", public_url=url)
            self.per_address: dict[str, int] = {}
            self.open = 0

        def request_exit(self) -> None:
            # every app this server started is in our process group: take them down with us
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            try:
                os.killpg(os.getpgid(0), signal.SIGTERM)
            except ProcessLookupError:
                pass
            super().request_exit()

        async def on_startup(self, app: web.Application) -> None:
            pass  # textual-serve's banner repeats the command line; `pmsim serve` prints its own

        async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
            address = request.remote or "?"
            refusal = None
            if self.open >= limits.total:
                refusal = (f"the server is full ({limits.total} games open): try again in a few minutes, "
                           "or ask your instructor")
            elif self.per_address.get(address, 0) >= limits.per_client:
                games = "1 game is" if limits.per_client == 1 else f"{limits.per_client} games are"
                refusal = (f"{games} already open from your computer: close another pmsim tab, then reload "
                           "this page")
            if refusal is not None:
                log.warning("refused a session from %s: %s", address, refusal)
                return await self._refuse(request, refusal)
            self.open += 1
            self.per_address[address] = self.per_address.get(address, 0) + 1
            try:
                return await self._session(request)
            finally:
                self.open -= 1
                self.per_address[address] -= 1
                if not self.per_address[address]:
                    del self.per_address[address]

        async def _refuse(self, request: web.Request, text: str) -> web.WebSocketResponse:
            ws = web.WebSocketResponse(heartbeat=15)
            await ws.prepare(request)
            await ws.send_bytes(_refusal(text))
            try:  # keep the message on screen until the tab goes (a closed socket hides it)
                async with asyncio.timeout(60):
                    async for _ in ws:
                        pass
            except TimeoutError:
                pass
            await ws.close()
            return ws

        async def _session(self, request: web.Request) -> web.WebSocketResponse:
            """textual-serve's websocket handler, with the idle timeout (and a hard stop for an
            app that does not quit when asked)."""
            websocket = web.WebSocketResponse(heartbeat=15)
            width = to_int(request.query.get("width", "80"), 80)
            height = to_int(request.query.get("height", "24"), 24)
            last_input = [time.monotonic()]
            idle_ended = [False]

            async def close() -> None:
                if not idle_ended[0]:  # after an idle stop the tab keeps the reason on screen
                    await websocket.close()

            service: AppService | None = None
            watch: asyncio.Task | None = None
            try:
                await websocket.prepare(request)
                service = AppService(self.command, write_bytes=websocket.send_bytes, write_str=websocket.send_str,
                                     close=close, download_manager=self.download_manager, debug=self.debug)
                await service.start(width, height)
                watch = asyncio.create_task(self._watch_idle(websocket, service, last_input, idle_ended))
                await self._messages(websocket, service, last_input)
            except asyncio.CancelledError:
                await websocket.close()
            except Exception as error:  # as textual-serve: one tab's failure is logged, the server goes on
                log.exception(error)
            finally:
                if watch is not None:
                    watch.cancel()
                if service is not None:
                    await self._stop(service)
            return websocket

        async def _messages(self, websocket: web.WebSocketResponse, service: AppService, last: list[float]) -> None:
            async for message in websocket:
                if message.type != WSMsgType.TEXT:
                    continue
                envelope = message.json()
                if not isinstance(envelope, list) or not envelope:
                    continue
                kind = envelope[0]
                if kind == "stdin":
                    last[0] = time.monotonic()
                    await service.send_bytes(str(envelope[1]).encode("utf-8"))
                elif kind == "resize":
                    last[0] = time.monotonic()
                    size = envelope[1]
                    await service.set_terminal_size(size["width"], size["height"])
                elif kind == "ping":
                    await websocket.send_json(["pong", envelope[1]])
                elif kind == "blur":
                    await service.blur()
                elif kind == "focus":
                    await service.focus()

        async def _watch_idle(self, websocket: web.WebSocketResponse, service: AppService, last: list[float],
                              ended: list[bool]) -> None:
            step = max(0.2, min(5.0, limits.idle_s / 5))
            while True:
                await asyncio.sleep(step)
                if time.monotonic() - last[0] < limits.idle_s:
                    continue
                ended[0] = True
                minutes = limits.idle_s / 60
                shown = f"{minutes:.0f} minutes" if minutes >= 1 else f"{limits.idle_s:.0f} seconds"
                log.info("idle for %s: stopping its app", shown)
                await self._stop(service)  # quits as after q: every action was saved when it was made
                try:
                    await websocket.send_bytes(_refusal(
                        f"this game was closed after {shown} without a key pressed. Your game is saved: "
                        "reload the page to go on."))
                except (ConnectionError, RuntimeError):
                    pass
                # the message stays on screen (a closed socket would cover it with "Session ended")
                # until the tab goes, or IDLE_TAB_S: a forgotten tab does not hold its place forever
                await asyncio.sleep(IDLE_TAB_S)
                await websocket.close()
                return

        async def _stop(self, service: AppService) -> None:
            """Ask the app to quit; SIGKILL it if it has not within GRACE_S."""
            try:
                await asyncio.wait_for(asyncio.shield(service.stop()), GRACE_S)
            except TimeoutError:
                pass
            proc = service._process
            if proc is not None and proc.returncode is None:
                try:
                    proc.kill()
                except ProcessLookupError:
                    pass

    return LimitedServer()


def _child_main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="pmsim-serve-child")
    p.add_argument("--host", required=True)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--command", required=True)
    p.add_argument("--per-client", type=int, default=Limits.per_client)
    p.add_argument("--max-sessions", type=int, default=Limits.total)
    p.add_argument("--app-memory", type=int, default=Limits.app_memory_mb)
    p.add_argument("--idle-timeout", type=float, default=Limits.idle_s)
    a = p.parse_args(argv)
    _die_with_parent()
    parent = os.getppid()
    limits = Limits(a.per_client, a.max_sessions, a.app_memory, a.idle_timeout)
    # what every app inherits (textual-serve copies this process's environment into each)
    os.environ[ENV_SERVER_PID] = str(os.getpid())
    os.environ[ENV_APP_MEMORY] = str(limits.app_memory_mb)
    os.environ.setdefault("MALLOC_ARENA_MAX", "2")
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

    if os.getppid() != parent:  # pragma: no cover - the parent died before we got here
        sys.exit(1)
    try:
        limited_server(a.command, a.host, a.port, public_url(a.host, a.port), limits).serve()
    except OSError as e:  # e.g. the port was taken between the check and now
        print(f"pmsim serve: cannot listen on {a.host}:{a.port}: {e.strerror or e}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    _child_main()
