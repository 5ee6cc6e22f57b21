"""Real processes: a SIGKILL mid-game loses at most the action in flight, and four processes
playing on one SQLite file lose nothing and never show "database is locked"."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from storage_texts import BOT, ROOT, play_reference

from pmsim.engine.bots import play_game
from pmsim.storage.saves import SaveStore
from pmsim.storage.session import GameSession

PLAYER = """
import sys
from pmsim.engine.bots import play_game
from pmsim.storage.saves import SaveStore
from pmsim.storage.session import GameSession

url, text_path, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
store = SaveStore(url)
session = GameSession.start(store, open(text_path, encoding="utf-8").read(), seed, "bot:rice")
print("save", session.save_id, flush=True)
apply = session.apply

def say(line):  # one write per line: a kill never leaves half a line (PYTHONUNBUFFERED writes each piece)
    sys.stdout.write(line + "\\n")
    sys.stdout.flush()


def traced(action):  # (bots also try illegal actions: "applying n" then no "committed n")
    n = len(session.game.log) + 1
    say(f"applying {n}")
    result = apply(action)
    say(f"committed {n}")
    return result

session.apply = traced
play_game(session, "rice")
print("done", flush=True)
"""


@pytest.fixture(scope="module")
def text_file(tmp_path_factory, small_text):
    path = tmp_path_factory.mktemp("scenario") / "small.yaml"
    path.write_text(small_text, encoding="utf-8")
    return path


def _kill_at(url: str, text_file, seed: int, kill_at: int) -> tuple[int, int, int]:
    """Start a player, SIGKILL it as soon as it starts applying action `kill_at`.
    Returns (save id, last action reported committed, last action reported started)."""
    proc = subprocess.Popen([sys.executable, "-c", PLAYER, url, str(text_file), str(seed)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
    lines = []
    try:
        for line in proc.stdout:
            lines.append(line.split())
            if lines[-1] == ["applying", str(kill_at)]:
                os.kill(proc.pid, signal.SIGKILL)
                break
        lines += [line.split() for line in proc.stdout]  # whatever it printed before dying
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)
        proc.stdout.close()
        err = proc.stderr.read()
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL, err
    sid = int(lines[0][1])
    committed = max((int(x[1]) for x in lines if x[0] == "committed"), default=0)
    started = max((int(x[1]) for x in lines if x[0] == "applying"), default=0)
    return sid, committed, started


def test_sigkill_mid_game_loses_at_most_the_action_in_flight(tmp_path, text_file, small_text):
    ref = play_reference(small_text, 21)
    ends = [i for i, a in enumerate(ref.actions, start=1) if a["kind"] == "end_round"]
    url = f"sqlite:///{tmp_path / 'crash.sqlite3'}"
    for kill_at in (ends[2], ends[4] - 3):  # during an EndRound (round row + hash), and mid-round
        sid, committed, started = _kill_at(url, text_file, 21, kill_at)
        with SaveStore(url) as store:
            stored = store.info(sid).n_actions
            assert committed <= stored <= started, (committed, stored, started)
            assert started - stored <= 1
            session = GameSession.resume(store, sid)
            assert not session.read_only, session.problem
            assert [a.to_dict() for a in session.log] == ref.actions[:stored]
            play_game(session, BOT)
            assert session.state_hash() == ref.final_hash
            assert store.verify(sid).ok


CONCURRENT = """
import sys, time
from pmsim.storage.saves import SaveStore
from pmsim.storage.session import record_bot_game

url, text_path, start_at = sys.argv[1], sys.argv[2], float(sys.argv[3])
text = open(text_path, encoding="utf-8").read()
store = SaveStore(url)
time.sleep(max(0.0, start_at - time.time()))
for seed in sys.argv[4:]:
    print(record_bot_game(store, text, int(seed), "rice"), seed, flush=True)
"""


def test_four_processes_on_one_sqlite_file(tmp_path, text_file, small_text):
    url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"  # a new file: the processes also race to create it
    seeds = {p: [100 + p] for p in range(4)}
    start_at = time.time() + 1.5  # after every child has imported and opened the store
    procs = [subprocess.Popen([sys.executable, "-c", CONCURRENT, url, str(text_file), str(start_at),
                               *map(str, seeds[p])], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              stdin=subprocess.DEVNULL, text=True) for p in range(4)]
    outs = []
    for p in procs:
        out, err = p.communicate(timeout=180)
        outs.append((p.returncode, out, err))
    for code, _out, err in outs:
        assert "locked" not in err and "Traceback" not in err, err
        assert code == 0, err
    saved = {int(seed): int(sid) for _, out, _ in outs for sid, seed in (line.split() for line in out.splitlines())}
    assert sorted(saved) == sorted(s for ss in seeds.values() for s in ss)
    with SaveStore(url) as store:
        assert sorted(i.id for i in store.list()) == sorted(saved.values())
        for seed, sid in saved.items():
            rec = store.load(sid)
            assert rec.player == "bot:rice" and rec.status == "finished" and rec.seed == seed
            res = store.verify(sid)  # every stored action replays to every recorded round hash
            assert res.ok and res.applied == rec.n_actions, res.problem
            if seed % 2:  # and half of them equal a game played without storage
                assert [a.data for a in rec.actions] == play_reference(small_text, seed).actions
