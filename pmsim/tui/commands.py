"""Click commands for the TUI. Registered lazily in pmsim/cli.py:

    "play": "pmsim.tui.commands:play",      "serve": "pmsim.tui.commands:serve",

`run_replay_viewer(save_ref, db_url)` opens the replay viewer (for `pmsim replay SAVE` without
--verify). `python -m pmsim.tui.commands play|serve` works without the CLI too.
"""

from __future__ import annotations

from pathlib import Path

import click

from pmsim.tui.launch import _fail, _run


def _opener(db_url: str | None):
    """Opens the database when the app first needs it (in a worker, after the first frame)."""

    def open_store():
        from pmsim.storage.saves import SaveStore

        return SaveStore(db_url)

    return open_store


def _scenario(scenario: str | None):
    """--scenario, loaded now so that a bad file is reported before the screen starts."""
    if scenario is None:
        return []
    from pmsim.commands.common import gate_or_exit  # the checks of `scenarios validate`; exit 2
    from pmsim.scenario.loader import ScenarioError
    from pmsim.tui.service import ScenarioEntry

    checked = gate_or_exit(scenario)
    try:
        return [ScenarioEntry.from_text(checked.text, checked.path)]
    except ScenarioError as e:
        _fail("\n".join(e.lines()))


def _class_store(db_url: str | None, code: str):
    """--class: open the database now and check the code, so that an unknown code is one line on
    stderr and exit code 2 before any screen is drawn. Returns the open SaveStore for the app."""
    from pmsim.storage.errors import StorageError
    from pmsim.storage.saves import SaveStore

    try:
        store = SaveStore(db_url)
    except StorageError as e:
        _fail(str(e), e.exit_code)
    try:
        store.get_class(code)
    except StorageError as e:
        store.close()
        _fail(str(e), e.exit_code)
    return store


def _has_terminal() -> bool:
    import os
    import sys

    return bool(os.environ.get("TEXTUAL_DRIVER")) or (sys.stdin.isatty() and sys.stdout.isatty())


def _need_terminal() -> None:
    """The app draws on a terminal: without one (a pipe, a file, cron) it would write escape codes
    until killed. textual-serve's web driver (TEXTUAL_DRIVER) has no terminal and needs none."""

    if not _has_terminal():
        _fail("pmsim play needs a terminal (standard input and output are not one): run it in a terminal; "
              "`pmsim replay SAVE --text` and `pmsim saves list` work without one")


def _check_player(player: str | None) -> None:
    from pmsim.textsafe import check_name

    if player is not None:
        try:
            check_name(player, "player name")
        except ValueError as e:
            _fail(f"--player: {e}")


@click.command("play")
@click.option("--scenario", "scenario", metavar="ID|PATH", default=None,
              help="A built-in scenario id or a scenario file (default: pick one on screen).")
@click.option("--seed", type=click.IntRange(min=0, max=2**63 - 1), default=None,
              help="The seed of a new game (default: a fresh one, shown on screen).")
@click.option("--player", default=None, help="Your name on the save (default: your login name).")
@click.option("--continue", "continue_", is_flag=True,
              help="Resume your latest game in progress (of --player NAME, else of the last player here).")
@click.option("--save", "save_id", type=int, default=None, metavar="ID", help="Open save ID.")
@click.option("--db", "db_url", metavar="URL", default=None,
              help="Database URL (default: $PMSIM_DB_URL, else the file `pmsim saves path` shows).")
@click.option("--theme", type=click.Choice(["textual-dark", "textual-light", "pmsim-high-contrast"]),
              default=None, help="Colour theme (t switches while playing).")
@click.option("--class", "class_code", metavar="CODE", default=None,
              help="Start a new game in the class with join code CODE (its scenario and seed).")
@click.option("--mentor/--no-mentor", "mentor", default=None,
              help="A mentor who comments on your plan (default: on in the tutorial only; M toggles it; "
                   "always off in class games).")
@click.option("--tutorial", is_flag=True, help="Start the guided tutorial at once.")
def play(scenario: str | None, seed: int | None, player: str | None, continue_: bool, save_id: int | None,
         db_url: str | None, theme: str | None, class_code: str | None, mentor: bool | None,
         tutorial: bool) -> None:
    """Play pmsim in the terminal. Every action is saved as you go.

    The theme, the mentor default and your name are remembered in a settings file (`t`, --theme,
    --mentor/--no-mentor and --player change them; $PMSIM_CONFIG_DIR moves the file)."""
    from pmsim.tui.app import PmsimApp
    from pmsim.tui.settings import Settings

    settings = Settings.load()
    changes = {k: v for k, v in (("theme", theme), ("mentor", mentor)) if v is not None}
    if changes:
        settings.update(**changes)

    if continue_ and save_id is not None:
        raise click.UsageError("use either --continue or --save, not both")
    if class_code is not None:
        if scenario is not None or seed is not None or tutorial:
            raise click.UsageError("--class sets the scenario and seed: leave out --scenario, --seed and --tutorial")
        if continue_ or save_id is not None:
            raise click.UsageError("--class starts a new game in the class; resume it with --save ID or --continue")
        _check_player(player)
        store = _class_store(db_url, class_code)
        if not _has_terminal():
            store.close()
            _need_terminal()
        _run(PmsimApp(store, player=player, start="class", class_code=class_code, theme=theme, mentor=mentor,
                      settings=settings))
        return
    if tutorial and (continue_ or save_id is not None or scenario is not None):
        raise click.UsageError("--tutorial starts a new tutorial game: leave out --continue, --save and --scenario")
    _check_player(player)
    extra = _scenario(scenario)
    selected = extra[0].id if extra else None
    if tutorial:
        start = "tutorial"
    elif continue_:
        start = "continue"
    elif save_id is not None:
        start = "save"
    elif scenario is not None and player is not None:
        start = "play"
    elif scenario is not None:
        start = "new"
    else:
        start = "title"
    app = PmsimApp(_opener(db_url), seed=seed, player=player, scenario_id=selected, start=start,
                   save_ref=save_id, theme=theme, extra_scenarios=extra, mentor=mentor, settings=settings)
    _need_terminal()
    _run(app)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
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
    raise SystemExit(run(host, port, db_url, scenario, class_code=klass.code if klass else None, limits=limits))


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


def run_replay_viewer(save_ref: int | str, db_url: str | None = None) -> None:
    """Open the replay viewer on SAVE (a save id, or the path of an exported .pmsave.json)."""
    from pmsim.storage.saves import parse_target
    from pmsim.tui.app import PmsimApp

    target = parse_target(save_ref)
    _run(PmsimApp(_opener(db_url), start="replay", save_ref=target if isinstance(target, int) else str(target)))


@click.group()
def main() -> None:
    """pmsim's terminal UI (normally run as `pmsim play` / `pmsim serve`)."""


main.add_command(play)
main.add_command(serve)

if __name__ == "__main__":
    main()
