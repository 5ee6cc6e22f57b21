"""A research method is named in one module (reports/studies.py) for the Research pane, the
portfolio and the review, and every method the engine offers has every name (issue 15)."""

from __future__ import annotations

from pmsim.engine.observe import RESEARCH_MENU
from pmsim.reports import studies


def test_every_method_the_engine_offers_is_named_everywhere():
    methods = [m for m, _, _ in RESEARCH_MENU]
    for table in (studies.METHOD_INFO, studies.METHOD_LABEL, studies.METHOD_WORDS, studies._STUDY):
        assert set(table) == set(methods), table
    assert all(name and what for name, what in studies.METHOD_INFO.values())
    assert all(one != many for one, many in studies.METHOD_WORDS.values())


def test_the_screens_and_the_documents_read_the_same_names():
    from pmsim.reports import case, portfolio, review_words
    from pmsim.tui import fmt, service
    from pmsim.tui.widgets import research

    assert service.METHOD_INFO is research.METHOD_INFO is studies.METHOD_INFO
    assert portfolio.METHOD_LABEL is studies.METHOD_LABEL and review_words.METHOD_WORDS is studies.METHOD_WORDS
    assert fmt.COMPONENT_LABEL is portfolio.COMPONENT_LABEL is studies.COMPONENT_LABEL
    assert not hasattr(case, "METHOD_LABEL") and not hasattr(case, "COMPONENT_LABEL")
