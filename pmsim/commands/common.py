"""Helpers shared by the `pmsim` subcommands (kept free of heavy imports)."""

from __future__ import annotations

from typing import NoReturn

import click


def fail(lines: list[str] | str, code: int = 2) -> NoReturn:
    """Print `lines` on stderr and exit with `code` (no traceback). Lines often quote a name or a
    path someone typed: control characters are made visible (pmsim.textsafe)."""
    from pmsim.textsafe import plain

    for line in [lines] if isinstance(lines, str) else lines:
        click.echo(plain(line), err=True)
    raise click.exceptions.Exit(code)


def gate_or_exit(id_or_path: str, *, force: bool = False, can_force: bool = False,
                 okr_check: bool = False):
    """Pass a scenario through the gate (`pmsim.scenario.gate`: the checks of `scenarios
    validate`), print its warnings on stderr, and return the `Checked` result; on an error print
    the same `path:line:col: error: ...` lines and exit 2. `can_force`: the command has --force
    (say so when that would help); `force`: it was given."""
    from pmsim.scenario.gate import check

    checked = check(id_or_path, force=force, okr_check=okr_check)
    for line in checked.lines():
        click.echo(line, err=True)
    n = len(checked.errors)
    if checked.scenario is None:
        if checked.forcible and can_force:
            click.echo(f"{checked.path}: {n} error(s); fix them (pmsim scenarios validate), "
                       "or add --force to run it anyway", err=True)
        raise click.exceptions.Exit(2)
    if checked.errors:
        click.echo(f"{checked.path}: --force: going on despite {n} error(s); results may not mean much",
                   err=True)
    return checked


def load_or_exit(id_or_path: str, *, force: bool = False, can_force: bool = False):
    """The scenario, once through the gate (see `gate_or_exit`), or exit 2."""
    return gate_or_exit(id_or_path, force=force, can_force=can_force).scenario


def json_text(obj: object, indent: int | None = 2) -> str:
    """JSON for output: never NaN or Infinity (not JSON; most parsers refuse them). A non-finite
    number reaching here is a bug: one line on stderr and exit 1, never invalid JSON."""
    import json

    try:
        return json.dumps(obj, indent=indent, allow_nan=False)
    except ValueError as exc:
        fail(f"internal error: a result is not a finite number ({exc}); nothing was written", 1)


def strategies_or_exit(spec: str) -> list[str]:
    from pmsim.engine.simulate import parse_strategies

    try:
        return parse_strategies(spec)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="'--strategy'") from None


def table(header: list[str], rows: list[list[str]], align: str = "") -> str:
    """A plain-text table; `align` has one letter per column, "l" or "r" (default: "l" then "r")."""
    align = align or "l" + "r" * (len(header) - 1)
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    out = []
    for r in [header, *rows]:
        cells = [
            str(c).ljust(widths[i]) if align[i] == "l" else str(c).rjust(widths[i])
            for i, c in enumerate(r)
        ]
        out.append("  ".join(cells).rstrip())
    return "\n".join(out)
