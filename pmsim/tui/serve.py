"""`pmsim serve`: the same app in a browser through textual-serve, with nothing left behind.

textual-serve starts one app process (through `sh -c`) per browser tab. To make sure stopping
the server ends every one of them, `serve()` runs the server in a child process that leads its
own session (so its own process group) and, on SIGTERM/SIGINT/SIGHUP, signals that whole group:
SIGTERM first, SIGKILL for whatever is still there after a grace period. The server process
itself also passes SIGTERM on to its group when it is asked to stop, and asks Linux to send it
SIGTERM should the supervising process die.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType

GRACE_S = 3.0


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


def app_command(scenario: str | None = None) -> str:
    """The command each browser tab runs. The database URL is never in it (argv is world-readable
    in `ps`): `serve` passes it to the server and its apps in the environment ($PMSIM_DB_URL)."""
    import shlex

    args = [sys.executable, "-m", "pmsim.tui.commands", "play"]
    if scenario:
        args += ["--scenario", scenario]
    return shlex.join(args)


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


def serve(host: str, port: int, db_url: str | None = None, scenario: str | None = None) -> int:
    """Run the web server until a signal (or its own exit); returns its exit code."""
    cmd = [sys.executable, "-m", "pmsim.tui.serve", "--host", host, "--port", str(port),
           "--command", app_command(scenario)]
    env = dict(os.environ)
    if db_url is not None:
        env["PMSIM_DB_URL"] = db_url  # for the apps; never on a command line
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


def _child_main(argv: list[str] | None = None) -> None:
    from textual_serve.server import Server

    p = argparse.ArgumentParser(prog="pmsim-serve-child")
    p.add_argument("--host", required=True)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--command", required=True)
    a = p.parse_args(argv)
    _die_with_parent()
    parent = os.getppid()

    class GroupServer(Server):
        def request_exit(self) -> None:
            # every app this server started is in our process group: take them down with us
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            try:
                os.killpg(os.getpgid(0), signal.SIGTERM)
            except ProcessLookupError:
                pass
            super().request_exit()

    if os.getppid() != parent:  # pragma: no cover - the parent died before we got here
        sys.exit(1)
    try:
        GroupServer(a.command, host=a.host, port=a.port, title="pmsim",
                    public_url=public_url(a.host, a.port)).serve()
    except OSError as e:  # e.g. the port was taken between the check and now
        print(f"pmsim serve: cannot listen on {a.host}:{a.port}: {e.strerror or e}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    _child_main()
