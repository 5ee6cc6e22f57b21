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


def load_or_exit(id_or_path: str):
    """Resolve and load a scenario, or print its problems and exit 2."""
    from pmsim.scenario.builtin import resolve
    from pmsim.scenario.loader import ScenarioError, load_scenario

    try:
        return load_scenario(resolve(id_or_path))
    except ScenarioError as exc:
        fail(exc.lines())


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
