"""`pmsim class`: run a class on one scenario and seed, and grade it.

    pmsim class create --scenario b2b_saas --seed 42 --name "PM 101" [--db URL]
    pmsim play --class PM-7QK4 --player "Ada"               (each student)
    pmsim class add-bots PM-7QK4 --strategy rice,random      (reference games, shown apart)
    pmsim class roster PM-7QK4 --add "Ada" --add "Grace"     (PINs for the class server)
    pmsim serve --class PM-7QK4 --host 0.0.0.0               (students play in a browser: verified)
    pmsim class report PM-7QK4 --format html -o report.html  (from the database: no replay)
    pmsim class report --files saves/*.pmsave.json           (without a server: replays each file)

A report from the database reads the game summary stored when each game finished; a finished save
without one (played before summaries were stored) is replayed once and its summary stored. A report
from files reads and replays every file (in worker processes, `--jobs`); a file that cannot be
counted (tampered, truncated, another scenario or seed, a newer pmsim, unfinished, not a save) is
listed as rejected with its reason (checking and building: class_reports.py). Exit codes:
0 report written (even with rejected games), 2 nothing could be read, or an unknown class code,
with one line on stderr.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from pmsim.commands.class_reports import report_from_db, report_from_files
from pmsim.commands.common import STRATEGY_HELP, capped_jobs, fail, strategies_or_exit, table

if TYPE_CHECKING:
    from pmsim.storage.saves import SaveStore

db_option = click.option(
    "--db", "db_url", metavar="URL", default=None,
    help="Database URL (sqlite:///FILE or postgresql+psycopg://USER:PASSWORD@HOST/DB). "
    "Default: $PMSIM_DB_URL, else your local SQLite file. A class on several computers needs a server.",
)


# ---------------------------------------------------------------------------- commands
@click.group("class")
def class_() -> None:
    """Run a class: everyone plays the same scenario on the same seed; then grade it.

    A solo class: each student plays their own game. A shared-market class (create --shared):
    each team plays a company in one market; status and advance run its quarters."""


def _store(db_url: str | None) -> SaveStore:
    from pmsim.storage.errors import StorageError
    from pmsim.storage.saves import SaveStore

    try:
        return SaveStore(db_url)
    except StorageError as e:
        fail(str(e), e.exit_code)


@class_.command("create")
@click.option("--scenario", "scenario_arg", required=True, metavar="ID|PATH", help="A built-in scenario id or a file.")
@click.option("--seed", type=click.IntRange(min=0, max=2**63 - 1), default=None,
              help="The seed every student plays (default: a random 63-bit one, printed; a small seed can be "
                   "found by trying seeds against what the game shows, so leave it out for a graded class).")
@click.option("--name", required=True, help='The class name, e.g. "PM 101, spring".')
@click.option("--shared", is_flag=True, help="One shared market: the companies compete for the same customers.")
@click.option("--companies", type=click.IntRange(min=2), default=None, metavar="N",
              help="With --shared: how many companies (named Company 1..N unless --company names them).")
@click.option("--company", "company_names", multiple=True, metavar="NAME",
              help="With --shared: a company's name (repeat for each company).")
@click.option("--companies-file", "companies_file", type=click.Path(dir_okay=False), default=None, metavar="PATH",
              help="With --shared: the companies' names, one a line (blank lines and # comments skipped).")
@db_option
def class_create(scenario_arg: str, seed: int | None, name: str, shared: bool, companies: int | None,
                 company_names: tuple[str, ...], companies_file: str | None, db_url: str | None) -> None:
    """Create a class and print the code students join it with."""
    import secrets

    if shared or companies is not None or company_names or companies_file:
        from pmsim.commands.shared_class import create_shared, names_from_file

        if companies_file is not None:
            if company_names:
                fail("class create: give the companies' names with --company or --companies-file, not both")
            company_names = names_from_file(companies_file)
        return create_shared(scenario_arg, seed, name, shared, companies, company_names, db_url)

    from pmsim.commands.common import gate_or_exit
    from pmsim.storage.db import ENV_VAR, describe_url, resolve_url, sqlite_path
    from pmsim.storage.errors import StorageError

    checked = gate_or_exit(scenario_arg)  # the checks of `scenarios validate`; no --force for a class
    sc, text = checked.scenario, checked.text
    seed = secrets.randbelow(2**63) if seed is None else seed  # too many to try: see GUESSABLE_SEED
    with _store(db_url) as store:
        try:
            klass = store.create_class(name, text, seed, scenario=sc)
        except StorageError as e:
            fail(str(e), e.exit_code)
        where = store.where
    url = resolve_url(db_url)
    from pmsim.textsafe import name as clean

    click.echo(f"Created class {klass.code}: '{clean(klass.name)}', {clean(sc.meta.title)} ({sc.meta.id}), seed {seed}, "
               f"in {clean(where)}.")
    click.echo("\nStudents join with:\n")
    db_hint = ""
    if db_url:
        db_hint = f" --db {describe_url(url)}"
    elif os.environ.get(ENV_VAR):
        db_hint = f"   (with {ENV_VAR} set to the same database)"
    click.echo(f'    pmsim play --class {klass.code} --player "YOUR NAME"{db_hint}\n')
    if sqlite_path(url) is not None:
        click.echo("This database is a file on this computer: students on other computers need a shared "
                   "PostgreSQL server (--db postgresql+psycopg://USER:PASSWORD@HOST/DB, or PMSIM_DB_URL), "
                   "or they export their games (pmsim export SAVE -o NAME.pmsave.json) for "
                   "`pmsim class report --files`.")
    click.echo(f"Report: pmsim class report {klass.code} --format html -o report.html")


@class_.command("add-bots")
@click.argument("code")
@click.option("--strategy", default="all", show_default=True, metavar="NAME[,NAME...]|all",
              help=STRATEGY_HELP)
@db_option
def class_add_bots(code: str, strategy: str, db_url: str | None) -> None:
    """Add reference bot games to class CODE, on the class's own scenario and seed.

    Each bot is stored as player bot:<strategy> and shown apart from the students in class
    reports (a yardstick: what random play, the HiPPO or the oracle would have scored). A bot
    already in the class is not added twice.
    """
    from pmsim.engine.bots import play_game
    from pmsim.storage.errors import StorageError
    from pmsim.storage.session import GameSession

    names = strategies_or_exit(strategy)
    with _store(db_url) as store:
        try:
            klass, games = store.class_games(code)
            present = {g.info.player for g in games if g.info.status == "finished"}
            for name in names:
                player = f"{BOT_PREFIX}{name}"
                if player in present:
                    click.echo(f"{player}: already in class {klass.code}, not added again")
                    continue
                session = GameSession.start_class(store, klass.code, player)
                play_game(session, name)  # type: ignore[arg-type]  # a session plays like a Game
                score = session.game.score()["score"]
                click.echo(f"{player}: {score:.1f} points (save {session.save_id})")
        except StorageError as e:
            fail(str(e), e.exit_code)
    click.echo(f"Report: pmsim class report {klass.code} (bots are listed apart from the students)")


BOT_PREFIX = "bot:"  # as `pmsim simulate --save` names its games


@class_.command("roster")
@click.argument("code")
@click.option("--add", "add", multiple=True, metavar="NAME",
              help="Add a student and print their PIN (shown this once). Repeat for several students.")
@click.option("--remove", "remove", metavar="NAME", default=None,
              help="Take a student off the roster: they can no longer join (their games stay in the class).")
@click.option("--reset", "reset", metavar="NAME", default=None,
              help="Issue a new PIN for a student who lost theirs (the old one stops working).")
@click.option("--list", "list_", is_flag=True, help="List the students (the default; PINs are never shown).")
@click.option("--json", "as_json", is_flag=True, help="With --list: a JSON list of {name, added, game}.")
@db_option
def class_roster(code: str, add: tuple[str, ...], remove: str | None, reset: str | None, list_: bool,
                 as_json: bool, db_url: str | None) -> None:
    """The students who may join class CODE on the class server (`pmsim serve --class CODE`).

    Each student gets a PIN, printed once when they are added (or --reset) and stored only as a
    salted hash: hand each student theirs. Five wrong PINs in a row lock a name for 5 minutes.
    """
    from pmsim.storage.errors import StorageError
    from pmsim.textsafe import name as clean

    chosen = [flag for flag, on in (("--add", bool(add)), ("--remove", remove is not None),
                                    ("--reset", reset is not None)) if on]
    if len(chosen) > 1:
        raise click.UsageError(f"use one of {', '.join(chosen)} at a time")
    if as_json and chosen:
        raise click.UsageError("--json goes with --list")
    with _store(db_url) as store:
        try:
            klass = store.get_class(code)
            if add:
                added = store.add_students(klass.code, list(add))
            elif reset is not None:
                added = [store.reset_pin(klass.code, reset)]
            elif remove is not None:
                gone = store.remove_student(klass.code, remove)
                click.echo(f"removed {clean(gone.name)} from class {klass.code}: they can no longer join "
                           "(games they played stay in the class)")
                return
            else:
                students = store.roster(klass.code)
        except StorageError as e:
            fail(str(e), e.exit_code)
    if add or reset is not None:
        what = f"a new PIN in class {klass.code}" if reset is not None else f"{len(added)} student(s) added to class {klass.code}"
        click.echo(f"{what[0].upper()}{what[1:]}. Each PIN is shown only now (pmsim keeps a hash of it): "
                   "hand each student theirs.\n")
        click.echo(table(["NAME", "PIN"], [[clean(s.name, 60), pin] for s, pin in added], align="ll"))
        click.echo(f"\nStudents join in a browser at the class server: pmsim serve --class {klass.code} "
                   "--host 0.0.0.0 (with the same database)")
        return
    if as_json:
        click.echo(json.dumps([s.to_json() for s in students], indent=2))
        return
    if not students:
        click.echo(f"no students on the roster of class {klass.code}: add them with "
                   f"pmsim class roster {klass.code} --add NAME")
        return

    def game(s) -> str:
        g = s.game
        if g is None:
            return "not started"
        if g.status == "finished":
            return f"finished, {g.score:.1f} points (save {g.save_id})" if g.score is not None else \
                f"finished (save {g.save_id})"
        return f"round {g.round} (save {g.save_id})"

    from pmsim.storage.rows import _now as _utcnow

    now = _utcnow()
    click.echo(table(
        ["NAME", "ADDED", "SERVER GAME", ""],
        [[clean(s.name, 60), s.created_at.strftime("%Y-%m-%d %H:%M") if s.created_at else "", game(s),
          "locked (wrong PINs)" if s.locked_until is not None and s.locked_until > now else ""]
         for s in students],
        align="llll",
    ))


@class_.command("list")
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of {code, name, scenario, seed, games, finished}.")
def class_list(db_url: str | None, as_json: bool) -> None:
    """List the classes in the database."""

    from pmsim.storage.errors import StorageError

    with _store(db_url) as store:
        try:
            rows = store.list_classes()
        except StorageError as e:
            fail(str(e), e.exit_code)
        where = store.where
    if as_json:
        click.echo(json.dumps([r.to_json() for r in rows], indent=2))
        return
    if not rows:
        click.echo(f"no classes in {where}")
        return
    from pmsim.textsafe import name as clean

    click.echo(table(
        ["CODE", "NAME", "SCENARIO", "SEED", "GAMES", "FINISHED", "CREATED"],
        [[r.code, clean(r.name, 60), clean(r.scenario_id, 40), str(r.seed), str(r.n_saves), str(r.n_finished),
          r.created_at.strftime("%Y-%m-%d %H:%M") if r.created_at else ""] for r in rows],
        align="lllrrrl",
    ))


@class_.command("report")
@click.argument("args", nargs=-1, metavar="CODE | --files FILE...")
@click.option("--files", "from_files", is_flag=True, help="The arguments are exported .pmsave.json files.")
@click.option("--format", "fmt", type=click.Choice(["md", "csv", "html"]), default="md", show_default=True,
              help="md: Markdown; csv: one row per game, for a spreadsheet; html: one page with a histogram of scores.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the report to this file (default: standard output).")
@click.option("--force", is_flag=True, help="Overwrite the -o file if it exists.")
@click.option("--scenario", "scenario_arg", metavar="ID|PATH", default=None,
              help="With --files: the class's scenario (default: the one most files play).")
@click.option("--seed", type=click.IntRange(min=0, max=2**63 - 1), default=None,
              help="With --files: the class's seed (default: the one most files play).")
@click.option("--title", default=None, help="With --files: the report's title.")
@click.option("--jobs", type=click.IntRange(min=0), default=0, show_default=True,
              help="Worker processes for replaying (0: one per CPU). The report does not depend on it.")
@db_option
def class_report(args: tuple[str, ...], from_files: bool, fmt: str, output: Path | None, force: bool,
                 scenario_arg: str | None, seed: int | None, title: str | None, jobs: int, db_url: str | None) -> None:
    """Report on a class: leaderboard, points, distribution, mistakes, each student's rounds.

    `pmsim class report CODE` reads the class from the database; `pmsim class report --files
    a.pmsave.json b.pmsave.json ...` checks and replays exported games instead. Games that
    cannot be counted are listed as rejected, with the reason. Games played on the class server
    (`pmsim serve --class`) are marked verified; all others (files, `play --class`) are not.
    """
    from pmsim.reports.classreport import RENDERERS
    from pmsim.storage.errors import StorageError
    from pmsim.storage.exchange import check_output

    jobs = capped_jobs(jobs)
    if output is not None:
        try:
            check_output(output, force=force)  # before replaying anything
        except StorageError as e:
            fail(str(e), e.exit_code)
    if from_files:
        if not args:
            raise click.UsageError("--files needs at least one FILE")
        text = None
        if scenario_arg is not None:
            from pmsim.commands.common import load_or_exit
            from pmsim.scenario.builtin import resolve

            load_or_exit(scenario_arg)
            text = resolve(scenario_arg).read_text(encoding="utf-8")
        try:
            rep, notes = report_from_files(list(args), scenario_text=text, seed=seed, title=title, jobs=jobs)
        except ValueError as e:
            fail(str(e))
        for note in notes:
            click.echo(f"note: {note}", err=True)
    else:
        if len(args) != 1:
            raise click.UsageError("give one class CODE, or --files FILE... for exported games")
        if scenario_arg is not None or seed is not None or title is not None:
            raise click.UsageError("--scenario, --seed and --title go with --files: a class has its own")
        with _store(db_url) as store:
            try:
                from pmsim.commands.shared_report import shared_report_text

                shared = shared_report_text(store, args[0], fmt)  # None: not a shared market
                rep = report_from_db(store, args[0], jobs=jobs) if shared is None else None
            except StorageError as e:
                fail(str(e), e.exit_code)
        if shared is not None:
            text_out, counts = shared
            _write_report(text_out, counts, fmt, output, force)
            return
    text_out = RENDERERS[fmt](rep)
    counts = f"{len(rep.entries)} game(s) counted, {len(rep.rejected)} not counted"
    _write_report(text_out, counts, fmt, output, force)


def _write_report(text_out: str, counts: str, fmt: str, output: Path | None, force: bool) -> None:
    from pmsim.storage.errors import StorageError
    from pmsim.storage.exchange import write_output

    if output is None:
        click.echo(text_out, nl=False)
        click.echo(counts, err=True)
        return
    try:
        write_output(output, text_out, force=force)  # never replaces a FIFO, device or symlink
    except StorageError as e:
        fail(str(e), e.exit_code)
    click.echo(f"wrote {output} ({fmt}): {counts}")


# ---------------------------------------------------------------------------- benchmark
def small_scenario_text(scenario_id: str = "b2b_saas", population: int = 2000) -> str:
    """A built-in scenario's text with a smaller market (fast games for tests and benchmarks)."""
    from pmsim.scenario.builtin import resolve

    text = resolve(scenario_id).read_text(encoding="utf-8")
    new, n = re.subn(r"(?m)^(\s+population:\s*)\d+", rf"\g<1>{population}", text, count=1)
    if n != 1:
        raise ValueError(f"{scenario_id} has no market population line to change")
    return new


def seed_class(store: SaveStore, n_games: int, *, seed: int = 7) -> str:
    """A class with `n_games` finished games; returns its code. Five are real bot games played
    through `GameSession.start_class` (one per strategy); the rest are copies of them under other
    names, written in one transaction (200 real games would take a minute to play)."""
    from sqlalchemy import insert, literal, select
    from sqlalchemy.orm import Session

    from pmsim.engine.bots import STRATEGIES, play_game
    from pmsim.storage.models import ActionRow, RoundRow, Save
    from pmsim.storage.session import GameSession

    klass = store.create_class("bench class", small_scenario_text(), seed)
    played = []
    for strategy in list(STRATEGIES)[:n_games]:
        session = GameSession.start_class(store, klass.code, f"student {len(played) + 1}")
        play_game(session, strategy)  # type: ignore[arg-type]  # a session plays like a Game
        played.append(session.save_id)
    cols = [c for c in Save.__table__.columns if c.name not in ("id", "player")]
    with Session(store._w) as s, s.begin():
        for n in range(len(played), n_games):
            src = played[n % len(played)]
            new_id = s.execute(insert(Save).from_select(
                ["player", *(c.name for c in cols)],
                select(literal(f"student {n + 1}"), *cols).where(Save.id == src),
            ).returning(Save.id)).scalar_one()
            for model in (ActionRow, RoundRow):
                other = [c for c in model.__table__.columns if c.name != "save_id"]
                s.execute(insert(model).from_select(
                    ["save_id", *(c.name for c in other)],
                    select(literal(new_id), *other).where(model.save_id == src),
                ))
    return klass.code


def bench_class_report(n_games: int = 200, runs: int = 5) -> dict[str, Any]:
    """A class report (md, csv and html) over `n_games` finished games from a SQLite database."""
    import statistics
    import tempfile

    from pmsim.bench import timed
    from pmsim.reports.classreport import RENDERERS
    from pmsim.storage.saves import SaveStore

    with tempfile.TemporaryDirectory(prefix="pmsim-bench-") as tmp:
        store = SaveStore(f"sqlite:///{tmp}/class.sqlite3")
        try:
            code = seed_class(store, n_games)
            counted = []

            def report() -> None:
                rep = report_from_db(store, code)
                for render in RENDERERS.values():
                    render(rep)
                counted.append(len(rep.entries))

            times = timed(report, runs=runs)
        finally:
            store.close()
    if counted[-1] != n_games:
        raise RuntimeError(f"class_report: {counted[-1]} of {n_games} games counted")
    return {"median_s": statistics.median(times), "runs": runs, "games": n_games}


def _register_bench() -> None:
    from pmsim.bench import benchmark  # cheap: click and the standard library

    benchmark("class_report_200", target_s=5.0)(bench_class_report)


_register_bench()


from pmsim.commands.shared_class import class_advance, class_status  # noqa: E402  (shared markets)

class_.add_command(class_status)
class_.add_command(class_advance)
