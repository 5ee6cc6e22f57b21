"""Fixtures for the storage suite: small scenarios, throwaway SQLite files, a real PostgreSQL.

Every test runs with XDG_DATA_HOME in a temp folder and no PMSIM_DB_URL, so nothing here can
touch a developer's real saves. Load tests use the default scenario with a 2,000-customer
population (the scenario *text* is edited, so the stored text, its hash and the game agree).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

# other suites load this file by path (its PostgreSQL server): its helper module beside it must
# import for them too, whichever folders the run collected
if str(Path(__file__).parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).parent))

from storage_texts import BOT, ROOT, Reference, play_reference, scenario_text  # noqa: F401 (re-exported)


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("xdg-data")))
    monkeypatch.delenv("PMSIM_DB_URL", raising=False)


@pytest.fixture(scope="session")
def small_text() -> str:
    return scenario_text()


@pytest.fixture(scope="session")
def reference(small_text) -> Reference:
    return play_reference(small_text, 11)


@pytest.fixture(scope="session")
def template_db(tmp_path_factory, small_text) -> Path:
    """A database with save 1 (a finished rice game, seed 11) and save 2 (rice, 3 rounds played)."""
    from pmsim.engine.bots import play_round
    from pmsim.storage.saves import SaveStore
    from pmsim.storage.session import GameSession, record_bot_game

    path = tmp_path_factory.mktemp("template") / "pmsim.sqlite3"
    store = SaveStore(f"sqlite:///{path}")
    assert record_bot_game(store, small_text, 11, BOT) == 1
    s = GameSession.start(store, small_text, 12, "ada")
    for _ in range(3):
        play_round(s, BOT)
    store.close()  # the last connection checkpoints the WAL into the file
    return path


@pytest.fixture
def db_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'pmsim.sqlite3'}"


@pytest.fixture
def store(db_url):
    from pmsim.storage.saves import SaveStore

    s = SaveStore(db_url)
    yield s
    s.close()


@pytest.fixture
def seeded_url(tmp_path, template_db) -> str:
    """A private copy of the template database (saves 1 and 2)."""
    dst = tmp_path / "seeded.sqlite3"
    shutil.copy(template_db, dst)
    return f"sqlite:///{dst}"


@pytest.fixture
def seeded(seeded_url):
    from pmsim.storage.saves import SaveStore

    s = SaveStore(seeded_url)
    yield s
    s.close()


def run_child(code: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT, stdin=subprocess.DEVNULL)


# ------------------------------------------------------------------------------ PostgreSQL
def on_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def skip_or_fail(reason: str) -> None:
    """Skip locally; on CI a missing PostgreSQL is a failure, not a silent skip."""
    if on_ci():
        pytest.fail(f"PostgreSQL tests cannot run on CI: {reason}")
    pytest.skip(reason)


def find_pg_bindir() -> Path | None:
    def version(p: Path) -> float:
        try:
            return float(p.parent.parent.name)
        except ValueError:
            return 0.0

    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=version)
    for initdb in reversed(found):
        if (initdb.parent / "pg_ctl").exists():
            return initdb.parent
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgServer:
    """A throwaway PostgreSQL cluster in a temp folder on 127.0.0.1, owned by the `postgres`
    user when we are root (initdb refuses to run as root). Stopped by pid at the end."""

    PASSWORD_USER = ("pmsim_pw", "right-password")

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.base = Path(tempfile.mkdtemp(prefix="pmsim-pg-"))
        self.data = self.base / "data"
        self.port = free_port()
        self.pid: int | None = None
        self.as_root = os.geteuid() == 0

    def _run(self, *cmd: str, timeout: float = 60) -> subprocess.CompletedProcess:
        argv = [str(self.bindir / cmd[0]), *cmd[1:]]
        if self.as_root:
            argv = ["runuser", "-u", "postgres", "--", *argv]
        res = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
        if res.returncode != 0:
            raise RuntimeError(f"{cmd[0]} failed ({res.returncode}): {(res.stderr or res.stdout).strip()[-500:]}")
        return res

    def start(self) -> None:
        if self.as_root:
            import pwd

            pw = pwd.getpwnam("postgres")
            os.chown(self.base, pw.pw_uid, pw.pw_gid)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync",
                  "-E", "UTF8", "--locale=C")
        hba = self.data / "pg_hba.conf"
        hba.write_text(
            "local all all trust\n"
            "host all postgres 127.0.0.1/32 trust\n"
            "host all all 127.0.0.1/32 scram-sha-256\n"
        )
        self._start_postmaster()
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres",
                             autocommit=True) as conn:
            conn.execute("CREATE DATABASE pmsim_test")
            user, pw = self.PASSWORD_USER
            conn.execute(f"CREATE ROLE {user} LOGIN PASSWORD '{pw}'")

    def _start_postmaster(self) -> None:
        opts = (f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.base} -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off -c max_connections=150")
        try:
            self._run("pg_ctl", "-D", str(self.data), "-l", str(self.base / "server.log"), "-w", "-t", "60",
                      "-o", opts, "start")
        finally:  # even when pg_ctl gave up waiting, a postmaster that did start gets stopped
            with contextlib.suppress(OSError, ValueError, IndexError):
                self.pid = int((self.data / "postmaster.pid").read_text().split()[0])

    def halt(self) -> None:
        """A real outage: stop the server (fast shutdown, clients are cut off) but keep its data."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-t", "30", "stop")
        self.pid = None  # gone: `stop` must never signal a pid the system may have handed out again

    def restart(self) -> None:
        """Start the halted server again: same data folder, same port."""
        self._start_postmaster()

    def url(self, db: str = "pmsim_test", user: str = "postgres", password: str | None = None) -> str:
        auth = user if password is None else f"{user}:{password}"
        return f"postgresql+psycopg://{auth}@127.0.0.1:{self.port}/{db}"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres",
                             autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return self.url(name)

    def stop(self) -> None:
        try:
            if self.pid is not None:
                try:
                    self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-t", "30", "stop")
                except (RuntimeError, subprocess.TimeoutExpired):
                    pass
                deadline = time.monotonic() + 10
                while _alive(self.pid) and time.monotonic() < deadline:
                    time.sleep(0.05)
                if _alive(self.pid):
                    os.kill(self.pid, signal.SIGKILL)  # our postmaster only, by its pid
        finally:
            shutil.rmtree(self.base, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def start_pg_server() -> PgServer:
    """A new throwaway server, started (the caller stops it); skips locally, fails on CI, when
    the server binaries or psycopg are missing or the server does not start."""
    bindir = find_pg_bindir()
    if bindir is None and on_ci() and os.geteuid() == 0:
        subprocess.run(["bash", str(ROOT / "scripts" / "ensure_postgres.sh")], check=False,
                       stdin=subprocess.DEVNULL, timeout=900)
        bindir = find_pg_bindir()
    if bindir is None:
        skip_or_fail("PostgreSQL server binaries not found in /usr/lib/postgresql/*/bin "
                     "(install them with scripts/ensure_postgres.sh)")
    try:
        import psycopg  # noqa: F401
    except ImportError:
        skip_or_fail("psycopg is not installed (pip install 'pmsim[postgres]')")
    server = PgServer(bindir)
    try:
        server.start()
    except (RuntimeError, OSError, KeyError, subprocess.TimeoutExpired) as e:
        server.stop()
        skip_or_fail(f"cannot start a PostgreSQL server: {e}")
    return server


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    server = start_pg_server()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def pg_url(pg_server) -> str:
    """postgresql+psycopg://postgres@127.0.0.1:PORT/pmsim_test"""
    return pg_server.url()


_db_counter = iter(range(1, 10**6))


@pytest.fixture
def pg_fresh_url(pg_server) -> str:
    """A new, empty database on the test server, for tests that need a clean slate."""
    return pg_server.create_database(f"pmsim_t{next(_db_counter)}")
