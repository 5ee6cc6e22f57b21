"""The guided tutorial: steps as data, each a request to the player and a test that they did it.

The guide runs beside the game of the `tutorial` scenario (scenarios/tutorial.yaml), never in
front of it: nothing is modal and every key keeps working. After every action, pane change,
explanation or report, the app builds a `Progress` (the player's observation plus what they have
looked at) and `Guide.update` moves past every step whose `done` holds, so a player who does
things early or out of order is never asked to do them again. `>` skips a step, `G` hides the
guide (and brings it back where it was).

Plain Python, no Textual: the steps can be read, tested and changed without a screen.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

TUTORIAL_SCENARIO = "tutorial"
DASHBOARD_TOPICS = frozenset({"score", "customers", "revenue", "nps", "churn", "activation", "satisfaction",
                              "market_share"})


@dataclass(frozen=True)
class Progress:
    """What the guide may look at: the observation and what the player has looked at so far."""

    obs: dict[str, Any]
    pane: str = "dashboard"
    seen_panes: frozenset[str] = frozenset()
    explained: frozenset[str] = frozenset()  # explanation topics the player has opened
    reports_read: int = 0  # round reports closed

    def request(self, rid: str) -> dict[str, Any] | None:
        return next((q for q in self.obs["requests"] if q["id"] == rid), None)

    def answered(self, rid: str) -> bool:
        q = self.request(rid)
        return q is not None and q["status"] != "open"

    def studied(self, method: str, segment: str | None = None) -> bool:
        return any(r["method"] == method and (segment is None or r.get("segment") == segment)
                   for r in self.obs["research"])

    def planned(self, fid: str) -> bool:
        """In Now, being built, or shipped already."""
        f = next((f for f in self.obs["features"] if f["id"] == fid), None)
        return f is not None and (f["slot"] == "now" or f["status"] in ("in_progress", "shipped"))

    def must_be_planned(self) -> bool:
        """A feature your interviews say is a must-be for some segment is in Now (or built)."""
        return any(self.planned(f["id"]) for f in self.obs["features"]
                   if any(k["votes"] and k["category"] == "must_be" for k in f["kano"].values()))

    @property
    def rounds_done(self) -> int:
        return len(self.obs["reports"])


@dataclass(frozen=True)
class Step:
    id: str
    title: str
    text: str
    done: Callable[[Progress], bool]
    on_report: bool = False  # shown on the round report, not the game screen


# The words the player reads, in order: "id: title" on one line, the request on the next, a blank line
# between steps. What completes a step is its `DONE` test, under the same id.
SCRIPT = """
dashboard: Read the dashboard
Welcome to Lumen Notes! Each metric has its change and, if it comes from a sample, a 95% interval (±). Press i to learn what a metric means (← → next, esc closes).

okrs: Grade the OKRs
Press 5 for the OKRs. Key results are graded like at Google, 0.0 to 1.0; on an aspirational objective 0.7 is the sweet spot. Press i there: how grades work.

inbox: Open the Inbox (2)
Stakeholders send you requests. Press 2 for the Inbox: who asks, how urgent it is, and how much they trust you.

answer_founder: Answer the founder
Maya, the founder, wants AI flashcards. Highlight her request (↑↓): a accepts (a promise), d defers, x declines. A reasoned 'not now' costs less trust than silence.

answer_support: Answer Support
Sam from Support asks for Screen reader support. Answer him too: a request still open when the round ends counts as ignored, and that costs trust.

research: Open Research (3)
Press 3 for Research: the studies on offer, their cost and sample size. The budget is $25k a quarter and does not carry over.

interviews: Interview 5 teachers
Press m until Interviews is highlighted, pick Teachers 5 ppl (↑↓), enter twice (buy, confirm). Interviews reveal Kano categories: what teachers cannot do without (must-be).

survey: Run a survey
Press m until Survey and buy one (Students n=400 is a good size). It measures needs with a 95% confidence interval (±): four times the sample halves the error.

roadmap: Open the Roadmap (4)
Press 4: the backlog with estimates (Est wk), RICE, WSJF and Kano (a letter per segment: M must-be, P performance, A attractive, I indifferent, ? unknown).

rice: Sort by RICE and read it
Press s until the header shows RICE ▼, then i: how Reach × Impact × Confidence ÷ Effort is computed, with the highlighted item's numbers.

wsjf_kano: Read WSJF and Kano
In an explanation, → shows the next column: read WSJF (cost of delay ÷ job size) and Kano too. i explains the sorted column whenever you need it.

must_be: Plan a must-be
M in the Kano column marks a must-be: customers can't do without it. Screen reader support or Text zoom also helps the accessibility OKR. Highlight one, press n.

capacity: Fill the quarter
The bar above the table compares Now with the team's capacity (10 wk). Estimates can run over: add one more item that fits (n); aim for 70–90%.

end_round: End the round
The mentor (below; M hides it) comments on your plan. Press e: the dialog lists its advice; type why you chose this plan (it is saved), then enter.

report: Read the round report
What shipped or slipped, how the metrics moved, how stakeholders reacted, and your score by component (i explains them). Press enter to go on.

quarter2: Plan quarter 2 yourself
▲▼ on the Dashboard show what changed. Answer new requests, spike a wide estimate if the mentor suggests it (Research, m), fill Now, press e.

finish: The last quarter
Plan it and end it. The debrief then scores you by skill, with your roadmap beside the best in hindsight. Then try a real scenario (n on the title).
"""

DONE: dict[str, Callable[[Progress], bool]] = {
    "dashboard": lambda p: bool(p.explained & DASHBOARD_TOPICS),
    "okrs": lambda p: "okr_grading" in p.explained,
    "inbox": lambda p: "inbox" in p.seen_panes,
    "answer_founder": lambda p: p.answered("founder_ai"),
    "answer_support": lambda p: p.answered("support_reader"),
    "research": lambda p: "research" in p.seen_panes,
    "interviews": lambda p: p.studied("interviews", "teachers"),
    "survey": lambda p: p.studied("survey"),
    "roadmap": lambda p: "roadmap" in p.seen_panes,
    "rice": lambda p: "rice" in p.explained,
    "wsjf_kano": lambda p: {"wsjf", "kano"} <= p.explained,
    "must_be": lambda p: p.planned("screen_reader") or p.planned("zoom_text") or p.must_be_planned(),
    "capacity": lambda p: len(p.obs["now"]) >= 2 or p.rounds_done >= 1,
    "end_round": lambda p: p.rounds_done >= 1,
    "report": lambda p: p.reports_read >= 1,
    "quarter2": lambda p: p.rounds_done >= 2,
    "finish": lambda p: bool(p.obs["finished"]),
}
ON_REPORT = frozenset({"report"})  # steps shown on the round report, not the game screen


def _steps(script: str) -> list[Step]:
    steps = []
    for block in script.strip().split("\n\n"):
        head, text = block.split("\n")
        sid, title = head.split(": ", 1)
        steps.append(Step(sid, title, text, DONE[sid], on_report=sid in ON_REPORT))
    return steps


STEPS: list[Step] = _steps(SCRIPT)


@dataclass
class Guide:
    """Where the player is in the steps. App state (a setting), never game state: not saved."""

    steps: list[Step] = field(default_factory=lambda: list(STEPS))
    index: int = 0
    hidden: bool = False
    completed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    @property
    def step(self) -> Step | None:
        return self.steps[self.index] if self.index < len(self.steps) else None

    @property
    def finished(self) -> bool:
        return self.index >= len(self.steps)

    @property
    def showing(self) -> bool:
        return not self.hidden and not self.finished

    def update(self, progress: Progress) -> list[Step]:
        """Complete every step in a row that `progress` shows done; returns the steps completed."""
        done = []
        while (s := self.step) is not None and s.done(progress):
            self.completed.append(s.id)
            done.append(s)
            self.index += 1
        return done

    def skip(self) -> Step | None:
        """Skip the current step (it counts as skipped, not done); returns it."""
        s = self.step
        if s is not None:
            self.skipped.append(s.id)
            self.index += 1
        return s

    def position(self) -> tuple[int, int]:
        return min(self.index + 1, len(self.steps)), len(self.steps)


def guide_for(scenario_id: str) -> Guide | None:
    """A fresh guide for a game of `scenario_id`: only the tutorial has one."""
    return Guide() if scenario_id == TUTORIAL_SCENARIO else None
