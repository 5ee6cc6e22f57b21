"""Regression tests for the adversarial run of issue 10: every crash (F1-F8) and weak spot, each
through the real `pmsim` command in a subprocess: one line on stderr, the documented exit code,
and never a traceback. Signals are real signals to real processes; nothing here touches a real
device node (device tests use nodes made in tmp_path) or the user's own database.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PMSIM = [sys.executable, "-m", "pmsim"]


@pytest.fixture(autouse=True)
def _env(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("PMSIM_DB_URL", raising=False)
    monkeypatch.delenv("TEXTUAL_DRIVER", raising=False)


def pmsim(*args: str, env: dict[str, str] | None = None, timeout: float = 120, **kw) -> subprocess.CompletedProcess:
    full = dict(os.environ, **(env or {}))
    return subprocess.run([*PMSIM, *args], capture_output=True, text=True, timeout=timeout, cwd=ROOT,
                          env=full, stdin=subprocess.DEVNULL, **kw)


def one_line(r: subprocess.CompletedProcess, code: int, *expected: str) -> str:
    """Assert exit `code`, exactly one line on stderr holding every `expected`, no traceback."""
    assert "Traceback" not in r.stderr + r.stdout, r.stderr
    lines = [x for x in r.stderr.splitlines() if x.strip()]
    assert r.returncode == code, (r.returncode, r.stderr, r.stdout[-500:])
    assert len(lines) == 1, r.stderr
    for e in expected:
        assert e in lines[0], lines[0]
    return lines[0]


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    """A finished game (the rice bot on a small tutorial), exported by this pmsim: the tests never
    depend on sample files that another engine version may have left stale."""
    import re

    from pmsim.scenario.builtin import resolve
    from pmsim.storage.saves import SaveStore
    from pmsim.storage.session import record_bot_game

    text = resolve("tutorial").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^(\s+population:\s*)\d+", r"\g<1>3000", text, count=1)
    d = tmp_path_factory.mktemp("sample")
    with SaveStore(f"sqlite:///{d}/s.db") as store:
        sid = record_bot_game(store, text, 1, "rice")
        store.export(sid, d / "sample.pmsave.json")
    return d / "sample.pmsave.json"


def doc(sample: Path) -> dict:
    return json.loads(sample.read_text(encoding="utf-8"))


def write_doc(path: Path, d: dict, *, rechain: bool = True) -> Path:
    from pmsim.storage.exchange import chain_sha256, dumps

    if rechain:
        d["chain_sha256"] = chain_sha256(d)
    path.write_text(dumps(d), encoding="utf-8")
    return path


def group_members(pgid: int) -> list[int]:
    from pmsim.tui.serve import group_members as members

    return members(pgid)


def descendants(pid: int) -> list[int]:
    """Live processes below `pid` (Linux /proc)."""
    parent: dict[int, int] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                st = (d / "stat").read_text()
            except OSError:
                continue
            fields = st[st.rindex(")") + 2:].split()
            if fields[0] != "Z":
                parent[int(d.name)] = int(fields[1])
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        kids = [c for c, pp in parent.items() if pp == p]
        out += kids
        todo += kids
    return out


def _alive(pid: int) -> bool:
    try:
        st = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return st[st.rindex(")") + 2:].split()[0] != "Z"


# ---------------------------------------------------------------------------- F1 numbers out of range
@pytest.mark.parametrize("where", ["score", "component"])
def test_f1_out_of_range_numbers_in_a_save_file_are_one_line(tmp_path, where, sample):
    d = doc(sample)
    if where == "score":
        d["score"] = 123456.789
        needle = "123456.789"
    else:
        d["rounds"][0]["components"]["okr"] = 654321.123
        needle = "654321.123"
    text = write_doc(tmp_path / "x.pmsave.json", d, rechain=False).read_text()
    assert needle in text
    bad = tmp_path / "bad.pmsave.json"
    bad.write_text(text.replace(needle, "1e400" if where == "score" else "1e999"))
    db = f"sqlite:///{tmp_path}/s.db"
    for args in (["import", str(bad), "--db", db], ["replay", str(bad), "--verify"],
                 ["export", str(bad), "-o", str(tmp_path / "out.json")], ["fork", str(bad), "--round", "1", "--db", db],
                 ["review", str(bad)]):
        one_line(pmsim(*args), 2, "out of range")
    assert not (tmp_path / "out.json").exists()


def test_f1_non_finite_numbers_stored_in_a_database_are_not_passed_on(tmp_path, sample):
    import sqlite3

    db = tmp_path / "s.db"
    r = pmsim("import", str(sample), "--db", str(db))
    assert r.returncode == 0, r.stderr
    with sqlite3.connect(db) as c:
        c.execute("UPDATE saves SET score = 1e999")
        c.execute("UPDATE rounds SET components = '{\"okr\": 1e999}', score = 1e999 WHERE round = 1")
    r = pmsim("saves", "list", "--json", "--db", str(db))
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)[0]["score"] is None
    out = tmp_path / "out.pmsave.json"
    r = pmsim("export", "1", "-o", str(out), "--db", str(db))
    assert r.returncode == 0, r.stderr
    assert "Infinity" not in out.read_text() and "1e999" not in out.read_text()


# ---------------------------------------------------------------------------- F2 bad URL query values
@pytest.mark.parametrize("query", ["timeout=abc", "check_same_thread=maybe"])
def test_f2_bad_query_values_in_a_sqlite_url(tmp_path, query):
    one_line(pmsim("saves", "list", "--db", f"sqlite:///{tmp_path}/x.db?{query}"), 2, "bad database URL")


# ---------------------------------------------------------------------------- F3/F4 signals to simulate
def _start_simulate(*extra: str) -> subprocess.Popen:
    # enough games to be still running after the pause below (a bot game takes ~0.1 s)
    p = subprocess.Popen([*PMSIM, "simulate", "--jobs", "2", "--games", "600", "--strategy", "rice,random", *extra],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
                         start_new_session=True, stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    want = 4 if (os.cpu_count() or 1) >= 2 else 2  # parent, resource tracker and 2 workers
    while len(group_members(p.pid)) < want and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(group_members(p.pid)) >= want, "the workers never started"
    time.sleep(4)  # let some games finish
    return p


def _stopped(p: subprocess.Popen, send) -> tuple[str, str, float]:
    t0 = time.monotonic()
    send()
    out, err = p.communicate(timeout=30)
    took = time.monotonic() - t0
    deadline = time.monotonic() + 3
    while group_members(p.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = group_members(p.pid)
    if left:  # clean up before failing: only our own group
        os.killpg(p.pid, signal.SIGKILL)
    assert not left, f"processes left behind: {left}"
    return out, err, took


def test_f3_first_ctrl_c_stops_a_parallel_simulate_with_a_partial_summary():
    p = _start_simulate()
    out, err, took = _stopped(p, lambda: os.killpg(p.pid, signal.SIGINT))  # Ctrl-C: the whole group
    assert took < 5, f"took {took:.1f} s to stop"
    assert p.returncode == 130
    assert "Traceback" not in out + err and "Aborted" not in err
    assert "PARTIAL" in out.splitlines()[0]
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "stopped by SIGINT" in lines[0] and "partial" in lines[0], err


def test_f4_sigterm_stops_a_parallel_simulate_and_leaves_no_orphans():
    p = _start_simulate("--json")
    out, err, took = _stopped(p, lambda: os.kill(p.pid, signal.SIGTERM))  # the parent only, as `kill` does
    assert took < 5, f"took {took:.1f} s to stop"
    assert p.returncode == 143
    assert "Traceback" not in out + err
    data = json.loads(out)
    assert data["partial"] is True and set(data["played"]) == {"rice", "random"}
    assert all(0 <= n < 600 for n in data["played"].values())
    for name, stats in data["strategies"].items():
        assert data["played"][name] > 0 and "mean" in stats
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "stopped by SIGTERM" in lines[0], err


def test_simulate_jobs_is_capped_at_the_cpu_count():
    r = pmsim("simulate", "--jobs", "512", "--games", "1", "--strategy", "random", "--json")
    assert r.returncode == 0, r.stderr
    assert f"more than the {os.cpu_count()} CPU(s) here" in r.stderr
    assert json.loads(r.stdout)["games"] == 1 and "partial" not in json.loads(r.stdout)


# ---------------------------------------------------------------------------- F6 exports and special files
def test_f6_export_refuses_an_existing_file_without_force(tmp_path, sample):
    out = tmp_path / "game.pmsave.json"
    out.write_text("keep me")
    one_line(pmsim("export", str(sample), "-o", str(out)), 2, "already exists", "--force")
    assert out.read_text() == "keep me"
    r = pmsim("export", str(sample), "-o", str(out), "--force")
    assert r.returncode == 0, r.stderr
    assert json.loads(out.read_text())["format"] == "pmsim-save"


def test_f6_export_writes_into_a_fifo_and_keeps_it(tmp_path, sample):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    r = pmsim("export", str(sample), "-o", str(fifo), "--format", "csv", timeout=60)
    reader.join(10)
    assert r.returncode == 0, r.stderr
    assert got and got[0].startswith(b"save,player,scenario")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_f6_export_through_a_symlink_keeps_the_link(tmp_path, sample):
    target = tmp_path / "real.csv"
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    r = pmsim("export", str(sample), "-o", str(link), "--format", "csv")
    assert r.returncode == 0, r.stderr
    assert link.is_symlink() and target.read_text().startswith("save,player")
    one_line(pmsim("export", str(sample), "-o", str(link), "--format", "csv"), 2, "already exists")
    assert pmsim("export", str(sample), "-o", str(link), "--format", "jsonl", "--force").returncode == 0
    assert link.is_symlink() and target.read_text().startswith("{")


def _device(tmp_path: Path, name: str, minor: int) -> Path:
    """A character device node in tmp_path (1,3 is like /dev/null, 1,7 like /dev/full): never the
    system's own, so a bug that replaced it would only replace this copy."""
    path = tmp_path / name
    try:
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, minor))
        with open(path, "wb"):
            pass
    except (PermissionError, OSError) as e:
        pytest.skip(f"cannot make and open a device node here: {e}")
    return path


def test_f6_export_writes_into_a_device_in_place(tmp_path, sample):
    null = _device(tmp_path, "null", 3)
    r = pmsim("export", str(sample), "-o", str(null))
    assert r.returncode == 0, r.stderr
    assert stat.S_ISCHR(os.lstat(null).st_mode) and os.lstat(null).st_rdev == os.makedev(1, 3)
    full = _device(tmp_path, "full", 7)
    one_line(pmsim("export", str(sample), "-o", str(full)), 2, "No space left")
    assert stat.S_ISCHR(os.lstat(full).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no temp files left


def test_f6_export_refuses_a_folder_or_socket(tmp_path, sample):
    r = pmsim("export", str(sample), "-o", str(tmp_path))  # click's own usage error: exit 2
    assert r.returncode == 2 and "is a directory" in r.stderr and "Traceback" not in r.stderr
    sock_path = tmp_path / "s.sock"
    with socket.socket(socket.AF_UNIX) as s:
        s.bind(str(sock_path))
        one_line(pmsim("export", str(sample), "-o", str(sock_path)), 2, "it is a socket")
        assert stat.S_ISSOCK(os.lstat(sock_path).st_mode)


def test_write_output_checks_the_kind_of_file_before_writing(tmp_path):
    from pmsim.storage.errors import StorageError
    from pmsim.storage.exchange import check_output, write_output

    new = tmp_path / "new.txt"
    check_output(new)
    write_output(new, "one")
    with pytest.raises(StorageError, match="already exists"):
        write_output(new, "two")
    assert new.read_text() == "one"
    write_output(new, "two", force=True)
    assert new.read_text() == "two"
    with pytest.raises(StorageError, match="folder .* does not exist"):
        write_output(tmp_path / "no" / "x.txt", "x")


# ---------------------------------------------------------------------------- F7 huge ids
def test_f7_ids_out_of_range_are_one_line(tmp_path):
    db = f"sqlite:///{tmp_path}/s.db"
    big = "99999999999999999999999"
    one_line(pmsim("replay", big, "--verify", "--db", db), 2, f"no save {big}")
    one_line(pmsim("saves", "delete", big, "--db", db), 2, f"no save {big}")
    one_line(pmsim("export", big, "-o", str(tmp_path / "x.json"), "--db", db), 2, f"no save {big}")


# ---------------------------------------------------------------------------- F8 serve on a busy port
def test_f8_serve_on_a_busy_port_is_one_line():
    pytest.importorskip("textual_serve")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        r = pmsim("serve", "--port", str(port), timeout=30)
    one_line(r, 2, f"port {port}", "already in use")


def test_serve_warns_beyond_localhost_and_keeps_the_password_out_of_argv(tmp_path):
    pytest.importorskip("textual_serve")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    secret = "hunter2-not-in-argv"
    url = f"sqlite:///{tmp_path}/s.db?user=ada&password={secret}"  # a password-shaped query value
    p = subprocess.Popen([*PMSIM, "serve", "--host", "0.0.0.0", "--port", str(port), "--db", url],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
                         start_new_session=True, stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.2)
        children = descendants(p.pid)  # the server (its own session) and anything it started
        argvs = []
        for pid in children:
            try:
                argvs.append(Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace"))
            except OSError:
                pass
        assert argvs and not any(secret in a for a in argvs), argvs
    finally:
        os.killpg(p.pid, signal.SIGTERM)
        _, err = p.communicate(timeout=30)
    assert "WARNING" in err and "NO authentication" in err
    assert secret not in err and "Traceback" not in err
    deadline = time.monotonic() + 5
    while any(_alive(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in children if _alive(pid)]


# ---------------------------------------------------------------------------- databases
def test_an_empty_explicit_url_is_an_error_not_the_default_database(tmp_path):
    one_line(pmsim("saves", "list", "--db", ""), 2, "--db is empty")
    one_line(pmsim("saves", "list", env={"PMSIM_DB_URL": ""}), 2, "PMSIM_DB_URL is empty")
    assert not (tmp_path / "xdg" / "pmsim").exists()  # the default database was never created


def test_an_explicit_url_never_creates_its_folder(tmp_path):
    where = tmp_path / "no" / "such"
    one_line(pmsim("saves", "list", env={"PMSIM_DB_URL": f"sqlite:///{where}/x.db"}), 2, "folder does not exist")
    one_line(pmsim("saves", "list", "--db", f"{where}/x.db"), 2, "folder does not exist")
    assert not (tmp_path / "no").exists()


def test_a_password_is_masked_when_a_url_does_not_parse():
    r = pmsim("saves", "list", "--db", "postgresql://ada:hunter2secret@host:notaport/db")
    line = one_line(r, 2, "not a database URL")
    assert "hunter2secret" not in r.stderr + r.stdout and "***" in line


def test_a_damaged_sqlite_file_is_refused_for_writes(tmp_path, sample):
    import sqlite3

    db = tmp_path / "s.db"
    assert pmsim("import", str(sample), "--db", str(db)).returncode == 0
    c = sqlite3.connect(db)
    c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page = c.execute("PRAGMA page_size").fetchone()[0]
    # the root page of the actions table: damage it, leave the schema (page 1) readable
    root = c.execute("SELECT rootpage FROM sqlite_master WHERE name = 'actions'").fetchone()[0]
    c.close()
    with open(db, "r+b") as f:
        f.seek((root - 1) * page)
        f.write(b"\xa5" * page)
    size_before = db.stat().st_size
    one_line(pmsim("import", str(sample), "--db", str(db)), 2, "damaged", "nothing was written")
    assert db.stat().st_size == size_before


# ---------------------------------------------------------------------------- recorded scores, versions
def test_replay_verify_compares_recorded_scores(tmp_path, sample):
    d = doc(sample)
    d["rounds"][1]["score"] = 99.5
    d["score"] = 99.5
    forged = write_doc(tmp_path / "forged.pmsave.json", d)
    r = pmsim("replay", str(forged), "--verify")
    line = one_line(r, 1, "recorded scores differ", "round 2 (recorded 99.50")
    assert "the final score" in line
    one_line(pmsim("import", str(forged), "--db", str(tmp_path / "s.db")), 2, "recorded scores differ")
    ok = pmsim("replay", str(sample), "--verify")
    assert ok.returncode == 0 and "every recorded score" in ok.stdout


@pytest.mark.parametrize(("version", "message"), [("99.0.0", "newer engine"), ("garbage!", "not a version number")])
def test_import_refuses_a_newer_or_garbage_engine_version(tmp_path, version, message, sample):
    d = doc(sample)
    d["engine_version"] = version
    one_line(pmsim("import", str(write_doc(tmp_path / "v.pmsave.json", d)), "--db", str(tmp_path / "s.db")),
             2, message)


# ---------------------------------------------------------------------------- hostile names
HOSTILE = "Eve\x1b[2J\x1b]0;pwned\x07 \u202egnp.exe [/x]"


def test_hostile_names_never_reach_the_terminal_raw(tmp_path, sample):
    d = doc(sample)
    d["player"] = HOSTILE
    f = write_doc(tmp_path / "eve.pmsave.json", d)
    db = str(tmp_path / "s.db")
    assert pmsim("import", str(f), "--db", db).returncode == 0
    outputs = [pmsim("saves", "list", "--db", db), pmsim("replay", str(f), "--text"),
               pmsim("replay", "1", "--text", "--db", db)]
    for fmt in ("md", "csv", "html"):
        outputs.append(pmsim("class", "report", "--files", str(f), "--format", fmt))
    for r in outputs:
        assert r.returncode == 0, r.stderr
        text = r.stdout + r.stderr
        assert "\x1b" not in text and "\u202e" not in text and "\x07" not in text, text[:300]
    assert "Eve\\x1b[2J" in outputs[0].stdout
    assert r"\u202e" in outputs[-1].stdout
    for fmt in ("csv", "jsonl", "json"):
        out = tmp_path / f"eve.{fmt}"
        assert pmsim("export", str(f), "-o", str(out), "--format", fmt).returncode == 0
        raw = out.read_text()
        assert "\x1b" not in raw and "\u202e" not in raw, fmt


def test_hostile_names_never_reach_a_review_or_portfolio_raw(tmp_path, sample):
    d = doc(sample)
    d["player"] = HOSTILE
    f = write_doc(tmp_path / "eve.pmsave.json", d)
    for args in (["review", str(f)], ["review", str(f), "--json"]):
        r = pmsim(*args)
        assert r.returncode == 0, r.stderr
        assert "\x1b" not in r.stdout and "\u202e" not in r.stdout
    for fmt in ("portfolio", "portfolio-html"):
        out = tmp_path / f"eve.{fmt}"
        r = pmsim("export", str(f), "-o", str(out), "--format", fmt)
        assert r.returncode == 0, r.stderr
        raw = out.read_text()
        assert "\x1b" not in raw and "\u202e" not in raw, fmt


def test_names_have_a_length_limit(tmp_path):
    db = str(tmp_path / "s.db")
    one_line(pmsim("class", "create", "--scenario", "tutorial", "--name", "x" * 101, "--db", db), 2, "too long")
    one_line(pmsim("play", "--player", "y" * 101, "--db", db), 2, "too long")
    one_line(pmsim("play", "--player", "a\x1b[31mb", "--db", db), 2, "control characters")


def test_play_without_a_terminal_is_one_line(tmp_path):
    r = pmsim("play", "--save", "99999", "--db", str(tmp_path / "s.db"), timeout=30)
    one_line(r, 2, "needs a terminal")
    assert "\x1b" not in r.stdout + r.stderr


# ---------------------------------------------------------------------------- the TUI on a real terminal
def _pty_run(args: list[str], tmp_path: Path):
    """Start `pmsim ARGS` on a pseudo-terminal of 100x30; returns (process, read_until)."""
    import fcntl
    import pty
    import select
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    env = dict(os.environ, TERM="xterm-256color", COLUMNS="100", LINES="30")
    p = subprocess.Popen([*PMSIM, *args], stdin=slave, stdout=slave, stderr=slave, cwd=ROOT, env=env,
                         start_new_session=True, close_fds=True)
    os.close(slave)
    buf = bytearray()

    def read_until(pred, timeout: float) -> bytes:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # EIO: the process closed the terminal
                    break
                if not chunk:
                    break
                buf.extend(chunk)
            if pred(bytes(buf)):
                return bytes(buf)
            if p.poll() is not None and not ready:
                break
        return bytes(buf)

    return p, read_until, master


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_tui_restores_the_terminal_on_sigterm_and_sighup_with_a_markup_name(tmp_path, sig):
    name = "[/x] Bob [intern]"
    db = str(tmp_path / "s.db")
    p, read_until, master = _pty_run(["play", "--db", db, "--scenario", "tutorial", "--player", name], tmp_path)
    try:
        seen = read_until(lambda b: b"Quarter 1 of" in b, 60)  # the briefing that opens every game
        assert b"Quarter 1 of" in seen, seen[-2000:]
        assert b"\x1b[?1049h" in seen  # the app is on the alternate screen
        time.sleep(0.5)
        os.kill(p.pid, sig)
        t0 = time.monotonic()
        read_until(lambda b: p.poll() is not None, 10)  # keep reading: a full terminal blocks the app
        rc = p.wait(timeout=5)
        out = read_until(lambda b: False, 0.5)
    finally:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
        os.close(master)
    assert time.monotonic() - t0 < 5
    assert rc == 128 + sig
    assert b"Traceback" not in out and b"MarkupError" not in out
    assert out.rfind(b"\x1b[?1049l") > out.rfind(b"\x1b[?1049h"), "left on the alternate screen"
    r = pmsim("saves", "list", "--json", "--db", db)
    assert json.loads(r.stdout)[0]["player"] == name  # the name is stored as typed


def test_class_report_output_follows_the_export_rules(tmp_path, sample):
    out = tmp_path / "report.md"
    out.write_text("last week's report")
    one_line(pmsim("class", "report", "--files", str(sample), "-o", str(out)), 2, "already exists", "--force")
    assert out.read_text() == "last week's report"
    r = pmsim("class", "report", "--files", str(sample), "-o", str(out), "--force", "--jobs", "512")
    assert r.returncode == 0 and out.read_text().startswith("# Class report")
    assert "more than the" in r.stderr
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    assert pmsim("class", "report", "--files", str(sample), "-o", str(fifo), "--format", "csv").returncode == 0
    reader.join(10)
    assert got and got[0].startswith(b"rank,student") and stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_a_wildcard_bind_never_becomes_the_pages_websocket_address():
    """`serve --host 0.0.0.0` used to give the page ws://0.0.0.0:PORT, which no browser can reach."""
    import socket

    from pmsim.tui.serve import public_url

    assert public_url("127.0.0.1", 8000) == "http://127.0.0.1:8000"
    assert public_url("0.0.0.0", 8000) == f"http://{socket.getfqdn() or 'localhost'}:8000"
    assert "0.0.0.0" not in public_url("0.0.0.0", 8000)
    assert public_url("::1", 8001) == "http://[::1]:8001"


@pytest.mark.parametrize("command", [["scenarios", "balance", "tutorial", "--no-teach"], ["scenarios", "teach", "tutorial"]])
def test_balance_and_teach_jobs_are_capped_at_the_cpu_count(command):
    r = pmsim(*command, "--games", "2", "--jobs", "512", "--json")
    assert r.returncode in (0, 1), r.stderr
    assert f"note: --jobs 512 is more than the {os.cpu_count()} CPU(s) here" in r.stderr
    assert "Traceback" not in r.stderr
