"""Valid but unusual scenarios (found by mutating the built-ins): every command copes with them.

Each test reproduces something that crashed or misbehaved on a scenario the built-ins do not
exercise: a game with no capacity at all, no stakeholders, and so on.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from pmsim.cli import cli
from pmsim.scenario.loader import load_scenario_text

ROOT = Path(__file__).resolve().parents[1]


def variant(change, base: str = "tutorial", population: int = 2000) -> str:
    """A built-in's text with `change(data)` applied, on a small market."""
    d = yaml.safe_load((ROOT / "scenarios" / f"{base}.yaml").read_text(encoding="utf-8"))
    d["market"]["population"] = population
    change(d)
    return yaml.safe_dump(d, sort_keys=False, allow_unicode=True)


def write(tmp_path: Path, text: str, name: str = "odd.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_balance_advice_for_a_game_with_no_capacity_at_all(tmp_path):
    # every round's capacity is 0: the advice divided the backlog by the game's capacity
    from pmsim.engine.balance import _backlog_advice

    def change(d):
        d["team"]["capacity_by_round"] = {r: 0 for r in range(1, d["rounds"] + 1)}
    sc = load_scenario_text(variant(change))
    assert "no capacity" in _backlog_advice(sc)
    out = CliRunner().invoke(cli, ["scenarios", "balance", str(write(tmp_path, variant(change))),
                                   "--games", "2", "--jobs", "1", "--force", "--no-teach"])
    assert out.exception is None or isinstance(out.exception, SystemExit), out.exception
    assert out.exit_code == 1 and "no capacity" in out.output


def no_stakeholders(d):
    d["stakeholders"] = []
    for o in d.get("okrs", []):
        o.pop("owner", None)


@pytest.mark.parametrize("strategy", ["random", "hippo", "rice", "researcher", "oracle", "analyst", "spiker"])
def test_every_bot_plays_a_scenario_without_stakeholders(strategy):
    # stakeholders are optional (the guide's table says so): the loader accepts none
    from pmsim.engine.bots import play_game
    from pmsim.engine.simulate import fresh_game

    sc = load_scenario_text(variant(no_stakeholders))
    assert sc.stakeholders == []
    assert play_game(fresh_game(sc, 1), strategy).finished


def test_balance_of_a_scenario_without_okrs_gives_advice_that_fits_it():
    # with no OKRs, balance warned "OKRs are trivially met" and advised moving the key results'
    # targets, of which there are none
    from pmsim.engine.balance import explain, play_batch
    from pmsim.engine.bots import STRATEGIES

    def change(d):
        d["okrs"] = []
    sc = load_scenario_text(variant(change))
    report = explain(sc, play_batch(sc, STRATEGIES, games=2, seed=0, jobs=1))
    text = "\n".join(report["warnings"] + report["advice"])
    assert "trivially met" not in text and "key results' targets" not in text
    assert "component 'okr' never varies" in text and "has no OKRs" in text


def test_luck_advice_never_asks_to_lower_velocity_noise_that_is_already_low():
    from pmsim.engine.balance import _warning_advice

    def change(d):
        d["team"]["velocity_noise"] = 0.1
    sc = load_scenario_text(variant(change))
    advice = _warning_advice(sc, "order:oracle:researcher", {"games": 2})
    assert "velocity_noise" not in advice and "--games (now 2)" in advice
    sc = load_scenario_text(variant(lambda d: d["team"].update(velocity_noise=0.3)))
    assert "lower team.velocity_noise (now 0.3) towards 0.1" in _warning_advice(sc, "order:oracle:researcher",
                                                                                {"games": 2})


def test_teach_never_says_a_behaviour_costs_only_a_negative_number_of_points():
    # a one-round scenario: skipping surveys raised the score on average, with a CI across 0,
    # and teach said "skipping surveys costs only -8.5 points"
    from pmsim.engine.teach import warnings

    row = {"cost": -8.5, "ci95": [-27.0, 10.0], "d": -0.64, "component": "customer_impact", "teaches": False}
    [line] = warnings({"behaviours": {"surveys": row}})
    assert "-8.5" not in line and "costs only" not in line
    assert "costs nothing measurable (on average it raises the score by 8.5 points)" in line
    [line] = warnings({"behaviours": {"surveys": {**row, "cost": 2.1, "ci95": [-0.7, 4.9]}}})
    assert "costs only 2.1 points" in line


def test_the_review_says_none_of_the_objectives_ended_green():
    # a one-quarter game of random play: no objective ends green, and the review read
    # "On the OKRs (score 0.06), no of 3 objectives ended green"
    from pmsim.engine.bots import play_game
    from pmsim.engine.simulate import fresh_game
    from pmsim.reports.review import internship_review, render_review_text

    def change(d):
        d["rounds"] = 1
        d["market"]["competitors"][0]["moves"] = []
        d["events"] = []
        for s in d["stakeholders"]:
            for q in s["requests"]:
                q["deadline"] = 1
        d["okrs"].append({"id": "more", "objective": "More teachers", "key_results": [
            {"id": "more_teachers", "metric": "customers", "segment": "teachers", "target": 100000}]})
    game = play_game(fresh_game(load_scenario_text(variant(change)), 3), "random")
    text = render_review_text(internship_review(game))
    assert "no of" not in text
    assert "none of 2 objectives ended green" in text


def test_validate_play_checks_the_key_results_of_a_scenario_without_stakeholders(tmp_path):
    # validate --play played the hippo bot, which failed without stakeholders
    def change(d):
        no_stakeholders(d)
        d["okrs"][0]["key_results"][0]["target"] = 10  # already met at round 0: every bot reaches it
    out = CliRunner().invoke(cli, ["scenarios", "validate", "--play", str(write(tmp_path, variant(change)))])
    assert out.exception is None or isinstance(out.exception, SystemExit), repr(out.exception)
    assert out.exit_code == 0, out.output
    assert "key result 'teacher_customers': every bot reaches it" in out.output


def test_the_lint_lets_a_feature_that_exactly_fills_a_round_be_planned():
    # capacity 10 at tech debt 0.8 is 1.9999999999999996 wk in floating point: the lint called the
    # 2 wk must-be 'zoom_text' unplannable ("takes 2 wk but a round has at most 2.0 wk") and 6 wk of
    # must-be work too much for "6 wk of capacity", though the engine plans both (1e-9 of slack)
    from pmsim.scenario.lint import lint_text

    def change(d):
        d["team"]["tech_debt"] = 0.8
        for f in d["features"]:
            if f["id"] in ("screen_reader", "class_spaces", "ai_flashcards", "math_editor", "share_links"):
                f["effort"] = 2
    _, sc, problems = lint_text(variant(change), "odd.yaml")
    messages = [p.message for p in problems]
    assert not any("zoom_text" in m for m in messages), messages
    assert not any("must-be work totals" in m for m in messages), messages
    assert not any("can never be planned" in m for m in messages), messages
    # an 'at most' is never rounded up to the effort it is compared with
    def bigger(d):
        d["team"]["tech_debt"] = 0.8
        d["team"]["capacity"] = 9.99
    _, _, problems = lint_text(variant(bigger), "odd.yaml")
    line = next(p.message for p in problems if "'zoom_text'" in p.message)
    assert "takes 2 wk but a round has at most 1.99 wk" in line


def test_observed_nps_is_never_a_negative_zero():
    # every customer relies on assistive technology: a segment's NPS estimate rounded to -0.0,
    # which the screens print as "-0"
    from pmsim.engine.bots import play_round
    from pmsim.engine.simulate import fresh_game

    sc = load_scenario_text(variant(lambda d: [s.update(assistive_share=1.0) for s in d["market"]["segments"]]))
    game = fresh_game(sc, 1)
    while not game.finished:
        play_round(game, "rice")
    obs = game.observe()
    assert list(_negative_zeros(obs)) == []
    assert [m["nps"] for m in obs["metrics"][1:]]  # the check had something to look at


def test_teach_never_prints_a_negative_zero(tmp_path):
    # every feature arrives in the last round: skipping answers costs 0.04 points in every game,
    # and the table read "answers  -0.0  -0.0 … -0.0"
    def change(d):
        for f in d["features"]:
            f["available_from"] = d["rounds"]
    out = CliRunner().invoke(cli, ["scenarios", "teach", str(write(tmp_path, variant(change))),
                                   "--games", "3", "--jobs", "1"])
    assert out.exit_code in (0, 1), out.output
    assert "-0.0" not in out.output and "answers" in out.output
    from pmsim.numfmt import table_number

    assert [table_number(x, sign=True) for x in (-0.04, 0.04, 5.94, -2.0)] == ["0.0", "0.0", "+5.9", "-2.0"]
    assert table_number(-0.001, 2) == "0.00" and table_number(-0.3, 0, sign=True) == "0"


def test_balance_quotes_the_same_numbers_in_its_table_warnings_and_advice():
    # only the okr component weighs, and no bot grows the teachers: random play ends at 18.5 teachers,
    # below the start (25.5); the advice said "(random 25.5, oracle 25.5)" beside a warning and a
    # table that said random 18.5, and "full credit at 238.6" beside the table's 238.7
    from pmsim.engine.balance import explain, play_batch
    from pmsim.engine.bots import STRATEGIES

    def change(d):
        d["scoring"]["weights"] = {"okr": 1}
    sc = load_scenario_text(variant(change))
    report = explain(sc, play_batch(sc, STRATEGIES, games=2, seed=0, jobs=1))
    row = next(r for r in report["key_results"] if r["id"] == "teacher_customers")
    start, rnd = row["start"], row["reached"]["random"]["mean"]
    assert rnd < start  # the case: random play loses teachers
    [advice] = [a for a in report["advice"] if a.startswith("teacher_customers: ") and "no target tells" in a]
    top = row["reached"]["oracle"]["mean"]
    if top <= start:  # not even the oracle grows them: the advice says that, with random's own mean
        assert f"does not get past the start ({start:.1f}; oracle {top:.1f}, random {rnd:.1f})" in advice
    else:
        assert f"start {start:.1f}, random {rnd:.1f}, oracle" in advice
    [warning] = [w for w in report["warnings"] if "'teacher_customers'" in w and "full credit" in w]
    assert f"full credit at {row['full_credit_at']:.1f})" in warning


def test_the_review_says_why_communication_is_rated_when_nobody_asked_anything():
    # no stakeholders: communication was rated 5/5 and "the strongest skill" on a paragraph that only
    # said "You never wrote down why you chose a roadmap or turned a request down"
    from pmsim.engine.bots import play_game
    from pmsim.engine.simulate import fresh_game
    from pmsim.reports.review import internship_review, render_review_text

    game = play_game(fresh_game(load_scenario_text(variant(no_stakeholders)), 1), "random")
    review = internship_review(game)
    [comm] = [s for s in review["skills"] if s["skill"] == "communication"]
    text = render_review_text(review)
    assert "no stakeholders, so there were no requests to answer" in text
    assert "turned a request down" not in text and "or a decline" not in text
    assert comm["rating"] >= 4  # the rating itself stands: nothing was lost

    def silent(d):  # stakeholders who never ask
        for s in d["stakeholders"]:
            s["requests"] = []
    text = render_review_text(internship_review(play_game(fresh_game(load_scenario_text(variant(silent)), 1),
                                                          "random")))
    assert "No stakeholder asked you for anything, so there were no requests to answer." in text


def test_the_lint_counts_capacity_a_feature_can_win_back_by_paying_debt_down():
    # tech debt 0.8 leaves 2 of 10 wk, but every feature pays debt down (tech_debt -1): after the first
    # ships, rounds have 10 wk. The lint refused the file ("must-be feature 'screen_reader' takes 4 wk
    # but a round has at most 2.0 wk: it can never be planned"), though its own whole-game bound
    # already counted the debt paid down; and it counted only capacity_change events, where any
    # event's capacity_delta adds capacity
    from pmsim.scenario.lint import lint_text

    def change(d):
        d["team"]["tech_debt"] = 0.8
        for f in d["features"]:
            f["tech_debt"] = -1
    sc, _, problems = lint_text(variant(change), "odd.yaml")
    assert sc is not None and not [p.message for p in problems if "wk" in p.message]

    def boost(d):  # a round-3 press event brings 20 wk: a 25 wk must-be fits that round
        d["events"].append({"round": 3, "kind": "press", "text": "Hires join", "capacity_delta": 20})
        next(f for f in d["features"] if f["id"] == "screen_reader")["effort"] = 25
    sc, _, problems = lint_text(variant(boost), "odd.yaml")
    assert not [p.message for p in problems if "screen_reader" in p.message]


def test_the_lint_warns_that_a_product_wide_key_result_ignores_its_segment():
    # "accessibility for teachers" was accepted in silence and graded the whole product's
    from pmsim.scenario.lint import lint_text

    def change(d):
        d["okrs"][0]["key_results"][1]["segment"] = "teachers"  # a11y: accessibility
    sc, _, problems = lint_text(variant(change), "odd.yaml")
    assert sc is not None  # a warning: it plays, only not as the author meant
    [p] = [p for p in problems if p.field == "okrs[0].key_results[1].segment"]
    assert p.severity == "warning" and "segment 'teachers' is ignored" in p.message and p.line > 0


def test_teach_does_not_say_skipping_raises_the_score_by_nothing():
    # features that pay all debt down: skipping renegotiation cost -0.004 points, and teach said
    # "costs nothing measurable (on average it raises the score by 0.0 points) (d = -0.00)"
    from pmsim.engine.teach import warnings

    row = {"cost": -0.004, "ci95": [-0.02, 0.01], "d": -0.001, "component": "okr", "teaches": False}
    [line] = warnings({"behaviours": {"renegotiation": row}})
    assert "by 0.0 points" not in line and "-0.00" not in line
    assert "skipping renegotiation costs nothing measurable (d = 0.00)" in line
    [line] = warnings({"behaviours": {"renegotiation": {**row, "cost": 0.0, "d": 0.0}}})
    assert "costs only 0.0" not in line and "costs nothing measurable (d = 0.00)" in line


def shift_every_need_away(d):
    # each round, every segment stops caring about one more theme: by round 3 nobody needs anything
    themes = [t["id"] for t in d["market"]["themes"]]
    d["events"] = [{"round": r, "kind": "segment_shift", "text": "Tastes change", "segment": s["id"],
                    "theme": themes[r % len(themes)], "delta": -1}
                   for r in range(1, d["rounds"] + 1) for s in d["market"]["segments"]]


def test_a_survey_of_needs_nobody_has_never_reads_as_a_negative_share():
    # the survey's noisy mean of a need of 0 is a hair below 0: the case study printed "Sharing -0%"
    # and the player's beliefs held an estimate of -0.0
    from pmsim.engine.bots import play_game
    from pmsim.engine.simulate import fresh_game
    from pmsim.reports.portfolio import portfolio_md

    sc = load_scenario_text(variant(shift_every_need_away))
    text = portfolio_md(play_game(fresh_game(sc, 1), "oracle"), "Pat")
    assert "n = 200: top needs" in text and "-0%" not in text and "−0%" not in text
    game = play_game(fresh_game(sc, 7), "random")
    estimates = [v["estimate"] for seg in game.observe()["beliefs"]["needs"].values() for v in seg.values()]
    assert all(str(x) != "-0.0" for x in estimates)


def one_round(d):
    """The scenario cut to one round: every round it names moved into round 1."""
    d["rounds"] = 1
    for k in ("capacity_by_round", "research_budget_by_round"):
        d["team"][k] = {r: v for r, v in d["team"].get(k, {}).items() if r <= 1}
    for f in d["features"]:
        f["available_from"] = 1
    for s in d.get("stakeholders", []):
        for q in s.get("requests", []):
            q["round"] = 1
            if q.get("deadline") is not None:
                q["deadline"] = 1
    for c in d["market"].get("competitors", []):
        for m in c.get("moves", []):
            m["round"] = 1
    for e in d.get("events", []):
        e["round"] = 1
        if e.get("request"):
            e["request"]["round"] = 1
            if e["request"].get("deadline") is not None:
                e["request"]["deadline"] = 1


def test_the_review_of_even_skills_names_no_relative_strength():
    # one quarter of HiPPO play on b2b_saas: every skill 1/5 and every stakeholder at trust 0.00; the
    # review said "Your skills were even, all at 1/5" and then "Project management (1/5) was your
    # relative strength", and "Trust ended highest with ... (0.00) and lowest with ... (0.00)"
    from pmsim.engine.bots import play_game
    from pmsim.engine.simulate import fresh_game
    from pmsim.reports.review import internship_review, render_review_text

    game = play_game(fresh_game(load_scenario_text(variant(one_round, base="b2b_saas")), 3), "hippo")
    review = internship_review(game)
    assert {s["rating"] for s in review["skills"]} == {1}  # the case
    text = " ".join(render_review_text(review).split())  # unwrapped
    assert "Your skills were even, all at 1/5" in text
    assert "relative strength" not in text and "None stood out yet: every skill was rated 1/5." in text
    assert "lowest with" not in text and "Trust ended at 0.00 with every stakeholder" in text


def test_the_debrief_never_has_a_negative_zero_regret():
    # once nobody needs anything, a quarter's regret is -0.00001 and rounded to -0.0
    import math

    from pmsim.engine.bots import play_game
    from pmsim.engine.simulate import fresh_game

    game = play_game(fresh_game(load_scenario_text(variant(shift_every_need_away, base="b2b_saas")), 1), "random")
    rounds = game.debrief()["rounds"]
    assert any(r["regret"] == 0 for r in rounds)  # the case
    for r in rounds:
        for key in ("regret", "value_of_information"):
            assert math.copysign(1, r[key]) > 0 or r[key] != 0, (r["round"], key)


def test_an_nps_just_below_zero_reads_plus_zero_in_the_mentor_and_replay():
    # every customer on assistive technology: the NPS of a quarter was -0.3, shown "NPS -0" by
    # replay --text and "-0" by the mentor's off-track advice
    from pmsim.commands.replay import _round_line
    from pmsim.engine.mentor import _metric

    # (signed as every document signs an NPS: numfmt.plus, with a true minus)
    assert [_metric("nps", x) for x in (-0.3, 0.0, 41.6, -12.4)] == ["+0", "+0", "+42", "−12"]
    line = _round_line({"round": 1, "score": 50.0, "metrics": {"customers": 10, "revenue": 5, "nps": -0.3},
                        "shipped": []}, "matches")
    assert "NPS +0 " in line and "-0" not in line


def test_scoring_weights_of_any_scale_give_the_same_score():
    # weights are "any scale", and 5e-324 is a number the schema takes: the products of such weights
    # lost their digits, and a game scored 0.0 with 77 points lost (the oracle 100.0 with 29 lost)
    from pmsim.engine.bots import play_game
    from pmsim.engine.simulate import fresh_game

    cards = []
    for scale in (1.0, 5e-324, 1e-320):
        def change(d, scale=scale):
            d["scoring"]["weights"] = {"okr": 1 * scale, "customer_impact": 3 * scale}
        cards.append(play_game(fresh_game(load_scenario_text(variant(change)), 1), "random").score())
    assert cards[0]["score"] not in (0.0, 100.0)
    for card in cards[1:]:
        assert card["score"] == cards[0]["score"] and card["points_lost"] == cards[0]["points_lost"]
        assert abs(card["score"] + sum(card["points_lost"].values()) - 100) < 1e-3


def _negative_zeros(obj, path=""):
    import math

    if isinstance(obj, float) and obj == 0 and math.copysign(1, obj) < 0:
        yield path
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield from _negative_zeros(v, f"{path}.{k}")
    elif isinstance(obj, (list, tuple)):
        for i, v in enumerate(obj):
            yield from _negative_zeros(v, f"{path}[{i}]")


def every_kano_reverse(d):
    for s in d["market"]["segments"]:
        s["kano"] = {t["id"]: "reverse" for t in d["market"]["themes"]}
    for f in d["features"]:
        f.pop("kano", None)


@pytest.mark.parametrize(("change", "strategy", "seed"), [
    (every_kano_reverse, "spiker", 1),  # a feature believed worth -0.0001: value -0.0, misjudged -0.0
    (lambda d: [s.update(need_spread=0.001) for s in d["market"]["segments"]], "analyst-no-competitive", 7),
])
def test_observe_and_debrief_hold_no_negative_zero(change, strategy, seed):
    # a survey of a need some customers lack entirely averaged -0.00001 (estimate -0.0); a feature
    # every segment would rather not have was believed worth -0.0
    from pmsim.engine.bots import play_round
    from pmsim.engine.simulate import fresh_game

    game = fresh_game(load_scenario_text(variant(change, base="consumer_app")), seed)
    found = []
    while not game.finished:
        found += _negative_zeros(game.observe())
        play_round(game, strategy)
    found += [*_negative_zeros(game.observe()), *_negative_zeros(game.debrief())]
    assert found == []
