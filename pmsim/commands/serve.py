"""`pmsim serve`: the game in a web browser (registered lazily in pmsim/cli.py).

The server itself is pmsim/tui/serve.py; this module checks the options, says what it serves and
names what each browser tab runs (`app_command`): `python -m pmsim.commands.serve app play
[--scenario X]` (a `play` tab) or `app-class` (a class server tab, pmsim/tui/join.py), each
guarded by `tui.serve.guard_app` so that it ends with the server, within bounded resources.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from pmsim.tui.launch import _fail


def app_command(scenario: str | None = None, class_mode: bool = False) -> str:
    """The command each browser tab runs (`exec`: the app is the server's own child, not a
    shell's). The database URL is never in it (argv is world-readable in `ps`): `serve` passes
    it to the server and its apps in the environment ($PMSIM_DB_URL), with the class code."""
    import shlex

    args = [sys.executable, "-m", "pmsim.commands.serve", *(["app-class"] if class_mode else ["app", "play"])]
    if scenario:
        args += ["--scenario", scenario]
    return "exec " + shlex.join(args)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True,
              help="Port to listen on (the browser opens http://HOST:PORT).")
@click.option("--db", "db_url", metavar="URL", default=None,
              help="Database URL the games are saved in (better: $PMSIM_DB_URL, which `ps` does not show).")
@click.option("--scenario", "scenario", metavar="ID|PATH", default=None,
              help="Offer this scenario (checked now, like `pmsim scenarios validate`) on the new-game screen.")
@click.option("--class", "class_code", metavar="CODE", default=None,
              help="A graded class: students join with the class code, their name and PIN "
                   "(`pmsim class roster`) and play the class's game here; reports mark it verified.")
@click.option("--per-client", type=click.IntRange(1, 1000), default=4, show_default=True,
              help="Games (browser tabs) open at once from one address.")
@click.option("--max-sessions", type=click.IntRange(1, 10000), default=40, show_default=True,
              help="Games open at once in total.")
@click.option("--idle-timeout", type=click.FloatRange(0.05, 24 * 60), default=20.0, show_default=True,
              metavar="MINUTES", help="Close a game with no key pressed for this long (it is saved).")
@click.option("--app-memory", type=click.IntRange(128, 1 << 20), default=1024, show_default=True,
              metavar="MB", help="Address-space limit of each game's process.")
def serve(host: str, port: int, db_url: str | None, scenario: str | None, class_code: str | None,
          per_client: int, max_sessions: int, idle_timeout: float, app_memory: int) -> None:
    """Play pmsim in a web browser (textual-serve). Ctrl+C stops the server and every game it started.

    With --class CODE it is a graded class's server: each browser tab asks for the class code,
    the student's name and PIN, then plays that student's game of the class. The seed and the
    engine stay on this machine; class reports mark these games verified."""
    from pmsim.tui.serve import Limits

    if class_code is not None and scenario is not None:
        raise click.UsageError("--class plays the class's own scenario: leave out --scenario")
    if scenario is not None:
        from pmsim.commands.common import gate_or_exit

        scenario = str(Path(gate_or_exit(scenario).path).resolve())  # refused: exit 2 before serving
    try:
        import textual_serve  # noqa: F401
    except ImportError:
        _fail("pmsim serve needs textual-serve: pip install 'pmsim[serve]'")
    from pmsim.storage.db import resolve_url
    from pmsim.storage.errors import StorageError
    from pmsim.tui.serve import is_loopback, port_problem
    from pmsim.tui.serve import serve as run

    if db_url is not None:
        try:
            resolve_url(db_url)  # an empty or unreadable URL: one line now, not in every tab
        except StorageError as e:
            _fail(str(e), e.exit_code)
    klass, given_db = None, db_url
    if class_code is not None:
        klass, n_students, db_url = _serve_class(db_url, class_code)
    problem = port_problem(host, port)
    if problem:
        _fail(f"pmsim serve: {problem}")
    if not is_loopback(host) and klass is None:
        bar = "!" * 78
        click.echo(f"{bar}\n!! WARNING: listening on {host}, beyond this computer, with NO authentication.\n"
                   f"!! Anyone who can reach port {port} can play, and read, replay or delete every save\n"
                   "!! in this database. For a class, use --class CODE (students join with a PIN);\n"
                   "!! otherwise keep the default --host 127.0.0.1.\n" + bar, err=True)
    if given_db is not None and _has_password(given_db):
        click.echo("note: --db puts the database password on this command line, where `ps` shows it to "
                   "every user here: set $PMSIM_DB_URL instead", err=True)
    shown = "localhost" if host in ("0.0.0.0", "::") else host
    if klass is not None:
        from pmsim.textsafe import name as clean

        click.echo(f"pmsim: class {klass.code} ('{clean(klass.name)}'), {n_students} student(s) on the roster. "
                   "Students open the address below and join with the class code, their name and PIN.",
                   err=True)
        if not is_loopback(host):
            click.echo("note: this is plain HTTP: use it on a network you trust (or behind an HTTPS proxy)",
                       err=True)
        from pmsim.storage.classes import GUESSABLE_SEED

        if klass.seed < GUESSABLE_SEED:
            click.echo(f"note: class {klass.code} plays seed {klass.seed}, small enough to find by trying seeds "
                       "against what the game shows: for a graded class, create it without --seed", err=True)
    click.echo(f"pmsim: open http://{shown}:{port} in a browser; Ctrl+C stops the server.", err=True)
    limits = Limits(per_client, max_sessions, app_memory, idle_timeout * 60.0)
    command = app_command(scenario, class_mode=klass is not None)
    raise SystemExit(run(host, port, command, db_url, class_code=klass.code if klass else None, limits=limits))


def _has_password(url: str) -> bool:
    from sqlalchemy.engine import make_url

    try:
        return bool(make_url(url).password)
    except Exception:
        return False


def _serve_class(db_url: str | None, code: str):
    """--class: the class must exist and have students, checked now (one line, exit 2). Returns
    the class, its number of students and the database URL every tab must use."""
    from pmsim.storage.db import resolve_url
    from pmsim.storage.errors import StorageError
    from pmsim.storage.saves import SaveStore

    try:
        with SaveStore(db_url) as store:
            klass = store.get_class(code)
            n = len(store.roster(klass.code))
    except StorageError as e:
        _fail(str(e), e.exit_code)
    if not n:
        _fail(f"class {klass.code} has no students on its roster, so nobody could join: "
              f"add them with pmsim class roster {klass.code} --add NAME")
    return klass, n, resolve_url(db_url)


def _app_main(argv: list[str]) -> None:
    """`python -m pmsim.commands.serve app play [--scenario X]` (a `play` tab) or `app-class` (a
    class server tab): guarded by `guard_app`, then the app."""
    from pmsim.tui.serve import guard_app

    guard_app()
    if argv[:1] == ["app-class"]:
        from pmsim.tui.join import main as join_main

        join_main()
        return
    from pmsim.commands.play import play

    play(argv[2:], prog_name="pmsim play")  # argv: app play [--scenario X]


if __name__ == "__main__":
    if sys.argv[1:2] in (["app"], ["app-class"]):
        _app_main(sys.argv[1:])
    else:
        serve(prog_name="pmsim serve")
