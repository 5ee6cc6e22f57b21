"""The TUI's game service: the engine and storage behind one small API, used only from workers.

`GameService` owns the live `GameSession` (which autosaves every action). Its methods are called
from one worker at a time (the app serializes them), never from widgets. `view()` turns the game
into a `GameView`: plain data (the engine's observation plus the research menu with costs and a
few derived look-ups) that the app pushes down into the widgets.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pmsim.reports.studies import METHOD_INFO
from pmsim.tui import fmt

if TYPE_CHECKING:
    from pmsim.engine import Action, Game
    from pmsim.scenario.models import Scenario
    from pmsim.storage.records import SaveInfo
    from pmsim.storage.saves import SaveStore
    from pmsim.storage.session import GameSession

MAX_SEED = 2**63 - 1


def random_seed() -> int:
    """A fresh seed for a new game (shown and editable; the game itself is deterministic)."""
    return secrets.randbelow(1_000_000)


# ---------------------------------------------------------------------------- scenarios
@dataclass(frozen=True)
class ScenarioEntry:
    """One scenario the player can pick: its text (stored with the save) and its header."""

    id: str
    title: str
    summary: str
    difficulty: str
    rounds: int
    lessons: tuple[str, ...]
    text: str
    source: str
    scenario: Scenario = field(repr=False, compare=False)

    @classmethod
    def from_text(cls, text: str, source: str = "<scenario>") -> ScenarioEntry:
        from pmsim.scenario.loader import load_scenario_text

        sc = load_scenario_text(text, source)
        return cls(
            id=sc.meta.id, title=sc.meta.title, summary=" ".join(sc.meta.summary.split()),
            difficulty=sc.meta.difficulty, rounds=sc.rounds, lessons=tuple(sc.meta.lessons),
            text=text, source=source, scenario=sc,
        )

    @property
    def population(self) -> int:
        return self.scenario.market.population

    def facts(self) -> str:
        sc = self.scenario
        return (f"{self.rounds} quarters · {self.difficulty} · {fmt.num(sc.market.population)} potential customers"
                f" in {len(sc.market.segments)} segments · {len(sc.features)} backlog items ·"
                f" {len(sc.stakeholders)} stakeholders")


class Catalog:
    """The scenarios on offer. Built-in by default; tests and `--scenario PATH` add their own."""

    def __init__(self, entries: list[ScenarioEntry]) -> None:
        if not entries:
            raise ValueError("a catalog needs at least one scenario")
        self.entries = list(entries)

    @classmethod
    def builtin(cls, first: list[ScenarioEntry] | None = None) -> Catalog:
        """The built-in scenarios (the default one first), after the entries in `first`."""
        from pmsim.scenario.builtin import DEFAULT_SCENARIO, builtin_paths

        first = list(first or [])
        taken = {e.id for e in first}
        entries = [ScenarioEntry.from_text(p.read_text(encoding="utf-8"), str(p)) for p in builtin_paths()]
        entries.sort(key=lambda e: (e.id != DEFAULT_SCENARIO, e.id))
        return cls(first + [e for e in entries if e.id not in taken])

    @staticmethod
    def load_one(id_or_path: str) -> ScenarioEntry:
        """A built-in id or a scenario file, loaded (raises ScenarioError with lines to show)."""
        from pmsim.scenario.builtin import resolve

        path = resolve(id_or_path)
        return ScenarioEntry.from_text(Path(path).read_text(encoding="utf-8"), str(path))

    def get(self, scenario_id: str) -> ScenarioEntry:
        for e in self.entries:
            if e.id == scenario_id:
                return e
        raise KeyError(scenario_id)

    def index(self, scenario_id: str | None) -> int:
        for i, e in enumerate(self.entries):
            if e.id == scenario_id:
                return i
        return 0


# ---------------------------------------------------------------------------- views
@dataclass(frozen=True)
class StudyOption:
    """One research study on offer this round, with what it costs and whether it can be bought."""

    action: Any  # pmsim.engine.Research
    target: str
    size: str
    money: float
    weeks: float
    why_not: str | None  # the engine's reason it is not possible now, or None

    @property
    def cost_text(self) -> str:
        return fmt.weeks(self.weeks) if self.weeks else fmt.money(self.money)


@dataclass(frozen=True)
class GameView:
    """Everything the game screen shows, as plain data, rebuilt after every action."""

    obs: dict[str, Any]
    save_id: int
    player: str
    read_only: bool
    problem: str | None
    studies: dict[str, list[StudyOption]]
    okr_prev: list[dict[str, Any]]
    summary: str
    debrief: dict[str, Any] | None = None
    advice: tuple[Any, ...] = ()  # the mentor's advice on this plan (pmsim.engine.mentor.Advice)
    class_id: int | None = None  # the class this game is played in, if any
    lessons: tuple[str, ...] = ()  # what the scenario teaches (its file's meta.lessons)

    @property
    def scenario_id(self) -> str:
        return str(self.obs["scenario"]["id"])

    @property
    def round(self) -> int:
        return int(self.obs["round"])

    @property
    def rounds(self) -> int:
        return int(self.obs["scenario"]["rounds"])

    @property
    def finished(self) -> bool:
        return bool(self.obs["finished"])

    @property
    def title(self) -> str:
        return fmt.short_title(self.obs["scenario"]["title"])

    def feature(self, fid: str) -> dict[str, Any]:
        for f in self.obs["features"]:
            if f["id"] == fid:
                return f
        raise KeyError(fid)

    def feature_title(self, fid: str) -> str:
        try:
            return self.feature(fid)["title"]
        except KeyError:
            return fid

    def in_words(self, text: str) -> str:
        """An engine message in the player's words: the ids it names ('product_tour', "depends on
        comments", request 'r4') become what the screens show ("Interactive product tour", "this
        request"). A title already in the message is left alone, even if it holds an id's word."""
        import re

        titles = {f["id"]: f["title"] for f in self.obs["features"]}
        requests = {q["id"] for q in self.obs["requests"]}
        kept = [m.span() for t in set(titles.values()) for m in re.finditer(re.escape(t), text)]
        ids = "|".join(re.escape(i) for i in sorted(titles, key=len, reverse=True)) or r"(?!)"
        pattern = re.compile(rf"(request )?'([^'\s]+)'|(?<![\w'])({ids})(?![\w'])")

        def sub(m: re.Match[str]) -> str:
            if any(a <= m.start() < b for a, b in kept):
                return m.group(0)
            word = m.group(2) if m.group(2) is not None else m.group(3)
            if word in titles:
                return (m.group(1) or "") + titles[word]
            if m.group(1) and word in requests:
                return "this request"
            return m.group(0)

        text = pattern.sub(sub, text)
        return text[:1].upper() + text[1:]

    def stakeholder(self, sid: str) -> dict[str, Any]:
        for s in self.obs["stakeholders"]:
            if s["id"] == sid:
                return s
        return {"id": sid, "name": sid, "title": "", "role": "", "trust": 0.0, "power": 0.0}

    def segment_name(self, seg_id: str) -> str:
        return self.segment_names.get(seg_id, seg_id)

    def research_summary(self, r: dict[str, Any]) -> str:
        """A research result's one-line summary (the engine names segments and themes)."""
        text = str(r.get("summary", ""))
        return fmt.humanize(text)

    @property
    def segment_names(self) -> dict[str, str]:
        return self.obs.get("_segment_names", {})

    @property
    def open_requests(self) -> list[dict[str, Any]]:
        return [q for q in self.obs["requests"] if q["status"] in ("open", "deferred") and q["round"] <= self.round]

    @property
    def score(self) -> float:
        return float(self.obs["score"]["score"])

    @property
    def waiting(self) -> bool:
        """A shared market's company that has ended the quarter: its plan can be read, not changed."""
        return bool(self.obs.get("committed"))

    @property
    def locked_text(self) -> str:
        """Why nothing can be changed now (a read-only view), in one line."""
        return f"Your plan is committed: {self.problem}" if self.waiting else f"This save is read-only: {self.problem}"


def build_view(session: GameSession | Any, player: str = "", class_id: int | None = None) -> GameView:
    """The view of a live session (or anything with `.game`, `.save_id`, `.read_only`). The mentor's
    advice is computed here, in the worker, from the observation alone (it costs well under 1 ms)."""
    from pmsim.engine.mentor import advise
    from pmsim.engine.scoring import okr_grades

    game: Game = session.game
    obs = game.observe()
    advice = tuple(advise(obs))
    sc = game.scenario
    obs["_segment_names"] = {s.id: s.name for s in sc.market.segments}
    obs["_competitor_names"] = {c.id: c.name for c in sc.market.competitors}
    obs["_theme_names"] = {t.id: t.name for t in sc.market.themes}
    prev: list[dict[str, Any]] = []
    if sc.okrs and len(obs["metrics"]) >= 2:  # last quarter's grades, on what the player saw then
        prev = okr_grades(game, obs["metrics"][-2])
    return GameView(
        obs=obs, save_id=session.save_id, player=player,
        read_only=bool(getattr(session, "read_only", False)), problem=getattr(session, "problem", None),
        studies={} if game.finished else study_menu(game), okr_prev=prev,
        summary=" ".join(sc.meta.summary.split()),
        debrief=game.debrief() if game.finished else None, advice=advice, class_id=class_id,
        lessons=tuple(sc.meta.lessons),
    )


def study_menu(game: Game) -> dict[str, list[StudyOption]]:
    """Every study on offer, by method, with its cost and the engine's verdict on buying it now."""
    from pmsim.engine import IllegalAction
    from pmsim.engine.observe import research_options
    from pmsim.engine.research import cost

    seg_names = {s.id: s.name for s in game.scenario.market.segments}
    titles = {f.id: f.title for f in game.scenario.features}
    out: dict[str, list[StudyOption]] = {m: [] for m in METHOD_INFO}
    for a in research_options(game):
        try:
            game.check(a)
            why = None
        except IllegalAction as e:
            why = e.message
        money, weeks = cost(game, a)
        if a.method in ("survey", "interviews"):
            target = seg_names.get(a.segment or "", a.segment or "")
        elif a.method == "competitive_analysis":
            target = "all competitors"
        else:
            target = titles.get(a.feature or "", a.feature or "")
        if a.method == "survey":
            size = f"n={a.n}"
        elif a.method == "interviews":
            size = f"{a.n} ppl"
        elif a.method == "usability_test":
            size = f"{a.n} users"
        elif a.method == "ab_test":
            size = f"{a.n // 1000}k/arm"
        else:
            size = "—"
        out.setdefault(a.method, []).append(StudyOption(a, target, size, money, weeks, why))
    return out


# ---------------------------------------------------------------------------- service
class GameService:
    """Storage + the live session. Not thread-safe: the app calls it from one worker at a time.

    `store` is a SaveStore, or a function that opens one: then the database (and SQLAlchemy) is
    opened by the first job, in a worker, so the first screen does not wait for it.
    """

    def __init__(self, store: SaveStore | Callable[[], SaveStore]) -> None:
        self._store: SaveStore | None = store if hasattr(store, "append_action") else None  # type: ignore[assignment]
        self._open = None if self._store is not None else store
        self.session: GameSession | None = None
        self.player = ""
        self.class_id: int | None = None

    @property
    def store(self) -> SaveStore:
        if self._store is None:
            assert self._open is not None
            self._store = self._open()  # type: ignore[operator]
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()

    def start(self, entry: ScenarioEntry, seed: int, player: str) -> GameView:
        from pmsim.storage.session import GameSession

        self.session = GameSession.start(self.store, entry.text, seed, player, scenario=entry.scenario)
        self.player = player
        self.class_id = None
        return self.view()

    def start_class(self, code: str, player: str) -> GameView:
        """A new save in class `code` (its scenario and seed). Raises ClassNotFound (one line)."""
        from pmsim.storage.session import GameSession

        self.session = GameSession.start_class(self.store, code, player)
        self.player = player
        self.class_id = self.session.class_info.id if self.session.class_info else None
        return self.view()

    def start_company(self, code: str, company: str, player: str) -> GameView:
        """Company `company` of shared-market class `code`, played through the database (see
        pmsim/tui/company.py). Raises StorageError (one line) for a company it cannot play."""
        from pmsim.tui.company import CompanyPlay, check_company

        name = check_company(self.store, code, company)
        self.session = CompanyPlay(self.store, code, name)  # type: ignore[assignment]
        self.player = player
        self.class_id = self.session.class_id  # type: ignore[union-attr]
        return self.view()

    def resume(self, save_id: int) -> GameView:
        from pmsim.storage.session import GameSession

        self.session = GameSession.resume(self.store, save_id)
        info = self.store.info(save_id)
        self.player = info.player
        self.class_id = info.class_id
        return self.view()

    def apply(self, action: Action, round_seen: int | None = None) -> dict[str, Any] | None:
        """`round_seen`: the quarter the player was looking at; a shared market's company refuses the
        action if that quarter resolved meanwhile (a solo game's quarter never moves on its own)."""
        if self.session is None:
            raise RuntimeError("no game is open")
        if round_seen is not None and hasattr(self.session, "poll"):
            return self.session.apply(action, round_seen)  # type: ignore[call-arg]
        return self.session.apply(action)

    def view(self) -> GameView:
        if self.session is None:
            raise RuntimeError("no game is open")
        view = build_view(self.session, self.player, self.class_id)
        shared = getattr(self.session, "shared_obs", None)
        if shared is not None:  # a company of a shared market: its rivals' observable moves
            view.obs.update(shared())
        return view

    def saves(self) -> list[SaveInfo]:
        return list(reversed(self.store.list()))

    def latest_in_progress(self, player: str | None = None) -> SaveInfo | None:
        rows = [s for s in self.store.list() if s.status == "in_progress" and (player is None or s.player == player)]
        if not rows:
            return None
        return max(rows, key=lambda s: (s.updated_at.timestamp() if s.updated_at else 0.0, s.id or 0))
