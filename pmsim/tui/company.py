"""One company of a shared-market class, as the TUI's game service plays it (issue 14).

`CompanyPlay` reads like a `GameSession` to `GameService` and `build_view` (`.game`, `.save_id`,
`.read_only`, `.problem`, `.apply`), but every action goes through the database
(`shared_market.act`, under the market's lock). After its EndRound the company waits for the
others: its plan can be read but not changed (`read_only`), and `poll()` (once a second, from the
app's timer while the company is open) reads who has ended the quarter, and catches the market
up when others have acted: a teammate's action, or the quarter resolved by the last company's
commit or the instructor's `class advance`.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pmsim.engine.actions import Action
    from pmsim.storage.saves import SaveStore
    from pmsim.storage.shared_market import MarketStatus


@dataclass(frozen=True)
class Waiting:
    """Who the quarter still waits for (from `class status`), for the waiting screen."""

    code: str
    company: str
    round: int
    waiting: tuple[str, ...]  # the companies that have not ended the quarter
    ended: tuple[str, ...]

    @property
    def n(self) -> int:
        return len(self.waiting)


def check_company(store: SaveStore, code: str, company: str | None) -> str:
    """The company's name as the class spells it, or StorageError with the one-line reason to
    refuse it: a class that is not shared (or is and needs a company), finished, from another
    engine, or without that company. Reads only, changes nothing."""
    from pmsim.storage import shared_market as sm
    from pmsim.storage.errors import StorageError

    try:
        st = sm.status(store, code)
    except sm.NotShared:
        if company is None:
            raise
        raise StorageError(f"class {store.get_class(code).code} is not a shared market: "
                           "leave out --company to play it") from None
    names = [c.name for c in st.companies]
    if company is None:
        raise StorageError(f"class {st.code} is a shared market: choose your company with --company NAME "
                           f"(one of {', '.join(names)})")
    if st.finished:
        raise StorageError(f"class {st.code} is finished (all {st.round} quarters resolved): nothing left to "
                           f"play; see `pmsim class status {st.code}`")
    key = sm._key(company)
    for n in names:
        if sm._key(n) == key:
            sm.load(store, code)  # refused here if the class is from another engine (or damaged)
            return n
    raise StorageError(f"class {st.code} has no company {company!r}: its companies are {', '.join(names)}")


@dataclass(frozen=True)
class Polled:
    waiting: Waiting | None  # who the quarter waits for, while this company has ended it
    report: dict[str, Any] | None  # the round report, when the quarter it was in has resolved
    changed: bool  # the market moved (someone acted): the view is rebuilt
    advanced: bool = False  # the quarter resolved without this company ending it (class advance)


class CompanyPlay:
    """Company `company` of class `code`, played by one player through the database."""

    def __init__(self, store: SaveStore, code: str, company: str) -> None:
        from pmsim.storage import shared_market as sm

        self.store = store
        self._seen = sm.status(store, code).n_actions  # read first: a newer load only costs a refresh
        self.session = sm.CompanySession(store, code, company)
        self.company = self.session.game.name
        klass = store.get_class(code)
        self.code, self.class_id = klass.code, klass.id
        self._at = (self.market.round, self.committed)  # the quarter shown, and whether it was ended
        self.save_id = klass.id  # a shared class has no save of its own: the class is the record

    @property
    def game(self) -> Any:
        return self.session.game

    @property
    def market(self) -> Any:
        return self.session.market

    @property
    def committed(self) -> bool:
        return not self.market.finished and self.session.committed

    @property
    def read_only(self) -> bool:
        return self.committed

    @property
    def problem(self) -> str | None:
        if not self.committed:
            return None
        n = self.market.waiting_for()
        return (f"you have ended quarter {self.market.round}: waiting for {n} other "
                f"compan{'y' if n == 1 else 'ies'} (w shows who)")

    def apply(self, action: Action, round_seen: int | None = None) -> dict[str, Any] | None:
        """Stored through the database under the market's lock (shared_market.act); None after an
        EndRound that leaves the quarter waiting for other companies. With `round_seen` (the
        quarter on the player's screen), refused once that quarter has resolved meanwhile."""
        try:
            return self.session.apply(action, round_seen)
        finally:
            self._at = (self.market.round, self.committed)

    def __getattr__(self, name: str) -> Any:
        """Reads like the company's game (`state`, `is_legal`, `legal_actions`...), so a bot plays
        through the service as a player does (pmsim.engine.bots.play_round)."""
        session = self.__dict__.get("session")
        if session is None:
            raise AttributeError(name)
        return getattr(session, name)

    def shared_obs(self) -> dict[str, Any]:
        """What the dashboard adds for a shared market: the rivals' observable moves."""
        c = self.game.index
        return {"rivals": self.market.rivals(c), "rival_shares": self.market.rival_shares(c),
                "waiting_for": self.market.waiting_for(),
                "committed": self.committed, "company": self.company, "class_code": self.code}

    def waiting(self, st: MarketStatus | None = None) -> Waiting:
        from pmsim.storage import shared_market as sm

        st = st or sm.status(self.store, self.code)
        return Waiting(st.code, self.company, st.round, tuple(c.name for c in st.companies if not c.committed),
                       tuple(c.name for c in st.companies if c.committed))

    def poll(self) -> Polled:
        """What changed in the database since the last look: nothing (then only who the quarter
        waits for, if this company waits); other players' actions (the market caught up: a
        teammate's plan shows); or the quarter this company was in resolved (the last company
        ended it, or the instructor's `class advance`): its round report."""
        from pmsim.storage import shared_market as sm

        st = sm.status(self.store, self.code)
        if st.n_actions == self._seen:
            return Polled(self.waiting(st) if self.committed else None, None, False)
        r, waited = self._at  # as last shown (the market object may be shared in this process)
        self.session.refresh()
        self._seen = st.n_actions
        self._at = (self.market.round, self.committed)
        if self.market.round == r and not self.market.finished:
            return Polled(self.waiting(st) if self.committed else None, None, True)
        reports = self.game.state.reports
        report = next((x for x in reports if x["round"] == r), reports[-1] if reports else {})
        return Polled(None, copy.deepcopy(report), True, advanced=not waited)
