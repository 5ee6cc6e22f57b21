"""`pmsim class report CODE` of a shared-market class (issue 14): the market replayed from the
database (every quarter's hash checked), then pmsim/reports/shared_report.py renders it."""

from __future__ import annotations

from typing import Any


def shared_report_text(store: Any, code: str, fmt: str) -> tuple[str, str] | None:
    """(the report in `fmt`, a one-line count) for shared class `code`; None if the class is not a
    shared market (the solo report applies). StorageError for a class it cannot replay."""
    from pmsim.reports.shared_report import RENDERERS, build
    from pmsim.storage import shared_market as sm

    try:
        st = sm.status(store, code)
    except sm.NotShared:
        return None
    klass = store.get_class(code)
    rep = build(sm.load(store, code), st.code, klass.name)
    return RENDERERS[fmt](rep), (f"{len(rep.companies)} companies, {rep.quarters} of {rep.of} quarters resolved"
                                 + ("" if st.finished else " (in progress)"))
