"""Click commands for the TUI. Registered lazily in pmsim/cli.py:

    "play": "pmsim.tui.commands:play",      "serve": "pmsim.tui.commands:serve",

`run_replay_viewer(save_ref, db_url)` opens the replay viewer (for `pmsim replay SAVE` without
--verify). `python -m pmsim.tui.commands play|serve` works without the CLI too.
"""

from __future__ import annotations

from typing import NoReturn

import click


def _fail(message: str, code: int = 2) -> NoReturn:
    click.echo(message, err=True)
    raise SystemExit(code)


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
    from pmsim.scenario.loader import ScenarioError
    from pmsim.tui.service import Catalog

    try:
        return [Catalog.load_one(scenario)]
    except ScenarioError as e:
        _fail("\n".join(e.lines()))
    except OSError as e:
        _fail(f"{scenario}: {e.strerror or e}")


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


def _run(app) -> None:
    """Run the app; a database that cannot be used ends it with one line and exit code 2."""
    try:
        app.run()
    finally:
        app.service.close()
    if app.return_code:
        raise SystemExit(app.return_code)


@click.command("play")
@click.option("--scenario", "scenario", metavar="ID|PATH", default=None,
              help="A built-in scenario id or a scenario file (default: pick one on screen).")
@click.option("--seed", type=click.IntRange(min=0, max=2**63 - 1), default=None,
              help="The seed of a new game (default: a fresh one, shown on screen).")
@click.option("--player", default=None, help="Your name on the save (default: your login name).")
@click.option("--continue", "continue_", is_flag=True, help="Resume the latest game in progress.")
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
        store = _class_store(db_url, class_code)
        _run(PmsimApp(store, player=player, start="class", class_code=class_code, theme=theme, mentor=mentor,
                      settings=settings))
        return
    if tutorial and (continue_ or save_id is not None or scenario is not None):
        raise click.UsageError("--tutorial starts a new tutorial game: leave out --continue, --save and --scenario")
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
    _run(app)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--db", "db_url", metavar="URL", default=None, help="Database URL the games are saved in.")
def serve(host: str, port: int, db_url: str | None) -> None:
    """Play pmsim in a web browser (textual-serve). Ctrl+C stops the server and every game it started."""
    try:
        import textual_serve  # noqa: F401
    except ImportError:
        _fail("pmsim serve needs textual-serve: pip install 'pmsim[serve]'")
    from pmsim.tui.serve import serve as run

    click.echo(f"pmsim: open http://{host}:{port} in a browser; Ctrl+C stops the server.", err=True)
    raise SystemExit(run(host, port, db_url))


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
