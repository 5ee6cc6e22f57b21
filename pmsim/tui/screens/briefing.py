"""The briefing: shown when a game opens and at the start of every quarter.

Who you are and where (the company, your role, the team and its capacity, the research budget),
what you are asked to move (the OKRs), who you answer to (the stakeholders) and what changed since
last quarter (shipped, slipped, news, reactions, new requests). Its text comes from the scenario
file (its summary and lessons) and the observation; nothing here is new game state.

enter (or esc, or space) starts the quarter. Any other game key closes the briefing and does what
it does on the game screen, so a player who knows the game is never slowed down.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import events
from textual._context import active_message_pump  # Textual is pinned: see BriefingScreen.on_key
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from pmsim.tui import fmt
from pmsim.tui.service import GameView
from pmsim.tui.widgets.keybar import KeyBar

ROLE = ("You are the product-management intern. Each quarter you answer stakeholders' requests (2 Inbox), "
        "buy research (3), plan the roadmap (4 Roadmap: Now is what the team builds this quarter) and "
        "commit it (e). The market plays out, and the next quarter begins.")
# keys the briefing itself uses; every other key closes it and goes on to the game screen
CLOSE_KEYS = {"enter", "escape", "space"}  # its "Start the quarter" binding's keys
OWN_KEYS = {"enter", "escape", "space", "up", "down", "pageup", "pagedown", "home", "end", "tab", "shift+tab",
            "question_mark", "t", "ctrl+p", "ctrl+q", "ctrl+c"}


def next_for_now(view: GameView) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The Next items (in roadmap order) that fit this quarter's capacity left, in order, and those that do not."""
    left = float(view.obs["capacity"]["left"])
    fits, rest = [], []
    for f in view.obs["features"]:
        if f["slot"] != "next" or f["status"] == "shipped":
            continue
        need = float(f["remaining_estimate"])
        if need <= left + 1e-9 and f["available_from"] <= view.round and not any(
                view.feature(d)["status"] != "shipped" for d in f["depends_on"]):
            fits.append(f)
            left -= need
        else:
            rest.append(f)
    return fits, rest


def _last_report(view: GameView) -> dict[str, Any] | None:
    reports = view.obs.get("reports") or []
    return reports[-1] if reports and view.round > 1 else None


def briefing_text(view: GameView, *, lessons: tuple[str, ...] = (), resumed: bool = False,
                  footer: str = "") -> Text:
    """The whole briefing as one Text (pure: the tests and the screen share it)."""
    obs = view.obs
    t = Text()
    t.append(f"Quarter {view.round} of {view.rounds} · ", style="bold")
    t.append_text(fmt.scenario_name(obs["scenario"]["title"], view.scenario_id))
    who = getattr(view, "player", "") or ""
    if resumed:
        t.append(f" · welcome back, {who}" if who else " · welcome back", style="bold")
    elif view.round == 1 and who:
        t.append(f" · welcome, {who}", style="bold")  # Text, never markup: "[/x]" is shown as written
    t.append("\n")
    if view.round == 1 or resumed:
        t.append(f"{view.summary}\n\n")
        t.append("Your role  ", style="bold")
        t.append(ROLE + "\n\n")
    else:
        t.append("\n")

    # what changed since last quarter
    rep = _last_report(view)
    if rep is not None:
        t.append(f"Since quarter {rep['round']}\n", style="bold underline")
        shipped = [view.feature_title(f) for f in rep.get("shipped", [])]
        t.append("  Shipped  ", style="bold")
        t.append(", ".join(f"✓ {s}" for s in shipped) if shipped else "nothing", style="green" if shipped else "dim")
        t.append("\n")
        slipped = [view.feature_title(f) for f in rep.get("carried_over", [])]
        if slipped:
            t.append("  Slipped  ", style="bold")
            t.append(", ".join(f"✗ {s}" for s in slipped) + " (carried over)\n", style="yellow")
        for r in rep.get("reactions", []):
            t.append(f"  {fmt.MOOD_SYMBOL.get(r.get('mood', ''), '•')} {r['text']}\n")
        for n in rep.get("news", []):
            t.append(f"  • {n['text']}\n")
        score = float(rep["score"]["score"]) if isinstance(rep.get("score"), dict) else view.score
        t.append(f"  Score {score:.1f} / 100\n")
        t.append("\n")
    news = obs.get("news") or []
    new_reqs = [q for q in obs["requests"] if q["round"] == view.round and q["status"] == "open"]
    if news or new_reqs:
        t.append("This quarter\n", style="bold underline")
        for n in news:
            t.append(f"  ⚑ {n['text']}\n", style="bold")
        if new_reqs:
            t.append(f"  ✉ {len(new_reqs)} new request{'s' if len(new_reqs) != 1 else ''} in your inbox (2)\n",
                     style="bold")
        t.append("\n")

    # what you said comes next
    fits, rest = next_for_now(view)
    if fits or rest:
        t.append("Your Next list\n", style="bold underline")
        if fits:
            weeks = sum(float(f["remaining_estimate"]) for f in fits)
            t.append("  a", style="bold reverse")
            t.append(f" moves {', '.join(f['title'] for f in fits)} into Now, in this order "
                     f"({fmt.weeks(weeks)} of {fmt.weeks(obs['capacity']['left'])} free)\n")
        for f in rest:
            t.append(f"  {f['title']} stays in Next: it does not fit or cannot start yet\n", style="dim")
        t.append("\n")

    # the team and the money
    cap, budget = obs["capacity"], obs["budget"]
    t.append("The team  ", style="bold")
    t.append(f"{fmt.weeks(cap['total'])} of engineering this quarter")
    if cap["committed"]:
        t.append(f" ({fmt.weeks(cap['committed'])} already planned in Now)")
    t.append(f" · research budget {fmt.money(budget['left'])}")
    nxt = budget.get("next_round")
    if nxt is not None and budget["left"] > nxt + 1e-9:
        t.append(f" (a discovery budget: {fmt.money(nxt)} next quarter; it does not carry over)\n", style="dim")
    else:
        t.append(" (it does not carry over)\n", style="dim")
    t.append(f"  {fmt.CAPACITY_SHORT}\n\n", style="dim")

    # the OKRs
    okrs = obs.get("okrs") or []
    if okrs:
        t.append("Your OKRs\n", style="bold underline")
        for o in okrs:
            t.append("  ")
            t.append_text(fmt.band_text(o["band"]))
            t.append(f" {o['objective']}", style="bold")
            t.append(f" ({o['kind']}, grade {o['grade']:.2f})\n", style="dim")
            for kr in o["key_results"]:
                seg = f" [{view.segment_name(kr['segment']).split(' (')[0]}]" if kr.get("segment") else ""
                t.append(f"      • {kr['description'] or kr['metric']}{seg}: "
                         f"{fmt.metric_value(kr['metric'], kr['value'])} now, "
                         f"target {fmt.metric_value(kr['metric'], kr['target'])}\n")
        t.append("\n")

    # the stakeholders
    t.append("Who you answer to\n", style="bold underline")
    for s in sorted(obs["stakeholders"], key=lambda s: -float(s.get("power", 0))):
        t.append(f"  {s['name']}", style="bold")
        t.append(f", {s['title']}  ")
        t.append_text(fmt.trust_text(float(s["trust"])))
        t.append(" trust")
        if s.get("agenda"):
            names = obs.get("_theme_names", {})
            t.append(f" · cares about {', '.join(names.get(a, a).lower() for a in s['agenda'])}", style="dim")
        t.append("\n")
    if lessons and (view.round == 1 or resumed):
        t.append("\nWhat this scenario teaches\n", style="bold underline")
        for lesson in lessons:
            t.append(f"  ▸ {lesson}\n")
    if footer:
        t.append(f"\n{footer}\n", style="dim")
    return t


class BriefingBody(Static):
    """The briefing's text."""


class BriefingScreen(ModalScreen[None]):
    """Over the game screen at the start of a game and of every quarter; enter starts."""

    BINDINGS = [
        Binding("enter,escape,space", "close", "Start the quarter", key_display="enter"),
        Binding("a", "next_to_now", "Move Next into Now"),
        Binding("up", "scroll(-1)", "Scroll", show=False),
        Binding("down", "scroll(1)", "Scroll", show=False),
    ]

    def __init__(self, view: GameView, *, lessons: tuple[str, ...] = (), resumed: bool = False,
                 footer: str = "") -> None:
        super().__init__()
        self.closed = False  # dismissed (keys still on their way here go on to the game screen)
        self.footer = footer
        self.game_view = view
        self.lessons = lessons
        self.resumed = resumed

    def compose(self) -> ComposeResult:
        with Vertical(id="briefing-box"):
            with VerticalScroll(id="briefing-scroll"):
                yield BriefingBody(briefing_text(self.game_view, lessons=self.lessons, resumed=self.resumed,
                                                 footer=self.footer),
                                   id="briefing-body")
            yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#briefing-scroll").focus()

    def action_scroll(self, step: int) -> None:
        self.query_one("#briefing-scroll", VerticalScroll).scroll_relative(y=step, animate=False)

    def action_close(self) -> None:
        if not self.closed:
            self.closed = True
            self.dismiss(None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "next_to_now":
            return bool(next_for_now(self.game_view)[0])
        return True

    def action_next_to_now(self) -> None:
        """a: the Next items that fit go into Now, in order (the app applies and saves each move)."""
        from pmsim.tui.widgets.roadmap import RoadmapPane

        fits, _ = next_for_now(self.game_view)
        for f in fits:
            self.app.post_message(RoadmapPane.PlanRequested(f["id"], "now"))
        self.notify(f"Moved into Now: {', '.join(f['title'] for f in fits)}.", timeout=3)
        self.action_close()

    async def on_key(self, event: events.Key) -> None:
        """A game key closes the briefing and does what it does on the game screen, at once. Keys
        typed in the same burst may still arrive here after it closed: they go on to the game screen
        too, in order (so `3 m` ends on Interviews, and nothing closes twice).

        The briefing's own enter, esc, space and `a` act here too, not by their bindings: a binding
        runs only once its key has bubbled up to the app, after keys typed behind it, so `enter e`
        closed the briefing after `e` had opened the commit dialog, and the enter committed it."""
        if not self.closed:
            if event.key in CLOSE_KEYS or (event.key == "a" and next_for_now(self.game_view)[0]):
                event.stop()
                event.prevent_default()
                if event.key == "a":
                    self.action_next_to_now()
                else:
                    self.action_close()
                return
            if event.key in OWN_KEYS or not event.is_printable:
                return
            self.action_close()
        event.stop()
        event.prevent_default()
        screen = self.app.screen
        if screen is self:
            return
        active = screen.active_bindings.get(event.key)
        if active is not None and active.enabled:
            # run as the game screen's own: a dialog the action opens answers the screen that is
            # handling a message when it is pushed, and this one is closed (its answer was lost:
            # `e` from the briefing opened a commit dialog whose enter ended nothing)
            handling = active_message_pump.set(screen)
            try:
                await self.app.run_action(active.binding.action, active.node)
            finally:
                active_message_pump.reset(handling)
