"""The pmsim Textual app: one factory, dependencies passed in.

    app = PmsimApp(store=SaveStore(url))            # title screen
    app = PmsimApp(store, start="continue")         # resume the latest game in progress
    app = PmsimApp(store, start="class", class_code="PM-7QK4", player="Ada")   # a new game in a class

Data flow (STYLE.md): widgets post messages up; the app turns them into engine actions, runs
them in a worker (the session autosaves each one before returning), re-reads the observation
and sets the new `GameView` on the game screen, which pushes it down into the panes. All
engine and storage work runs in one queue of thread workers, one job at a time, so input never
blocks and two actions never touch the session at once. The mentor and the tutorial's guide are
the app's settings, kept by its `Coach` (pmsim/tui/coach.py), never part of the game.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from textual import work
from textual.app import App
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen

from pmsim.textsafe import markup, name, plain
from pmsim.tui import fmt
from pmsim.tui.app_coach import CoachingMixin
from pmsim.tui.app_shared import SharedPlayMixin, WaitingStarted
from pmsim.tui.coach import Coach
from pmsim.tui.messages import (
    ActionApplied,
    ActionRefused,
    CatalogReady,
    GameOpened,
    ReplayLoaded,
    RoundResolved,
    SavesListed,
    ServiceFailed,
)
from pmsim.tui.palette import GameCommands
from pmsim.tui.players import continue_target, default_player  # noqa: F401  (importable from here too)
from pmsim.tui.screens.debrief import DebriefScreen
from pmsim.tui.screens.game import GameScreen
from pmsim.tui.screens.new_game import NewGameScreen
from pmsim.tui.screens.replay import ReplayScreen
from pmsim.tui.screens.report import RoundReportScreen
from pmsim.tui.screens.saves import SavesScreen
from pmsim.tui.screens.title import TitleScreen
from pmsim.tui.service import Catalog, GameService, GameView, ScenarioEntry, random_seed
from pmsim.tui.settings import Settings
from pmsim.tui.themes import HIGH_CONTRAST, THEMES
from pmsim.tui.widgets.inbox import InboxPane
from pmsim.tui.widgets.research import ResearchPane
from pmsim.tui.widgets.roadmap import RoadmapPane


@dataclass
class JobDone(Message):
    """A service job finished (its result message was posted first)."""


class PmsimApp(CoachingMixin, SharedPlayMixin, App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "pmsim"
    SUB_TITLE = "product-management internship simulator"
    COMMANDS = App.COMMANDS | {GameCommands}
    BINDINGS = [
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("t", "cycle_theme", "Theme"),
        Binding("w", "show_waiting", "", show=False),  # a shared market: who the quarter waits for (its screen says)
    ]

    def __init__(self, store: Any, *, catalog: Catalog | None = None, seed: int | None = None,
                 player: str | None = None, scenario_id: str | None = None, start: str = "title",
                 save_ref: int | str | None = None, theme: str | None = None,
                 extra_scenarios: list[ScenarioEntry] | None = None, mentor: bool | None = None,
                 class_code: str | None = None, settings: Settings | None = None,
                 company: str | None = None) -> None:
        """`store`: a SaveStore, or a function opening one (then opened by the first job, off the
        UI thread). `catalog`: the scenarios on offer (default: the built-ins, loaded when first
        needed, after `extra_scenarios`). `start`: title | new | play | continue | save | replay |
        tutorial | class (a new game in class `class_code`) | company (company `company` of shared class
        `class_code`). `mentor`: None = the player's setting, else
        on in the tutorial only. `settings`: the player's remembered settings (default: in memory only;
        `pmsim play` passes the file's)."""
        super().__init__()
        self.settings = settings if settings is not None else Settings()
        self.service = GameService(store)
        self.catalog = catalog
        self.extra_scenarios = list(extra_scenarios or [])
        self.seed = random_seed() if seed is None else seed
        self.player = player or self.settings.player or default_player()
        self.explicit_player = " ".join(player.split()) if player else None  # --player, for --continue
        self.scenario_id = scenario_id
        self.start = start
        self.save_ref = save_ref
        self.class_code = class_code
        self.company = company
        self.coach = Coach(mentor if mentor is not None else self.settings.mentor)
        self._theme_choice = theme or self.settings.theme
        self._ui_saved: dict[str, Any] | None = None  # the coach state last stored with the save
        self.view: GameView | None = None
        self.game_screen: GameScreen | None = None
        self._jobs: deque[Callable[[], Message | None]] = deque()
        self._job_active = False
        self.jobs_done = 0  # service jobs finished so far (tests and benchmarks wait on it)

    # ------------------------------------------------------------------ start-up
    def on_mount(self) -> None:
        self.register_theme(HIGH_CONTRAST)
        self.theme = self._theme_choice or "textual-dark"
        if self.start == "continue":
            self.action_continue_game()
        elif self.start == "save" and self.save_ref is not None:
            self.open_save(int(self.save_ref))
        elif self.start == "replay" and self.save_ref is not None:
            self.open_replay(self.save_ref)
        elif self.start == "play":
            self.start_game(self.scenario_id, self.seed, self.player)
        elif self.start == "tutorial":
            self.action_tutorial()
        elif self.start == "class" and self.class_code:
            self.start_class_game(self.class_code, self.player)
        elif self.start == "company" and self.class_code and self.company:
            self.start_company_game(self.class_code, self.company, self.player)
        elif self.start == "new":
            self.action_new_game()
        else:
            self.action_title()

    # ------------------------------------------------------------------ the job queue
    @property
    def idle(self) -> bool:
        return not self._job_active and not self._jobs

    def submit(self, job: Callable[[], Message | None]) -> None:
        """Run `job` in a worker after the ones already queued; it returns the message to post."""
        self._jobs.append(job)
        self._pump()

    def _pump(self) -> None:
        if self._job_active or not self._jobs:
            return
        self._job_active = True
        self._busy(True)
        self._run_job(self._jobs.popleft())

    @property
    def store(self) -> Any:
        """The SaveStore (opens it if it was passed as a function: call from jobs only)."""
        return self.service.store

    def catalog_now(self) -> Catalog:
        """The scenarios, loaded on first use (call from jobs only)."""
        if self.catalog is None:
            self.catalog = Catalog.builtin(self.extra_scenarios)
        return self.catalog

    @work(thread=True, exclusive=True, group="service")
    def _run_job(self, job: Callable[[], Message | None]) -> None:
        from pmsim.storage.errors import (
            DatabaseUnavailable,
            NotAPmsimDatabase,
            SchemaTooNew,
            StorageError,
        )

        try:
            msg = job()
        except DatabaseUnavailable as e:
            # once a game is open the database worked: disk full, a server outage or a lock timeout
            # is transient, so the player may retry (nothing was applied) instead of being thrown out
            if self.view is not None:
                msg = ServiceFailed(str(e), retry=job)
            else:
                msg = ServiceFailed(str(e), fatal=True)
        except StorageError as e:
            msg = ServiceFailed(str(e), fatal=isinstance(e, NotAPmsimDatabase | SchemaTooNew))
        except Exception as e:  # an engine or storage bug: say so, keep the app alive
            self.log.error(f"service job failed: {e!r}")
            msg = ServiceFailed(f"Something went wrong: {type(e).__name__}: {e}")
        if msg is not None:
            self.post_message(msg)
        self.post_message(JobDone())

    def on_job_done(self, _: JobDone) -> None:
        self._job_active = False
        self.jobs_done += 1
        self._busy(False)
        self._pump()

    def _busy(self, busy: bool) -> None:
        if self.game_screen is not None and self.game_screen.is_attached:
            self.game_screen.busy = busy

    # ------------------------------------------------------------------ screens
    def goto(self, screen: Screen) -> None:
        """Make `screen` the one screen above the default one (dialogs close)."""
        while len(self.screen_stack) > 2:
            self.pop_screen()
        if len(self.screen_stack) == 2:
            self.switch_screen(screen)
        else:
            self.push_screen(screen)

    def action_title(self) -> None:
        self.game_screen = None
        self.coach.game_closed()
        self.goto(TitleScreen())

    # q reads "Title" here and "Leave" on the class server (whose title is its join screen): the
    # actions whose keys an app neither shows nor runs are in HIDDEN_ACTIONS; esc goes there too
    def action_leave(self) -> None:
        self.action_title()

    action_back = action_leave
    HIDDEN_ACTIONS: frozenset[str] = frozenset({"leave"})
    REPLAYS = True  # whether a finished game offers its replay (not on the class server)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in self.HIDDEN_ACTIONS:
            return False
        return super().check_action(action, parameters)

    def action_new_game(self) -> None:
        self.submit(lambda: CatalogReady(self.catalog_now()))

    def on_catalog_ready(self, m: CatalogReady) -> None:
        self.goto(NewGameScreen(m.catalog, self.seed, self.player, self.scenario_id))

    def action_help(self) -> None:
        from pmsim.tui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(self.help_sections()))

    def action_cycle_theme(self) -> None:
        i = THEMES.index(self.theme) if self.theme in THEMES else -1
        self.theme = THEMES[(i + 1) % len(THEMES)]
        self.settings.update(theme=self.theme)
        self.notify(f"Theme: {self.theme} (remembered)" if self.settings.path else f"Theme: {self.theme}",
                    timeout=1.5)
        self._settings_problem()

    def _settings_problem(self) -> None:
        if self.settings.problem:
            self.notify(self.settings.problem, severity="warning", timeout=6)
            self.settings.problem = None

    def help_sections(self) -> list[tuple[str, list[Binding]]]:
        from pmsim.tui.screens.help import sections

        return sections(type(self))

    def palette_commands(self, screen: Screen) -> list[tuple[str, str, Callable[[], Any]]]:
        from pmsim.tui.palette import app_commands

        return app_commands(self, screen)

    # ------------------------------------------------------------------ opening games
    def remember_player(self, player: str) -> None:
        self.player = player
        self.settings.update(player=player)
        self._settings_problem()

    def start_game(self, scenario_id: str | None, seed: int, player: str) -> None:
        self.seed, self.scenario_id = seed, scenario_id
        self.remember_player(player)

        def job() -> Message:
            cat = self.catalog_now()
            entry = cat.get(scenario_id) if scenario_id else cat.entries[0]
            return GameOpened(self.service.start(entry, seed, player))

        self.submit(job)

    def start_class_game(self, code: str, player: str) -> None:
        """A new save in a class; an unknown code ends the app with the one-line reason (exit 2)."""
        from pmsim.storage.errors import ClassNotFound

        self.remember_player(player)

        def job() -> Message:
            try:
                return GameOpened(self.service.start_class(code, player))
            except ClassNotFound as e:
                return ServiceFailed(str(e), fatal=True)

        self.submit(job)

    def open_save(self, save_id: int) -> None:
        self.submit(lambda: GameOpened(self.service.resume(save_id), resumed=True, ui=self.store.ui_state(save_id)))

    def action_continue_game(self) -> None:
        def job() -> Message:
            latest = continue_target(self.service.saves(), self.explicit_player)
            if latest is None or latest.id is None:
                whose = f" of {self.explicit_player}" if self.explicit_player else ""
                return ServiceFailed(f"No game{whose} in progress to continue: press n for a new game.")
            return GameOpened(self.service.resume(latest.id), resumed=True, ui=self.store.ui_state(latest.id))

        self.submit(job)

    def action_open_saves(self, purpose: str) -> None:
        self.submit(lambda: SavesListed(self.service.saves(), purpose))

    def refresh_latest(self) -> None:
        self.submit(lambda: SavesListed(self.service.saves(), "title"))

    def open_replay(self, target: int | str) -> None:
        from pmsim.tui.replay_data import load_replay

        self.submit(lambda: ReplayLoaded(load_replay(self.store, target)))

    def on_game_opened(self, m: GameOpened) -> None:
        self.view = m.view
        self.coach.game_opened(m.view, m.ui)
        self._ui_saved = m.ui
        if m.view.finished:
            self.game_screen = None
            self.goto(DebriefScreen(m.view))
        else:
            self.game_screen = GameScreen(m.view, self.coach.state())
            self.goto(self.game_screen)
            if not self.shared_opened(m.view):
                self.brief(m.view, resumed=m.resumed)
        if m.view.read_only and not m.view.waiting:  # a waiting company: its screen says why
            self.notify(f"Opened read-only: {markup(m.view.problem or '')}", severity="error", timeout=10)

    def on_saves_listed(self, m: SavesListed) -> None:
        if m.purpose == "title":
            if isinstance(self.screen, TitleScreen):
                self.screen.first_run = not m.saves
                t = continue_target(m.saves, self.explicit_player)
                self.screen.latest = (f"c continues save {t.id}: {name(t.player)}, {fmt.short_title(t.scenario_title)} "
                                      f"({name(t.scenario_id)}), round {t.round}") if t else ""
            return
        self.goto(SavesScreen(m.saves, m.purpose))

    def on_saves_screen_save_chosen(self, m: SavesScreen.SaveChosen) -> None:
        if m.purpose == "load":
            self.open_save(m.save_id)
        elif m.purpose == "replay":
            self.open_replay(m.save_id)
        elif m.purpose == "delete":
            def job() -> Message:
                self.store.delete(m.save_id)
                return SavesListed(self.service.saves(), "load")

            self.submit(job)

    def on_replay_loaded(self, m: ReplayLoaded) -> None:
        self.game_screen = None
        self.goto(ReplayScreen(m.replay))

    def on_replay_screen_fork_requested(self, m: ReplayScreen.ForkRequested) -> None:
        def job() -> Message:
            target: int | str = int(m.target) if m.target.isdigit() else m.target
            new_id = self.store.fork(target, m.round)
            return GameOpened(self.service.resume(new_id), resumed=True)

        self.submit(job)

    def on_new_game_screen_game_requested(self, m: NewGameScreen.GameRequested) -> None:
        self.start_game(m.scenario_id, m.seed, m.player)

    # ------------------------------------------------------------------ actions
    def request(self, action: Any) -> None:
        """Apply `action` after any queued ones; the view updates when it is saved."""
        from pmsim.engine import EndRound, IllegalAction

        if self.view is None:
            return
        if self.view.read_only:
            self.notify(markup(self.view.locked_text), severity="warning" if self.view.waiting else "error")
            return

        seen = self.view.round  # the quarter on screen (a shared market's may resolve meanwhile)

        def job() -> Message:
            before = self.view
            try:
                result = self.service.apply(action, seen)
            except IllegalAction as e:
                return ActionRefused(action, before.in_words(e.message) if before is not None else e.message)
            view = self.service.view()
            if isinstance(action, EndRound):
                if result is None and view.obs.get("committed"):  # a shared market: others still play
                    return WaitingStarted(view, before or view)
                from pmsim.tui.screens.report import body_width, report_body

                width = body_width(self.size.width)
                body = (width, report_body(result or {}, before or view, view, width))
                return RoundResolved(result or {}, view, before or view, body)
            return ActionApplied(action, result, view)

        self.submit(job)

    def on_roadmap_pane_plan_requested(self, m: RoadmapPane.PlanRequested) -> None:
        from pmsim.engine import Plan

        self.request(Plan(m.feature, m.slot, m.position))  # type: ignore[arg-type]

    def on_roadmap_pane_unplan_requested(self, m: RoadmapPane.UnplanRequested) -> None:
        from pmsim.engine import Unplan

        self.request(Unplan(m.feature))

    def on_inbox_pane_response_chosen(self, m: InboxPane.ResponseChosen) -> None:
        from pmsim.engine import Respond

        self.request(Respond(m.request, m.response, m.reason, m.rationale))  # type: ignore[arg-type]

    def on_inbox_pane_renegotiation_chosen(self, m: InboxPane.RenegotiationChosen) -> None:
        from pmsim.engine import Renegotiate

        self.request(Renegotiate(m.request, m.new_deadline, m.reason, m.rationale))

    def on_research_pane_study_chosen(self, m: ResearchPane.StudyChosen) -> None:
        self.request(m.action)

    def on_game_screen_roadmap_committed(self, m: GameScreen.RoadmapCommitted) -> None:
        from pmsim.engine import EndRound

        self.request(EndRound(m.rationale))

    def set_view(self, view: GameView) -> None:
        self.view = view
        if self.game_screen is not None:
            self.game_screen.view = view
        self._coached(self.coach.update(view))

    def on_action_applied(self, m: ActionApplied) -> None:
        self.set_view(m.view)
        if m.result is not None and m.result.get("summary"):
            self.notify(m.view.research_summary(m.result), title="Research result", timeout=4)

    def on_action_refused(self, m: ActionRefused) -> None:
        self.notify(markup(m.reason), title="Not possible", severity="warning", timeout=4)

    def on_service_failed(self, m: ServiceFailed) -> None:
        if m.retry is not None:
            from pmsim.tui.screens.dialogs import FaultDialog

            def answered(retry: bool | None) -> None:
                if retry:
                    self.submit(m.retry)
                else:
                    from rich.text import Text

                    self.exit(return_code=2, message=Text(plain(m.message)))

            self.push_screen(FaultDialog(m.message), answered)
            return
        if m.fatal:
            from rich.text import Text

            self.exit(return_code=2, message=Text(plain(m.message)))  # printed as text, never as markup
            return
        self.notify(markup(m.message), severity="error", timeout=8)
        if len(self.screen_stack) <= 1:
            # nothing is shown yet: the save (or game) asked for at start-up did not open. A blank screen
            # whose keys did nothing sat under the message; the title's keys work (load another save)
            self.action_title()

    def on_round_resolved(self, m: RoundResolved) -> None:
        self.end_waiting()
        self.set_view(m.view)
        self.push_screen(RoundReportScreen(m.report, m.before, m.view, m.body, guide=self.coach.report_line()))

    def on_round_report_screen_report_shown(self, m: RoundReportScreen.ReportShown) -> None:
        self._coached(self.coach.report_read())
        if m.finished and self.view is not None:
            self.game_screen = None
            self.goto(DebriefScreen(self.view))
        elif self.view is not None:
            self.brief(self.view)

    def brief(self, view: GameView, resumed: bool = False) -> None:
        """The briefing over the game screen: at the start of a game (new or resumed) and of every quarter."""
        from pmsim.tui.screens.briefing import BriefingScreen

        company = view.obs.get("company")
        where = (f"{name(company)} in class {view.obs['class_code']}" if company else f"save {view.save_id}") + \
            f", quarter {view.round} of {view.rounds}"
        keys = "? lists the keys, i explains what is highlighted"
        if not self.coach.in_class:
            keys += ", M " + ("hides" if self.coach.mentor_on else "turns on") + " the mentor"
        if view.round == 1 or resumed:
            hello = (f"Welcome back, {view.player} ({where})." if resumed else
                     f"Welcome, {view.player}. Every action is saved ({where}).")
            footer = f"{hello} {keys}."
        else:
            footer = f"Every action is saved ({where}). {keys}."
        self.push_screen(BriefingScreen(view, lessons=view.lessons, resumed=resumed, footer=footer))
