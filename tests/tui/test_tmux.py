"""The research-pane repro from issue 11, played in a real terminal (tmux, 80×24): `3`, then `m m`
typed in one burst. The app must go idle (under 5% of a core over 2 s) and enter, enter must buy
exactly the study highlighted on screen. Skipped where tmux is not installed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from pmsim.storage.saves import SaveStore
from pmsim.tui.service import GameService

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None or not Path("/proc").is_dir(),
                                reason="needs tmux and /proc")


class Tmux:
    def __init__(self) -> None:
        self.socket = f"pmsim-test-{uuid.uuid4().hex[:8]}"
        self.session = "play"

    def run(self, *args: str) -> str:
        return subprocess.run(["tmux", "-L", self.socket, *args], check=True, capture_output=True,
                              text=True).stdout

    def keys(self, *keys: str) -> None:
        self.run("send-keys", "-t", self.session, *keys)

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", self.session)

    def wait_for(self, text: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never appeared:\n{screen}")

    def kill(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)


def cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def app_pid(tmux: Tmux) -> int:
    shell = int(tmux.run("list-panes", "-t", tmux.session, "-F", "#{pane_pid}").strip())
    out = subprocess.run(["pgrep", "-P", str(shell)], capture_output=True, text=True).stdout.split()
    return int(out[0]) if out else shell


def test_m_m_in_a_real_terminal_settles_and_buys_what_is_shown(tmp_path):
    db = tmp_path / "saves.sqlite3"
    env = dict(os.environ, PMSIM_CONFIG_DIR=str(tmp_path / "config"), TERM="xterm-256color")
    cmd = (f"exec {sys.executable} -m pmsim.commands.play --scenario b2b_saas --seed 5 --player Tess "
           f"--db sqlite:///{db}")
    tmux = Tmux()
    try:
        subprocess.run(["tmux", "-L", tmux.socket, "new-session", "-d", "-s", tmux.session, "-x", "80", "-y", "24",
                        cmd], check=True, env=env)
        tmux.wait_for("Start the quarter")  # the briefing
        tmux.keys("3")
        tmux.wait_for("Methods (m)")
        tmux.keys("m", "m")  # one burst
        tmux.wait_for("Usability test:")
        pid = app_pid(tmux)
        time.sleep(1.0)  # the tab underline's slide is over
        screen = tmux.screen()
        before = cpu_ticks(pid)
        time.sleep(2.0)
        used = (cpu_ticks(pid) - before) / os.sysconf("SC_CLK_TCK") / 2.0
        assert used < 0.05, f"the app kept {used:.0%} of a core busy after m m"
        assert tmux.screen() == screen, "the screen kept changing by itself"
        tmux.keys("Down", "Enter")
        asked = tmux.wait_for("enter buys")
        tmux.keys("Enter")
        tmux.wait_for("Q1 · Usability test")
    finally:
        tmux.kill()
    store = SaveStore(f"sqlite:///{db}")
    try:
        save = store.list()[0]
        research = [a for a in store.load(save.id).actions if a.kind == "research"]
        assert len(research) == 1, "exactly one study bought"
        bought = research[0].data
        view = GameService(store).resume(save.id)  # the same quarter: the same usability-test offers
        shown = view.studies["usability_test"][1]
        assert bought["method"] == "usability_test" and bought["feature"] == shown.action.feature
        assert shown.target.split(" (")[0][:20] in asked
    finally:
        store.close()
