"""Snapshots of every screen at a fixed seed and size. Each docstring says what a correct picture shows.

Regenerate after a deliberate change with `pytest tests/tui/test_snapshots.py --snapshot-update`, and
look at the pictures (the report pytest-textual-snapshot writes on failure shows old and new).
"""

from __future__ import annotations

import pytest
from textual.widgets import Input
from tui_helpers import SEED, make_app, press, settle, small_text

from pmsim.storage.session import record_bot_game

SMALL = (80, 24)
LARGE = (120, 40)
MEDIUM = (120, 36)


def quiet(app) -> None:
    """Nothing that changes with time: no toasts, no blinking cursors."""
    app.clear_notifications()
    for inp in app.screen.query(Input):
        inp.cursor_blink = False


def at(*keys: str, game: bool = True):
    """A run_before that starts a game (title → n → enter) and presses `keys`."""

    async def run_before(pilot) -> None:
        await settle(pilot)
        if game:
            await press(pilot, "n", "enter")
        if keys:
            await press(pilot, *keys)
        quiet(pilot.app)

    return run_before


def bot_save(store) -> int:
    from tui_helpers import small_catalog

    entry = small_catalog().entries[0]
    return record_bot_game(store, small_text("b2b_saas"), SEED, "researcher", scenario=entry.scenario)


def test_title(snap_compare, store, catalog):
    """The title screen on a first run (no saves yet): the pmsim logo in a rounded box, the tagline, a
    menu of eight items each with its key (n, g Guided tutorial highlighted, c, l, r, s, ?, q), below it
    "New here? The guided tutorial (g, or enter) ...", and the key bar at the bottom."""
    assert snap_compare(make_app(store, catalog), terminal_size=SMALL, run_before=at(game=False))


def test_new_game(snap_compare, store, catalog):
    """New game: two scenarios on the left, each as its title with its id in grey and "· 8 q"
    (Beacon b2b_saas highlighted), Beacon's title, facts (8 quarters, 3,000 customers), summary and
    lessons on the right; seed 7 and the name Tess in the fields below."""
    assert snap_compare(make_app(store, catalog), terminal_size=SMALL, run_before=at("n", game=False))


def test_dashboard(snap_compare, store, catalog):
    """The game at quarter 1 after the briefing: status line (Beacon, b2b_saas in grey, Q1/8, score 0.0,
    capacity in wk, $30k, open requests), five tabs with Dashboard active, the metrics table with ±
    intervals (revenue in $k), then OKRs as words (red/yellow/green) with bars and the news, above the
    fold; the segments below (a scrollbar on the right)."""
    assert snap_compare(make_app(store, catalog), terminal_size=SMALL, run_before=at("1"))


def test_briefing(snap_compare, store, catalog):
    """The briefing over a new game at 80×24: "Quarter 1 of 8 · Beacon b2b_saas", the scenario's
    summary, "Your role", "This quarter" with 5 new requests, "The team" (capacity in wk, research
    budget $30k, the 70–90% rule), then the OKRs (cut by the box: a scrollbar on the right), and
    "enter Start the quarter" at the bottom."""
    assert snap_compare(make_app(store, catalog), terminal_size=SMALL, run_before=at())


def test_briefing_next_quarter_large(snap_compare, store, catalog):
    """Quarter 2's briefing at 120×36 after a quarter with two items left in Next: "Since quarter 1"
    (shipped: nothing, the score), "This quarter" (news, new requests), "Your Next list" with "a moves
    … into Now, in this order", the team, the OKRs with values now and targets (percentages, counts,
    +70 NPS, 0.8 accessibility: never "0 → 1"), the stakeholders with trust bars; keys enter and a."""
    assert snap_compare(make_app(store, catalog), terminal_size=MEDIUM,
                        run_before=at("4", "home", "x", "down", "x", "e", "enter", "enter"))


def test_inbox(snap_compare, store, catalog):
    """Inbox: requests with status words (● open, ✓ accepted), who (name and title), urgency in words,
    the feature and due quarter; below, the highlighted request's quote and trust bar, and the
    stakeholders with trust bars. The first request has been accepted."""
    assert snap_compare(make_app(store, catalog), terminal_size=SMALL, run_before=at("2", "a"))


def test_research(snap_compare, store, catalog):
    """Research after a survey and interviews: on top the methods list (Interviews highlighted) and
    what interviews yield, the studies on offer with ✓ and cost ($ with k) and the budget left; below,
    in the full width, the interview quotes with names, then the survey's needs with ±95% intervals and
    bars ("Survey of 400 in Small teams (self-serve)": segment names, never ids)."""
    assert snap_compare(make_app(store, catalog), terminal_size=SMALL,
                        run_before=at("3", "down", "enter", "enter", "m", "enter", "enter"))


def test_roadmap(snap_compare, store, catalog):
    """Roadmap sorted by RICE (header shows "RICE ▼"): two items in NOW 1/NOW 2 among 10 visible rows with
    a scrollbar, the capacity bar with used/total weeks and percentage and, on its second line, the
    verdict by the 70–90% rule and " · " what adding the highlighted item would do; below, three lines:
    the feature with its estimate range, the RICE arithmetic (÷ months with two decimals) and WSJF,
    and its Kano line."""
    assert snap_compare(make_app(store, catalog), terminal_size=SMALL,
                        run_before=at("4", "s", "s", "s", "ctrl+home", "n", "down", "n"))


def test_roadmap_large_high_contrast(snap_compare, store, catalog):
    """The same roadmap at 120×40 in the high-contrast theme: black background, white text, yellow
    accents; every column (Plan … Asked by) visible; nothing is told by colour alone (NOW, ✓, ⚠ words)."""
    assert snap_compare(make_app(store, catalog, theme="pmsim-high-contrast"), terminal_size=LARGE,
                        run_before=at("4", "s", "s", "s", "ctrl+home", "n", "down", "n"))


def test_okrs_after_a_round(snap_compare, store, catalog):
    """OKRs after quarter 1: each objective with kind, grade bar, band word and ▲/▼ change; each key
    result with baseline → value, target, grade and a forecast with its band word."""
    assert snap_compare(make_app(store, catalog), terminal_size=SMALL,
                        run_before=at("4", "n", "e", "enter", "enter", "5"))


def test_end_round_dialog(snap_compare, store, catalog):
    """The commit dialog over the game: the Now list with estimates, a capacity bar with the verdict by
    the 70–90% rule (here "room for more"), a warning about unanswered requests, and an empty
    rationale field with its hint."""
    assert snap_compare(make_app(store, catalog), terminal_size=SMALL, run_before=at("4", "n", "e"))


def test_round_report(snap_compare, store, catalog):
    """The quarter 1 report: headline with score and ▲ change, what shipped (✓) or slipped (✗),
    the metrics before/after with ▲▼ and deltas, and the first stakeholder reactions."""
    assert snap_compare(make_app(store, catalog), terminal_size=SMALL,
                        run_before=at("4", "n", "down", "n", "e", "enter"))


def test_help(snap_compare, store, catalog):
    """Help over the title screen: "Moving around" keys, then "Everywhere" (?, t, ctrl+p, ctrl+q) and
    the title screen's keys, n New game and s Scenarios on lines of their own; esc Close at the bottom."""
    assert snap_compare(make_app(store, catalog), terminal_size=SMALL, run_before=at("question_mark", game=False))


def test_debrief(snap_compare, store, catalog):
    """The debrief of a finished bot game: "Final score NN.N / 100" with player and save, the score
    by component with bars, weights, points lost and skills, then the by-skill summary."""
    sid = bot_save(store)
    assert snap_compare(make_app(store, catalog, start="save", save_ref=sid), terminal_size=SMALL,
                        run_before=at(game=False))


def test_debrief_large(snap_compare, store, catalog):
    """The same debrief at 120×40, scrolled to the round-by-round table: your new work (✓ shipped)
    beside the best in hindsight, regret per quarter, then lessons and what to practise next."""
    sid = bot_save(store)
    assert snap_compare(make_app(store, catalog, start="save", save_ref=sid), terminal_size=LARGE,
                        run_before=at("pagedown", game=False))


def test_replay_viewer(snap_compare, store, catalog):
    """The replay viewer on round 2 of the bot game: header with save, player, seed and score; ◀ Round 2
    of 8 ▶ with score change, regret and "✓ verified"; decisions; three columns: your plan, best on
    what you knew, best in hindsight; the outcome."""
    sid = bot_save(store)
    assert snap_compare(make_app(store, catalog, start="replay", save_ref=sid), terminal_size=SMALL,
                        run_before=at("right", game=False))


def test_saves_list(snap_compare, store, catalog):
    """Load screen: one finished save (id 1, player bot:researcher, "Beacon b2b_saas" with the id in grey,
    seed 7, round 8, ✓ finished, its score, "just now") and the keys o/r/x/esc."""
    bot_save(store)
    assert snap_compare(make_app(store, catalog), terminal_size=SMALL, run_before=at("l", game=False))


def test_delete_save_confirm(snap_compare, store, catalog):
    """Load screen with x pressed on save 1: a confirmation over the list, "Delete save 1?" and "Its
    whole history goes; this cannot be undone.", with the keys to confirm or cancel; nothing deleted."""
    bot_save(store)
    assert snap_compare(make_app(store, catalog), terminal_size=SMALL, run_before=at("l", "x", game=False))
    assert len(store.list()) == 1


def test_tutorial_step(snap_compare, store, catalog):
    """The guided tutorial at 80×24 on the Roadmap, in quarter 1 after the interviews and the survey:
    the backlog with Kano letters from the interviews, and under it the guide panel ("Guide 10/17
    Sort by RICE and read it", its text, "(> skip · G hide)") and the mentor's one summary line
    ("Mentor (...) v reads all: ⚠ ..."); the key bar shows i Explain."""
    assert snap_compare(make_app(store, catalog), terminal_size=SMALL,
                        run_before=at("g", "i", "escape", "5", "i", "escape", "2", "a", "a", "3", "m", "home",
                                      "down", "down", "down", "enter", "enter", "m", "m", "m", "m", "m", "down",
                                      "enter", "enter", "4", game=False))


def test_mentor_panel(snap_compare, store, catalog):
    """A Beacon game with --mentor at 80×24 on the Dashboard: below the metrics, the mentor collapsed to
    one summary line: a count ("Mentor (⚠ n ℹ n)"), "v reads all", and the first piece of advice (a
    waiting stakeholder named with their title) cut with "…"."""
    assert snap_compare(make_app(store, catalog, mentor=True), terminal_size=SMALL, run_before=at("1"))


def test_mentor_expanded(snap_compare, store, catalog):
    """The same game after v: the mentor panel grows to every piece of advice in full, wrapped, each
    starting with ⚠ or ℹ ("v hides" in its first line); the dashboard above it shrinks."""
    assert snap_compare(make_app(store, catalog, mentor=True), terminal_size=SMALL, run_before=at("1", "v"))


def test_research_confirm(snap_compare, store, catalog):
    """Research at 80×24 after enter on the second survey row: a highlighted one-line question under the
    offers, "Buy Survey · Small teams · n=400 for $10k ($20k budget left)? enter buys · esc cancels";
    nothing bought yet ("No research yet this game" below)."""
    assert snap_compare(make_app(store, catalog), terminal_size=SMALL, run_before=at("3", "down", "enter"))


def test_research_empty_method(snap_compare, store, catalog):
    """Research on A/B test in quarter 1: the method line says in yellow that nothing has shipped yet and
    that offers appear in the quarter after the first feature ships; the offers table is empty."""
    assert snap_compare(make_app(store, catalog), terminal_size=SMALL, run_before=at("3", "m", "m", "m"))


def test_inbox_large(snap_compare, store, catalog):
    """Inbox at 120×36: every request on screen (● open, newest quarter first, most urgent first), the
    highlighted request's quote, trust bar and answers, and the stakeholders with trust bars."""
    assert snap_compare(make_app(store, catalog), terminal_size=MEDIUM, run_before=at("2"))


def test_explanation(snap_compare, store, catalog):
    """i on the Roadmap sorted by RICE: a box titled "RICE: Reach × Impact × Confidence ÷ Effort"
    with "The roadmap 4 of 9", the sections What it means / How pmsim computes it / Why it
    matters, and at the bottom "In your game now" with the highlighted feature's reach × impact ×
    confidence ÷ months = RICE; keys ← → Other topics and esc Close."""
    assert snap_compare(make_app(store, catalog), terminal_size=(80, 34),
                        run_before=at("4", "s", "s", "s", "home", "i"))


def test_respond_dialog(snap_compare, store, catalog):
    """Defer on the first (newest, most urgent) request at 80×24: the dialog over the inbox with the
    request, the reasons to pick from (capacity highlighted) and an empty note field."""
    assert snap_compare(make_app(store, catalog), terminal_size=SMALL, run_before=at("2", "d"))


def test_research_large(snap_compare, store, catalog):
    """Research at 120×36 after a survey: methods and offers on top, the survey's result below in the
    full width (needs with ±95% intervals and bars, NPS), then support tickets and known customers."""
    assert snap_compare(make_app(store, catalog), terminal_size=MEDIUM, run_before=at("3", "enter", "enter"))


def test_renegotiate_dialog(snap_compare, store, catalog):
    """Inbox, the VP Sales' SSO request accepted, r pressed: "Renegotiate with … (VP Sales)", the ask in
    quotes, "Promised for Q2 …", a list of later quarters (and dropping the promise), the reasons, a note
    field and "↑↓ pick · tab … · enter sends · esc cancels"; it fits 80×24."""

    async def run_before(pilot) -> None:
        await settle(pilot)
        await press(pilot, "n", "enter", "2")
        pane = pilot.app.screen.pane("inbox")
        rows = list(pane.table.keys)
        await press(pilot, "home", *["down"] * rows.index("sales_sso"), "a")
        rows = list(pane.table.keys)
        await press(pilot, "home", *["down"] * rows.index("sales_sso"), "r")
        quiet(pilot.app)

    assert snap_compare(make_app(store, catalog), terminal_size=SMALL, run_before=run_before)


def test_fault_dialog(snap_compare, store, catalog):
    """A storage fault while playing: "Could not save: your last action was not applied", the message
    as written, what to do ("free some disk space … then retry") and "r / enter: retry · q / esc: quit"."""
    from pmsim.tui.screens.dialogs import FaultDialog

    async def run_before(pilot) -> None:
        await settle(pilot)
        pilot.app.push_screen(FaultDialog("/home/ada/.local/share/pmsim/saves.db: the disk is full"))
        await settle(pilot)
        quiet(pilot.app)

    assert snap_compare(make_app(store, catalog), terminal_size=SMALL, run_before=run_before)


MEDIUM_SCREENS = {
    "dashboard": ("1",),
    "roadmap": ("4", "n", "down", "n"),
    "okrs_after_a_round": ("4", "n", "e", "enter", "enter", "5"),
    "end_round_dialog": ("4", "n", "e"),
    "round_report": ("4", "n", "down", "n", "e", "enter"),
}


@pytest.mark.parametrize("name", list(MEDIUM_SCREENS))
def test_screens_at_120x36(snap_compare, store, catalog, name):
    """The same screens as the 80×24 snapshots of the same name, on a 120×36 terminal: the layout
    widens (longer titles, more columns) and grows (more rows, nothing cut), with nothing new."""
    assert snap_compare(make_app(store, catalog), terminal_size=MEDIUM, run_before=at(*MEDIUM_SCREENS[name]))
