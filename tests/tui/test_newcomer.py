"""What a newcomer trips on, found by playing the TUI at 80×24 (each test failed before its fix)."""

from __future__ import annotations

from tui_helpers import make_app, past_briefing, press, run, screen_text, settle, small_text

from pmsim.storage.session import record_bot_game


@run
async def test_home_and_end_in_the_replay_jump_to_the_first_and_last_round(store, catalog):
    # the help lists home/end as "First round"/"Last round", but the focused scroll area took them
    # (it scrolled the page) and the round never changed
    from pmsim.tui.screens.replay import ReplayScreen

    sid = record_bot_game(store, small_text("b2b_saas"), 1, "rice")  # seed 1: a round whose raw change rounds otherwise
    app = make_app(store, catalog, start="replay", save_ref=sid)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ReplayScreen)
        total = app.screen.pages
        assert "Round 1 of" in screen_text(app)
        await press(pilot, "end")
        assert app.screen.index == total - 1
        assert f"Round {total} of {total}" in screen_text(app)
        await press(pilot, "home")
        assert app.screen.index == 0 and "Round 1 of" in screen_text(app)
        # each round's change is the difference of the scores printed (not of the raw scores)
        import re

        prev = 0.0
        for _ in range(total):
            m = re.search(r"score (\d+\.\d) [▲▼=] ([−+]?[\d.]+|±0)", screen_text(app))
            assert m, screen_text(app)
            score, delta = float(m.group(1)), float(m.group(2).replace("−", "-").replace("±", ""))
            assert abs(delta - (score - prev)) < 1e-9, m.group(0)
            prev = score
            await press(pilot, "right")


@run
async def test_one_tab_on_the_new_game_screen_reaches_the_seed(store, catalog):
    # the title line says "tab: seed, name"; the first tab went to the description instead, so the
    # seed a newcomer typed went nowhere and the game started on another market
    from pmsim.tui.screens.game import GameScreen

    app = make_app(store, catalog)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "n", "tab", "ctrl+u", *"4242")
        assert app.focused is not None and app.focused.id == "seed"
        await press(pilot, "tab")
        assert app.focused.id == "player"
        await press(pilot, "pagedown")  # the description still scrolls from the keyboard
        assert app.screen.query_one("#scenario-detail-box").scroll_y > 0
        await press(pilot, "enter")
        await past_briefing(pilot)
        assert isinstance(app.screen, GameScreen)
        assert store.info(app.view.save_id).seed == 4242


@run
async def test_the_round_reports_change_counts_from_last_quarters_score(store, catalog):
    # the report's "Score 35.9 ▼ −13.1" counted from the live score just before the commit, which
    # answering requests had moved; the briefing ("Score 48.9"), the replay and the debrief count from
    # the last quarter's score, so the replay of the same quarter said ▼ −13.0
    import re

    from pmsim.tui.screens.report import RoundReportScreen

    app = make_app(store, catalog)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "n", "enter")
        await past_briefing(pilot)
        await press(pilot, "4", "n", "down", "n", "e", "enter")  # quarter 1: plan two, commit
        q1 = float(app.screen.report["score"]["score"])
        await press(pilot, "enter")
        await past_briefing(pilot)
        await press(pilot, "2", "a", "a", "a")  # quarter 2: promises move trust, and the live score
        live = app.view.score
        assert round(live, 1) != round(q1, 1), "the answers did not move the score: no test"
        await press(pilot, "e", "enter")
        assert isinstance(app.screen, RoundReportScreen)
        q2 = float(app.screen.report["score"]["score"])
        shown = re.search(r"Score (\d+\.\d) ([▲▼=]) ([−+]?[\d.]+|±0)", screen_text(app))
        assert shown, screen_text(app)
        delta = float(shown.group(3).replace("−", "-").replace("±", ""))
        assert abs(delta - (round(q2, 1) - round(q1, 1))) < 1e-9, (shown.group(0), q1, live, q2)


@run
async def test_a_refused_roadmap_key_names_features_as_the_screen_does(store, catalog):
    # ⌫ on an item that is not planned said "'product_tour' is not on the roadmap", and n on an item
    # whose dependency is not built said "... depends on comments": ids the player never sees
    from test_panes import goto_row, row_ids

    app = make_app(store, catalog)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "n", "enter")
        await past_briefing(pilot)
        await press(pilot, "4")
        pane = app.screen.pane("roadmap")
        feats = {f["id"]: f for f in app.view.obs["features"]}
        loose = next(i for i in row_ids(pane.table) if feats[i]["slot"] is None and feats[i]["status"] == "backlog")
        await goto_row(pilot, pane.table, loose)
        await press(pilot, "backspace")
        blocked = next(i for i in row_ids(pane.table) if feats[i]["depends_on"] and feats[i]["status"] == "backlog"
                       and all(feats[d]["status"] != "shipped" and feats[d]["slot"] != "now"
                               for d in feats[i]["depends_on"]))
        await goto_row(pilot, pane.table, blocked)
        await press(pilot, "n")
        said = [n.message for n in app._notifications]
        assert any(f"{feats[loose]['title']} is not on the roadmap" in m for m in said), said
        dep = feats[feats[blocked]["depends_on"][0]]["title"]
        assert any(f"depends on {dep}" in m for m in said), said
        for m in said:
            assert f"'{loose}'" not in m and f"on {feats[blocked]['depends_on'][0]}:" not in m, m


@run
async def test_a_component_that_lost_nothing_says_0_points_not_minus_0(store, catalog):
    # "Now: 1.00 × weight 10% (−0.0 points)" in the explanation of a perfect delivery
    from pmsim.tui import fmt

    assert (fmt.lost(7.46), fmt.lost(0.0), fmt.lost(0.04), fmt.lost(0.05)) == ("−7.5", "0.0", "0.0", "−0.1")
    app = make_app(store, catalog)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "n", "enter")
        await past_briefing(pilot)
        await press(pilot, "4", "n", "e", "enter")  # one small item: it ships, delivery is perfect
        lost = app.screen.report["score"]["points_lost"]
        assert round(lost["delivery"], 1) == 0, lost
        await press(pilot, "i")
        for _ in range(7):
            if "Delivery" in screen_text(app).splitlines()[1]:
                break
            await press(pilot, "right")
        await press(pilot, "end")
        text = screen_text(app)
        assert "Delivery" in text and "(0.0 points)" in text and "−0.0" not in text, text


@run
async def test_the_commit_dialog_names_the_spike_weeks_its_capacity_line_counts(store, catalog):
    # "Now: A (7 wk), B (2.9 wk)" above "Capacity 10.4 of 16.2 wk": the 0.5 wk spike was counted but
    # not named, so the items did not add up to the capacity line
    from pmsim.tui import fmt

    app = make_app(store, catalog)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "n", "enter")
        await past_briefing(pilot)
        await press(pilot, "3", *["m"] * 5, "enter", "enter")  # Engineering spike, the first item
        spikes = app.view.obs["capacity"]["spikes"]
        assert spikes > 0
        await press(pilot, "4", "n", "e")
        text = " ".join(screen_text(app).split())
        assert f"spikes ({fmt.weeks(spikes)})" in text, text
        await press(pilot, "escape")


@run
async def test_a_save_from_a_newer_engine_opens_read_only_saying_why_once(store, catalog):
    # a newer pmsim's save (same database) was played on silently; now it opens read-only, and the
    # notice says so once ("Opened read-only: save 6: ...; opened read-only" said it twice)
    import sqlite3

    from pmsim.engine.state import ENGINE_VERSION
    from pmsim.storage.session import GameSession

    sid = GameSession.start(store, small_text("b2b_saas"), 3, "Ada").save_id
    with sqlite3.connect(store.url.removeprefix("sqlite:///")) as c:
        c.execute("UPDATE saves SET engine_version = '99.0.0' WHERE id = ?", (sid,))
    app = make_app(store, catalog, start="save", save_ref=sid)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        notes = [n.message for n in app._notifications]
        said = next(m for m in notes if "Opened read-only" in m)
        assert f"newer engine (99.0.0; this pmsim has {ENGINE_VERSION})" in said
        assert said.count("read-only") == 1, said
        await past_briefing(pilot)
        await press(pilot, "4", "n")
        locked = [n.message for n in app._notifications if "This save is read-only" in n.message]
        assert locked and locked[-1].count("read-only") == 1, locked
    assert store.info(sid).n_actions == 0  # nothing was played on


@run
async def test_a_table_shown_again_after_a_resize_starts_at_its_first_row(store):
    # the tutorial at 80×24 with the guide and mentor lines: the inbox had room for one row and
    # scrolled to the second request; on the research pane the terminal shrank to 60×20, and back on
    # the inbox (now with room for both) the first request stayed hidden above empty lines
    from pmsim.tui.service import Catalog, ScenarioEntry

    catalog = Catalog([ScenarioEntry.from_text(small_text("tutorial", 2000), "tutorial (small)")])
    app = make_app(store, catalog, mentor=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "g")  # the title's guided tutorial
        await past_briefing(pilot)
        await press(pilot, "i", "escape", "5", "i", "escape", "2", "a", "a", "3")
        await press(pilot, "m", "down", "down", "down", "b", "enter")  # interviews (the guide's step)
        await press(pilot, *[">"] * 10)  # skip the rest of this quarter's guide
        await pilot.resize_terminal(60, 20)
        await settle(pilot)
        await press(pilot, "4", "2")
        table = app.screen.pane("inbox").query_one("GameTable")
        assert table.row_count == 2 and table.size.height > 3
        text = screen_text(app)
        for q in app.view.obs["requests"]:
            if q["round"] <= app.view.round:
                # the table's row ("Maya Ortiz (Fou…"), not the trust list below it ("Maya Ortiz, …")
                assert app.view.stakeholder(q["stakeholder"])["name"] + " (" in text, text


@run
async def test_the_new_game_footer_shows_enter_starts_while_the_list_has_the_focus(store, catalog):
    # the footer showed only "esc Back ? Help t Theme ^p Commands": the list's own enter hid "⏎ Start"
    from pmsim.tui.screens.game import GameScreen

    app = make_app(store, catalog)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "n")
        assert app.focused is not None and app.focused.id == "scenario-list"
        assert "⏎ Start" in screen_text(app).splitlines()[-1]
        await press(pilot, "down", "enter")  # and enter starts the highlighted scenario
        await past_briefing(pilot)
        assert isinstance(app.screen, GameScreen)
        assert store.info(app.view.save_id).scenario_id == catalog.entries[1].id


def test_a_metrics_change_is_the_difference_of_the_values_shown():
    # the report showed "Churn 13.6% → 9.0%  ▼ −4.7pp" (the raw values' change): a newcomer who
    # subtracts gets 4.6
    from pmsim.tui import fmt

    assert [fmt.metric_value("churn_rate", v) for v in (0.1364, 0.0896)] == ["13.6%", "9.0%"]
    assert fmt.metric_delta("churn_rate", fmt.metric_change("churn_rate", 0.1364, 0.0896)) == "−4.6pp"
    assert fmt.metric_delta("nps", fmt.metric_change("nps", -41.6, 4.4)) == "+46"
    assert fmt.metric_delta("customers", fmt.metric_change("customers", 1115.6, 1098.4)) == "−18"


def test_the_round_reports_metric_changes_add_up_with_its_before_and_after():
    import re
    from types import SimpleNamespace

    from pmsim.tui import fmt
    from pmsim.tui.screens.report import metrics_table
    from pmsim.tui.widgets.dashboard import METRICS

    b = {"customers": 1115.6, "revenue": 942_000.0, "nps": -41.6, "churn_rate": 0.1364,
         "activation_rate": 0.1034, "satisfaction": 0.5674, "market_share": 0.15649}
    a = {"customers": 1098.4, "revenue": 900_000.0, "nps": 4.4, "churn_rate": 0.0896,
         "activation_rate": 0.30449, "satisfaction": 0.70004, "market_share": 0.18151}
    assert set(METRICS) <= set(b)
    text = fmt.flatten(metrics_table(SimpleNamespace(obs={"metrics": [b]}), SimpleNamespace(obs={"metrics": [a]})),
                       100).plain
    rows = 0
    for line in text.splitlines():
        m = re.search(r"(Churn|Activation|Satisfaction|Market share|NPS|Customers)\s+(\S+)\s+(\S+)\s+[▲▼=]\s+(\S+)",
                      line)
        if m:
            before, after, change = (float(x.replace("%", "").replace("pp", "").replace("−", "-").replace(",", "")
                                           .replace("±", "")) for x in m.group(2, 3, 4))
            assert abs((after - before) - change) < 1e-6, line
            rows += 1
    assert rows == 6, text


def test_kano_evidence_reads_as_a_likelihood_and_a_count():
    # the roadmap said "Teachers performance (86% of 1)": 86% of one interview? It is how likely
    # the category is after 1 answer; the explanation said "(86%, 1 answers)"
    from pmsim.tui import fmt

    assert fmt.kano_evidence(0.86, 1) == "86% likely, 1 answer"
    assert fmt.kano_evidence(0.994, 4) == "99% likely, 4 answers"


def test_a_score_change_is_the_difference_of_the_scores_shown():
    # "Quarter 1 report  Score 39.6", then "Quarter 2 report  Score 49.3 ▲ +9.6" (39.64 → 49.26):
    # the reader's subtraction gives 9.7; the replay and the dashboard said the same +9.6
    from types import SimpleNamespace

    from pmsim.tui import fmt
    from pmsim.tui.screens.report import headline
    from pmsim.tui.widgets.dashboard import score_line

    q1, q2 = {"score": 39.64, "components": {}}, {"score": 49.26, "components": {}}
    before = SimpleNamespace(obs={"reports": [{"score": q1}], "score": q1})
    after = SimpleNamespace(finished=False)
    assert "Score 49.3 ▲ +9.7" in headline({"round": 2, "score": q2}, before, after).plain
    view = SimpleNamespace(score=49.26, round=3, rounds=8, finished=False,
                           obs={"reports": [{"score": q1}, {"score": q2}]})
    assert "▲ +9.7 last quarter" in score_line(view).plain
    assert fmt.change(39.64, 49.26) == 49.3 - 39.6 and fmt.change(0.556, 0.634, 2) == 0.63 - 0.56


@run
async def test_a_second_enter_queued_for_a_closing_dialog_does_nothing(store, catalog):
    # "e enter e enter" typed fast in a terminal: the second enter reached the end-round dialog after
    # its first had dismissed it, and dismiss pops whatever is on top, so the game screen went too
    # (pmsim ended in ScreenStackError or NoMatches: StatusLine); the report alike on a double enter
    from textual.widgets import Input

    from pmsim.tui.screens.dialogs import EndRoundDialog
    from pmsim.tui.screens.game import GameScreen
    from pmsim.tui.screens.report import RoundReportScreen

    app = make_app(store, catalog)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "n", "enter")
        await past_briefing(pilot)
        await press(pilot, "4", "n", "e")
        dialog = app.screen
        assert isinstance(dialog, EndRoundDialog)
        field = dialog.query_one(Input)
        for _ in range(2):  # enter, and the second enter already queued behind it
            dialog.post_message(Input.Submitted(field, ""))
        await settle(pilot)
        assert isinstance(app.screen, RoundReportScreen)
        assert [type(s) for s in app.screen_stack][-2] is GameScreen
        assert app.view.round == 2  # one quarter committed, not two
        report = app.screen
        for _ in range(2):
            report.call_later(report.action_close)
        await settle(pilot)
        await past_briefing(pilot)
        assert isinstance(app.screen, GameScreen) and app.view.round == 2
        await press(pilot, "4", "e", "escape")  # and the game plays on
        assert isinstance(app.screen, GameScreen)
    assert app._exception is None


@run
async def test_forking_at_round_2_keeps_round_1_in_plain_words(store, catalog):
    # the fork question said "keeps your decisions of rounds 1–1"
    sid = record_bot_game(store, small_text("b2b_saas"), 5, "rice")
    app = make_app(store, catalog, start="replay", save_ref=sid)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "right", "f")
        text = " ".join(screen_text(app).split())
        assert "Fork a new game at round 2?" in text and "keeps your decisions of round 1;" in text, text
        await press(pilot, "escape", "right", "f")
        assert "keeps your decisions of rounds 1–2;" in " ".join(screen_text(app).split())


def test_an_unanswered_request_shipped_anyway_says_why_trust_fell():
    # "▲ Amber is pleased: delivered anyway" beside "▼ Amber: trust 60% → 57%" with no reason: the
    # request was never answered (ignored, a penalty), then its feature shipped (a smaller bonus)
    from types import SimpleNamespace

    from pmsim.tui.screens.report import people_text

    amber = {"id": "pmm", "name": "Amber Oconnell", "title": "Product Marketing Manager"}
    req = {"id": "r1", "stakeholder": "pmm", "feature": "wizard"}
    before = SimpleNamespace(obs={"stakeholders": [{**amber, "trust": 0.60}], "requests": [{**req, "status": "open"}]})
    after = SimpleNamespace(obs={"stakeholders": [{**amber, "trust": 0.57}], "requests": [{**req, "status": "delivered"}]},
                            feature_title=lambda f: "Guided setup wizard")
    report = {"reactions": [{"mood": "pleased", "text": "Amber Oconnell (Product Marketing Manager) is pleased: "
                                                         "delivered anyway."}]}
    text = people_text(report, before, after).plain
    assert "trust 60% → 57%  (never answered, so ignored; got Guided setup wizard anyway)" in text, text


def test_the_debrief_names_a_segments_churn_once_for_all_its_missing_must_haves():
    # two must-haves missing for teachers printed two lines, each "110 customers churned in that
    # segment", which reads as 220 customers lost, one lot per feature
    from types import SimpleNamespace

    from pmsim.engine import EndRound, new_game
    from pmsim.scenario.loader import load_scenario_text
    from pmsim.tui.screens.debrief import lessons_text

    game = new_game(load_scenario_text(small_text("tutorial")), 4)
    while not game.state.finished:
        game.apply(EndRound())  # nothing built: every must-have stays missing
    d = game.debrief()
    by_seg: dict[str, list[str]] = {}
    for u in d["unmet_must_be"]:
        by_seg.setdefault(u["segment"], []).append(u["title"])
    seg, titles = max(by_seg.items(), key=lambda kv: len(kv[1]))
    assert len(titles) >= 2  # the case
    text = lessons_text(SimpleNamespace(segment_name=lambda s: s.upper()), d).plain
    assert text.count(f"{seg.upper()} needed") == 1 and text.count("churned in that segment") == len(by_seg)
    assert f"{titles[-2]} and {titles[-1]};" in text


def test_the_replay_labels_the_true_nps_beside_what_the_players_survey_read(store):
    # playing b2b_saas at 80x24: the round report said "NPS -30 → -14" (the pulse survey, as every
    # screen shows it) and the replay of that round "NPS -16" (the truth), with nothing to say why
    from rich.console import Console

    from pmsim.engine.observe import observed_metrics
    from pmsim.storage.history import replay_record
    from pmsim.tui import fmt
    from pmsim.tui.replay_data import load_replay
    from pmsim.tui.screens.replay import round_body

    sid = record_bot_game(store, small_text("b2b_saas"), 3, "researcher")
    game = replay_record(store.open_target(sid)).game
    rep = load_replay(store, sid)
    console = Console(width=200, record=True)
    for rr in rep.rounds:
        seen = observed_metrics(game, rr.round)["nps"]  # what the dashboard and report showed
        assert rr.surveyed_nps == seen
        console.print(round_body(rr))
        text = console.export_text()
        assert f"NPS {fmt.plus(rr.metrics['nps'])} (true; the survey read {fmt.plus(seen)})" in text
