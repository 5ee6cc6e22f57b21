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


def app_command(db_url: str | None, scenario: str | None = None) -> str:
    import shlex

    args = [sys.executable, "-m", "pmsim.tui.commands", "play"]
    if db_url:
        args += ["--db", db_url]
    if scenario:
        args += ["--scenario", scenario]
    return shlex.join(args)


def serve(host: str, port: int, db_url: str | None = None, scenario: str | None = None) -> int:
    """Run the web server until a signal (or its own exit); returns its exit code."""
    cmd = [sys.executable, "-m", "pmsim.tui.serve", "--host", host, "--port", str(port),
           "--command", app_command(db_url, scenario)]
    child = subprocess.Popen(cmd, start_new_session=True)
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
    GroupServer(a.command, host=a.host, port=a.port, title="pmsim").serve()


if __name__ == "__main__":
    _child_main()
