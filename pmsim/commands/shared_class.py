"""`pmsim class` for a shared market (issue 14): create one, see who has ended the quarter, and
resolve a quarter after its deadline.

    pmsim class create --shared --companies 4 --scenario b2b_saas --name "PM 101"
    pmsim class status PM-7QK4          (who has ended the quarter; every resolved quarter)
    pmsim class advance PM-7QK4         (end the quarter for the companies that have not)

Exit codes: 0 done (and `advance` of a quarter already resolved: nothing to do), 2 bad input or
an unknown class, with one line on stderr.
"""

from __future__ import annotations

import click

from pmsim.commands.common import fail, table

db_option = click.option(
    "--db", "db_url", metavar="URL", default=None,
    help="Database URL (default: $PMSIM_DB_URL, else your local SQLite file).",
)


def _store(db_url: str | None):
    from pmsim.storage.errors import StorageError
    from pmsim.storage.saves import SaveStore

    try:
        return SaveStore(db_url)
    except StorageError as e:
        fail(str(e), e.exit_code)


def names_from_file(path: str) -> tuple[str, ...]:
    """The companies' names in a text file, one a line; blank lines and `#` comments are skipped.
    An unreadable or empty file is one line on stderr and exit 2."""
    from pathlib import Path

    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        fail(f"class create: cannot read --companies-file {path}: {getattr(e, 'strerror', None) or e}")
    names = tuple(line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#"))
    if not names:
        fail(f"class create: --companies-file {path} names no company (one name a line)")
    return names


def create_shared(scenario_arg: str, seed: int | None, name: str, shared: bool, companies: int | None,
                  names: tuple[str, ...], db_url: str | None) -> None:
    import secrets

    from pmsim.commands.common import gate_or_exit
    from pmsim.storage import shared_market
    from pmsim.storage.errors import StorageError
    from pmsim.textsafe import name as clean

    if not shared:
        fail("class create: --companies, --company and --companies-file need --shared")
    if names and companies is not None and companies != len(names):
        fail(f"class create: --companies {companies} but {len(names)} --company names")
    if not names and companies is None:
        fail("class create: --shared needs --companies N (or a --company NAME for each company)")
    company_list = list(names) if names else shared_market.company_names(companies or 0)
    checked = gate_or_exit(scenario_arg)
    seed = secrets.randbelow(2**63) if seed is None else seed
    with _store(db_url) as store:
        try:
            klass = shared_market.create(store, name, checked.text, seed, company_list, scenario=checked.scenario)
        except StorageError as e:
            fail(str(e), e.exit_code)
        where = store.where
    click.echo(f"Created shared-market class {klass.code}: '{clean(klass.name)}', {clean(checked.scenario.meta.title)} "
               f"({checked.scenario.meta.id}), seed {seed}, {len(company_list)} companies, in {clean(where)}.")
    click.echo("Companies: " + ", ".join(clean(c) for c in company_list))
    click.echo(f"Each team plays its company: pmsim play --class {klass.code} --company NAME")
    click.echo(f"Who has ended the quarter: pmsim class status {klass.code}")
    click.echo(f"After a deadline: pmsim class advance {klass.code}")


@click.command("status")
@click.argument("code")
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
@db_option
def class_status(code: str, as_json: bool, db_url: str | None) -> None:
    """Who has ended the quarter in shared-market class CODE, and every resolved quarter."""
    from pmsim.storage.shared_status import quick_status
    from pmsim.textsafe import name as clean

    st = quick_status(db_url, code)  # a SQLite file read without the database layer (fast)
    if st is None:
        from pmsim.storage import shared_market
        from pmsim.storage.errors import StorageError

        with _store(db_url) as store:
            try:
                st = shared_market.status(store, code)
            except StorageError as e:
                fail(str(e), e.exit_code)
    if as_json:
        from pmsim.commands.common import json_text

        click.echo(json_text({
            "code": st.code, "round": st.round, "finished": st.finished, "waiting_for": st.waiting_for,
            "companies": [{"name": c.name, "committed": c.committed} for c in st.companies],
            "rounds": [{"round": r.round, "state_hash": r.state_hash, "advanced": r.advanced,
                        "resolved_at": r.resolved_at.isoformat() if r.resolved_at else None} for r in st.rounds],
        }))
        return
    if st.finished:
        click.echo(f"{st.code}: finished after quarter {st.round}")
    else:
        click.echo(f"{st.code}: quarter {st.round}, waiting for {st.waiting_for} of {len(st.companies)} companies")
    click.echo("")
    click.echo(table(["company", f"ended quarter {st.round}"],
                     [[clean(c.name), "yes" if c.committed else "no"] for c in st.companies]))
    if st.rounds:
        click.echo("")
        click.echo(table(["quarter", "resolved", "by the instructor", "state hash"],
                         [[str(r.round), r.resolved_at.strftime("%Y-%m-%d %H:%M") if r.resolved_at else "",
                           str(r.advanced) if r.advanced else "", r.state_hash[:16]] for r in st.rounds]))


@click.command("advance")
@click.argument("code")
@click.option("--round", "round_", type=click.IntRange(min=1), default=None, metavar="N",
              help="The quarter to resolve (default: the one being played); nothing happens if it already has.")
@db_option
def class_advance(code: str, round_: int | None, db_url: str | None) -> None:
    """Resolve the quarter of shared-market class CODE now: every company that has not ended it
    keeps what its Now list holds."""
    from pmsim.storage import shared_market
    from pmsim.storage.errors import StorageError

    with _store(db_url) as store:
        try:
            acted = shared_market.advance(store, code, round_)
            st = shared_market.status(store, code)
        except shared_market.AlreadyResolved as e:
            click.echo(str(e))
            return
        except StorageError as e:
            fail(str(e), e.exit_code)
    ended = st.rounds[-1].advanced if st.rounds else 0
    click.echo(f"{st.code}: quarter {acted.resolved} resolved (ended for {ended} compan{'y' if ended == 1 else 'ies'})"
               + (": the class is finished" if st.finished else f"; quarter {st.round} begins"))
