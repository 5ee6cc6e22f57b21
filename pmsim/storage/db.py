"""Database URLs and the engine factory. No engine exists until `make_engine` is called.

The URL decides the database: `--db URL` > `PMSIM_DB_URL` > a SQLite file in the user data folder.
SQLite connections get WAL, foreign keys, a busy timeout and `synchronous=NORMAL` on connect;
write transactions start with `BEGIN IMMEDIATE` (see `write_engine`) so that several processes on
one file queue for the write lock instead of failing with "database is locked".
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pmsim.storage.errors import DatabaseUnavailable, NotAPmsimDatabase, StorageError

if TYPE_CHECKING:
    from sqlalchemy.engine import URL, Engine

ENV_VAR = "PMSIM_DB_URL"
BUSY_TIMEOUT_S = 30
PG_CONNECT_TIMEOUT_S = 5
META_TABLE = "pmsim_meta"


def _default_db_path() -> Path:
    try:
        from pmsim.paths import default_db_path
    except ImportError:  # pragma: no cover - pmsim.paths is written in parallel
        import platformdirs

        return Path(platformdirs.user_data_dir("pmsim", appauthor=False)) / "pmsim.sqlite3"
    return default_db_path()


def is_default_url(cli_url: str | None = None) -> bool:
    """True when neither --db nor $PMSIM_DB_URL names a database (the default file is used)."""
    return cli_url is None and os.environ.get(ENV_VAR) is None


def resolve_url(cli_url: str | None = None) -> str:
    """--db URL > $PMSIM_DB_URL > the default SQLite file. A bare file path means SQLite.

    A URL that is given but empty (`--db ""`, or PMSIM_DB_URL set to "" by a script whose variable
    was unset) is an error, never the user's own default database."""
    if cli_url is not None:
        url, what = cli_url, "--db"
    elif os.environ.get(ENV_VAR) is not None:
        url, what = os.environ[ENV_VAR], ENV_VAR
    else:
        return "sqlite:///" + str(_default_db_path())
    if not url.strip():
        hint = "leave --db out" if what == "--db" else f"unset {ENV_VAR}"
        raise DatabaseUnavailable(
            f"{what} is empty: give a database URL, or {hint} to use your default database"
        )
    url = url.strip()
    if "://" not in url:
        return "sqlite:///" + str(Path(url).expanduser().absolute())
    return url


def _parse(url: str) -> URL:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        u = make_url(url)
    except (ArgumentError, ValueError):
        raise DatabaseUnavailable(
            f"{mask_password(url)!r} is not a database URL: use sqlite:///PATH or "
            "postgresql+psycopg://USER@HOST/DB"
        ) from None
    if u.drivername in ("postgresql", "postgres"):
        u = u.set(drivername="postgresql+psycopg")  # psycopg 3 is the driver pmsim ships with
    return u


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or None (in-memory database or another backend)."""
    u = _parse(url)
    if u.get_backend_name() != "sqlite" or not u.database or u.database == ":memory:":
        return None
    if u.database.startswith("file:"):
        return None
    return Path(u.database)


def describe_url(url: str) -> str:
    """What to show a person: the file for SQLite, the URL without its password otherwise."""
    path = sqlite_path(url)
    if path is not None:
        return str(path)
    u = _parse(url)
    if u.get_backend_name() == "sqlite":
        db = u.database or ""
        if db.startswith("file:") and "mode=memory" not in db:
            # a URI filename (sqlite:///file:/path/saves.db?mode=ro&uri=true): the file, not "in-memory"
            return db.removeprefix("file:").split("?", 1)[0] or "in-memory SQLite"
        return "in-memory SQLite"
    return u.render_as_string(hide_password=True)


def make_engine(url: str) -> Engine:
    """A SQLAlchemy engine for `url`, configured for pmsim (see the module docstring)."""
    from sqlalchemy import create_engine, event
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    u = _parse(url)
    backend = u.get_backend_name()
    kwargs: dict[str, Any] = {}
    if backend == "sqlite":
        memory = sqlite_path(url) is None
        connect_args: dict[str, Any] = {"timeout": BUSY_TIMEOUT_S}
        if memory:
            from sqlalchemy.pool import StaticPool

            connect_args["check_same_thread"] = False
            kwargs["poolclass"] = StaticPool  # one shared connection, or each thread sees its own DB
        kwargs["connect_args"] = connect_args
    elif backend == "postgresql":
        kwargs["connect_args"] = {"connect_timeout": PG_CONNECT_TIMEOUT_S, "application_name": "pmsim"}
        kwargs["pool_pre_ping"] = True
    try:
        engine = create_engine(u, **kwargs)
    except (ValueError, TypeError) as e:  # a query value the driver cannot take: ?timeout=abc
        shown = u.render_as_string(hide_password=True)
        raise DatabaseUnavailable(f"bad database URL {shown}: {mask_password(str(e), url)}") from None
    except (NoSuchModuleError, ModuleNotFoundError, ImportError) as e:
        if backend == "postgresql":
            raise DatabaseUnavailable(
                "PostgreSQL support is not installed: pip install 'pmsim[postgres]' (psycopg 3)"
            ) from None
        shown = u.render_as_string(hide_password=True)
        raise DatabaseUnavailable(f"unsupported database URL {shown} ({e}): use sqlite or postgresql") from None
    except ArgumentError as e:
        raise DatabaseUnavailable(f"bad database URL {describe_url(url)}: {mask_password(str(e), url)}") from None
    if backend == "sqlite":
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
    return engine


def write_engine(engine: Engine) -> Engine:
    """The same engine (same pool), whose transactions are write transactions.

    On SQLite they begin with BEGIN IMMEDIATE: the write lock is taken up front, waiting up to the
    busy timeout, instead of upgrading a read lock later, which SQLite refuses at once with
    "database is locked" when another process wrote in between.
    """
    return engine.execution_options(pmsim_write=True)


def _sqlite_on_connect(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None  # we emit BEGIN ourselves (SQLAlchemy's pysqlite recipe)
    cur = dbapi_conn.cursor()
    try:
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_S * 1000}")
        cur.execute("PRAGMA foreign_keys = ON")
        mode = cur.execute("PRAGMA journal_mode").fetchone()[0]
        if mode not in ("wal", "memory"):
            # only switch an empty or pmsim database to WAL: never modify somebody else's file
            names = [r[0] for r in cur.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            if not names or META_TABLE in names:
                _switch_to_wal(cur)
        cur.execute("PRAGMA synchronous = NORMAL")  # durable against process crashes in WAL mode
    finally:
        cur.close()


def _switch_to_wal(cur: Any) -> None:
    """PRAGMA journal_mode = WAL, waiting (up to the busy timeout) while another connection holds
    the file: SQLite refuses the switch at once with "database is locked" instead of calling its
    busy handler, which several openers of a new file (a class starting at once) ran into."""
    import sqlite3
    import time

    deadline = time.monotonic() + BUSY_TIMEOUT_S
    delay = 0.005
    while True:
        try:
            cur.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as e:
            low = str(e).lower()
            if ("locked" not in low and "busy" not in low) or time.monotonic() > deadline:
                raise
        time.sleep(delay)
        delay = min(delay * 2, 0.1)
        try:  # another opener may have switched the file meanwhile (WAL mode is kept in the file)
            if cur.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
                return
        except sqlite3.OperationalError:
            pass


def _sqlite_on_begin(conn: Any) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("pmsim_write") else "BEGIN")


def check_writable(engine: Engine, url: str) -> None:
    """Before the first write: refuse a damaged SQLite file (`PRAGMA quick_check`), which SQLite
    would otherwise happily append to as long as no write touches a damaged page."""
    from sqlalchemy.exc import DatabaseError

    if engine.dialect.name != "sqlite" or sqlite_path(url) is None:
        return
    try:
        with engine.connect() as conn:
            rows = conn.exec_driver_sql("PRAGMA quick_check(3)").all()
    except DatabaseError as e:  # so damaged that the check itself cannot read it
        low = _first_line(e).lower()
        if "malformed" not in low and "not a database" not in low:
            raise
        rows = [(_first_line(e),)]
    problems = [str(r[0]) for r in rows if str(r[0]).lower() != "ok"]
    if problems:
        raise NotAPmsimDatabase(
            f"{describe_url(url)} is damaged (quick_check: {problems[0][:120]}): nothing was written; "
            "restore a backup or move it away"
        )


# ------------------------------------------------------------------------------ errors
_USERINFO = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.\-]*://[^/:@\s]*:)(?P<pw>[^@\n]*)@")


def mask_password(text: str, url: str | None = None) -> str:
    """`text` with the password of any URL in it, and the password of `url`, shown as ***."""
    out = _USERINFO.sub(lambda m: m.group("head") + "***@", text)
    if url:
        pw = None
        m = _USERINFO.search(url)
        if m and m.group("pw"):
            pw = m.group("pw")
        if pw and len(pw) >= 3:
            from urllib.parse import unquote

            for p in {pw, unquote(pw)}:
                out = out.replace(p, "***")
    return out


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip().splitlines()
    return text[0].strip() if text else type(orig).__name__


def translate(exc: BaseException, url: str) -> StorageError:
    """A DBAPI/SQLAlchemy error as one actionable line naming the database."""
    where = describe_url(url)
    msg = mask_password(_first_line(exc), url)
    low = msg.lower()
    if "file is not a database" in low or "file is encrypted" in low:
        return NotAPmsimDatabase(
            f"{where} is not a SQLite database (garbage or truncated file): move it away or use --db"
        )
    if "malformed" in low or "disk image" in low:
        return NotAPmsimDatabase(f"{where} is damaged ({msg}): restore a backup or move it away")
    if "unable to open database file" in low:
        return DatabaseUnavailable(f"cannot open {where}: the folder does not exist or is not writable")
    if "database is locked" in low or "database is busy" in low:
        return DatabaseUnavailable(
            f"{where} stayed locked by another program for {BUSY_TIMEOUT_S} s: try again"
        )
    if "readonly database" in low or "read-only" in low:
        return DatabaseUnavailable(f"{where} is read-only: check its permissions")
    if "disk is full" in low or "no space" in low:
        return DatabaseUnavailable(f"{where}: the disk is full")
    u = _parse(url)
    if u.get_backend_name() == "postgresql":
        server = f"{u.host or 'localhost'}:{u.port or 5432}"
        if "connection refused" in low or "no such file or directory" in low:
            return DatabaseUnavailable(
                f"cannot connect to PostgreSQL at {server}: connection refused (is the server running?)"
            )
        if "timeout" in low or "timed out" in low:
            return DatabaseUnavailable(
                f"PostgreSQL at {server} did not answer within {PG_CONNECT_TIMEOUT_S} s"
            )
        if "authentication failed" in low or "no password supplied" in low or (
            "role" in low and "does not exist" in low
        ):
            return DatabaseUnavailable(
                f"PostgreSQL at {server} refused user {u.username or '(none)'}: check the user name "
                "and password in the URL"
            )
        if re.search(r'database ".*" does not exist', low):
            return DatabaseUnavailable(
                f"PostgreSQL database {u.database!r} does not exist on {server}: create it "
                f"(createdb {u.database}) or fix the URL"
            )
        if "translate host name" in low or "name or service not known" in low:
            return DatabaseUnavailable(f"unknown PostgreSQL host {u.host!r}: check the URL")
    return DatabaseUnavailable(f"database error on {where}: {msg}")


@contextmanager
def db_errors(url: str) -> Iterator[None]:
    """Turn driver errors raised inside the block into `StorageError`s naming the database."""
    from sqlalchemy.exc import DBAPIError, OperationalError

    try:
        yield
    except StorageError:
        raise
    except (OperationalError, DBAPIError) as e:
        raise translate(e, url) from None
    except OSError as e:  # e.g. psycopg raising before SQLAlchemy can wrap it
        raise translate(e, url) from None
