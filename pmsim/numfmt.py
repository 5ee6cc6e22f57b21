"""Numbers as a person reads them, in one place: counts, money, weeks, points, percentages.

Pure (no Textual, no Rich): the TUI (`pmsim.tui.fmt` re-exports these), the reports, the
portfolio and the engine's mentor all format numbers here, so "$7.5k", "11,000" and "70%" look
the same on every screen and in every document. Never scientific notation.
"""

from __future__ import annotations

MINUS = "−"
CURRENCY = "$"  # the scenarios' money is in US dollars (budgets in thousands)
RATE_METRICS = frozenset({"churn_rate", "activation_rate", "satisfaction", "market_share"})  # shares of 1


def unsigned_zero(s: str) -> str:
    """`s` without its minus sign when the number it shows is zero: -0.001 reads "0%" or "0.0 wk",
    never "-0%" (a sign on nothing reads as a loss where there is none)."""
    if s[:1] in ("-", MINUS) and not any(c in "123456789" for c in s):
        return s[1:]
    return s


def num(x: float) -> str:
    """6,345 or 1.2M for big numbers; always grouped."""
    x = float(x)
    if abs(x) >= 10_000_000:
        return f"{x / 1_000_000:.1f}M"
    return unsigned_zero(f"{x:,.0f}")


def _trim(x: float, digits: int) -> str:
    """x with `digits` decimals, dropping a trailing .0 (7.5, 30, 22.5)."""
    s = f"{x:,.{digits}f}"
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return unsigned_zero(s)


def money(k: float) -> str:
    """A budget amount given in thousands: $7.5k, $30k, $1.2M (the same everywhere)."""
    k = float(k)
    sign = MINUS if k < 0 else ""
    a = abs(k)
    if a >= 1000:
        return f"{sign}{CURRENCY}{_trim(a / 1000, 2)}M"
    return unsigned_zero(f"{sign}{CURRENCY}{_trim(a, 1)}k")


def dollars(v: float) -> str:
    """An amount in dollars (revenue): $950, $9.5k, $24k, $1.2M."""
    v = float(v)
    sign = MINUS if v < 0 else ""
    return unsigned_zero(f"{sign}{CURRENCY}{compact(abs(v))}")


def weeks(w: float) -> str:
    """Engineering time: 2.5 wk, 13 wk."""
    return f"{_trim(float(w), 1)} wk"


def points(x: float, digits: int = 1) -> str:
    """Score points: 12.5 pts."""
    return unsigned_zero(f"{float(x):.{digits}f} pts")


def count(x: float) -> str:
    """A count of things (customers, people): 6,345 or 12.3M, never in scientific notation."""
    return num(x)


def decimal(x: float, digits: int = 2) -> str:
    """A plain decimal with `digits` places, trailing zeros dropped (1.25, 0.5, 3)."""
    return _trim(float(x), digits)


def value(x: float) -> str:
    """A quantity of unknown kind (an OKR target): grouped counts, 2 decimals for small numbers."""
    x = float(x)
    if abs(x) >= 100:
        return num(x)
    return decimal(x, 2)


def compact(x: float) -> str:
    """A short number for narrow columns: 950, 9.5k, 24k, 1.2M."""
    x = float(x)
    a = abs(x)
    if a >= 1_000_000:
        return f"{x / 1_000_000:.1f}M"
    if a >= 10_000:
        return f"{x / 1000:.0f}k"
    if a >= 1000:
        return f"{x / 1000:.1f}k"
    if a >= 10:
        return f"{x:.0f}"
    return unsigned_zero(f"{x:.1f}")


def pct(x: float, digits: int = 0) -> str:
    return unsigned_zero(f"{100 * float(x):.{digits}f}%")


def signed(x: float, digits: int = 1, unit: str = "") -> str:
    x = round(float(x), digits)
    if x == 0:
        return f"±0{unit}"
    s = f"{abs(x):,.{digits}f}{unit}"
    return ("+" if x > 0 else MINUS) + s


def whole(x: float) -> str:
    """A whole number, grouped and never abbreviated: 6,345 or 12,345,678 (tables of counts)."""
    return unsigned_zero(f"{float(x):,.0f}")


def plus(x: float, digits: int = 0) -> str:
    """A signed number where zero counts as a gain: +0, +12, −3 (an NPS, a change in customers)."""
    x = round(float(x), digits)
    return f"{'+' if x >= 0 else MINUS}{abs(x):,.{digits}f}"


def metric_text(metric: str, x: float, pct_digits: int = 1) -> str:
    """A metric's value in a document (an OKR's baseline, value or target): rates in %, the 0-1
    qualities with 2 decimals, NPS signed, counts and money whole (11,000)."""
    x = float(x)
    if metric in RATE_METRICS:
        return pct(x, pct_digits)
    if metric in ("accessibility", "usability", "tech_debt"):
        return f"{x:.2f}"
    if metric == "nps":
        return plus(x)
    return whole(x)


def change(a: float, b: float) -> str:
    """The relative change from `a` to `b` in whole percent: +12%, −30%, or "new" when `a` is 0."""
    if abs(a) < 1e-12:
        return "new"
    d = round(100 * (b - a) / abs(a))  # the whole percent shown: a change under 0.5% is +0%
    return f"{'+' if d >= 0 else MINUS}{abs(d):.0f}%"


def table_number(x: float, digits: int = 1, sign: bool = False) -> str:
    """`x` for a plain-text (ASCII) table: `digits` decimals, with its sign if `sign` (+5.9, -2.0),
    and never a negative zero: what rounds to zero reads "0.0", not "-0.0" or "+0.0" (a sign on
    nothing reads as a loss, or a gain, where there is none)."""
    s = unsigned_zero(f"{float(x):.{digits}f}")
    return "+" + s if sign and s[0] != "-" and any(c in "123456789" for c in s) else s
