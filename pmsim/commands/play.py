"""`pmsim play`: the game in the terminal (registered lazily in pmsim/cli.py).

`python -m pmsim.commands.play [OPTIONS]` is `pmsim play` without the CLI group (the benchmark
and the tmux tests start it so); a browser tab of `pmsim serve` runs it through
`python -m pmsim.commands.serve app play` (see commands/serve.py).
"""

from __future__ import annotations

import click

from pmsim.tui.launch import _fail, _opener, _run


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


def _check_company(store, code: str, company: str | None) -> None:
    """A shared class needs --company and a solo one refuses it; a finished class, an unknown company
    or a class from another engine is one line on stderr and exit code 2, before any screen."""
    from pmsim.storage.errors import StorageError
    from pmsim.storage.shared_market import NotShared
    from pmsim.tui.company import check_company

    try:
        check_company(store, code, company)
    except NotShared:
        return  # a solo class, played without --company
    except StorageError as e:
        store.close()
        _fail(str(e), e.exit_code)


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
@click.option("--company", metavar="NAME", default=None,
              help="With --class CODE of a shared market: play company NAME (see `pmsim class status CODE`).")
@click.option("--mentor/--no-mentor", "mentor", default=None,
              help="A mentor who comments on your plan (default: on in the tutorial only; M toggles it; "
                   "always off in class games).")
@click.option("--tutorial", is_flag=True, help="Start the guided tutorial at once.")
def play(scenario: str | None, seed: int | None, player: str | None, continue_: bool, save_id: int | None,
         db_url: str | None, theme: str | None, class_code: str | None, company: str | None,
         mentor: bool | None, tutorial: bool) -> None:
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
        _check_company(store, class_code, company)
        if not _has_terminal():
            store.close()
            _need_terminal()
        _run(PmsimApp(store, player=player, start="company" if company else "class", class_code=class_code,
                      company=company, theme=theme, mentor=mentor, settings=settings))
        return
    if company is not None:
        _fail("--company NAME needs --class CODE (the shared-market class it plays in)")
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


if __name__ == "__main__":
    play(prog_name="pmsim play")
