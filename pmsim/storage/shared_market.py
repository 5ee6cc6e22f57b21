"""A shared-market class in the database (issue 14): companies, their actions, resolved quarters.

Every action of every company goes through `act` (and the instructor's `advance`), inside one
write transaction that first locks the market: PostgreSQL's row lock on its `shared_markets`
row (SELECT ... FOR UPDATE), SQLite's write lock (BEGIN IMMEDIATE, see db.write_engine). Under
the lock the process brings its copy of the market up to date from the stored actions, checks
the action on it, stores it, and when the action ends the quarter for the last company, stores
the resolved quarter with its joint state hash. So actions are serialized through the database
and a quarter resolves exactly once, whichever process gets there first; the `shared_rounds`
key (class, round) would refuse a second resolution even so.

The market itself is never stored: it is a pure function of (scenario, seed, companies, actions
in order), rebuilt by replay (`load`) and checked against every stored quarter's hash.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from pmsim.storage.db import db_errors
from pmsim.storage.errors import ClassNotFound, StorageError
from pmsim.storage.models import SharedActionRow, SharedCompanyRow, SharedMarketRow, SharedRoundRow
from pmsim.storage.records import ClassInfo, canonical_json
from pmsim.storage.rows import _load_scenario, _now, _utc
from pmsim.storage.shared_status import CompanyStatus, MarketStatus, RoundStatus

if TYPE_CHECKING:
    from pmsim.engine.actions import Action
    from pmsim.engine.shared import SharedGame
    from pmsim.storage.saves import SaveStore

MAX_COMPANY_NAME = 60
ADVANCED = "(ended by the instructor)"


class NotShared(StorageError):
    """The class exists but is not a shared market."""


class AlreadyResolved(StorageError):
    """`advance` was asked for a quarter that has already resolved (by another process, say)."""

    exit_code = 0


@dataclass(frozen=True)
class Acted:
    """What `act` or `advance` did: the round report (the acting company's, or None while others
    have not ended the quarter) and the quarter it resolved, if it did."""

    result: dict[str, Any] | None
    resolved: int | None
    seq: int


def company_names(n: int) -> list[str]:
    return [f"Company {i + 1}" for i in range(n)]


def _key(name: str) -> str:
    return " ".join(str(name).split()).casefold()


def create(store: SaveStore, name: str, scenario_text: str, seed: int, companies: list[str], *,
           scenario: Any = None) -> ClassInfo:
    """A new class whose `companies` share one market of `scenario_text` on `seed`."""
    from pmsim.engine.shared import MAX_COMPANIES, SharedGame
    from pmsim.engine.state import ENGINE_VERSION
    from pmsim.textsafe import check_name

    if not 2 <= len(companies) <= MAX_COMPANIES:
        raise StorageError(f"a shared market needs 2 to {MAX_COMPANIES} companies, not {len(companies)}")
    clean = []
    for c in companies:
        try:
            clean.append(check_name(c, "company name", MAX_COMPANY_NAME))
        except ValueError as e:
            raise StorageError(str(e)) from None
    if len({_key(c) for c in clean}) != len(clean):
        raise StorageError("two companies have the same name: each company needs its own")
    scenario = scenario or _load_scenario(scenario_text)
    start = SharedGame(scenario, seed, clean)  # checks the names as the engine does; the first hash
    klass = store.create_class(name, scenario_text, seed, scenario=scenario)
    with db_errors(store.url), Session(store._w) as s, s.begin():
        s.add(SharedMarketRow(class_id=klass.id, companies=len(clean), engine_version=ENGINE_VERSION,
                              round=start.round, status="in_progress", n_actions=0,
                              state_hash=start.state_hash()))
        s.flush()
        s.add_all([SharedCompanyRow(class_id=klass.id, idx=i, name=c, name_key=_key(c), committed_round=None)
                   for i, c in enumerate(clean)])
    _remember(store, klass.id, start, 0)
    return klass


# ------------------------------------------------------------------ the market in this process
# Each process keeps the markets it has rebuilt, with the last action applied: under the lock it
# applies only the actions stored since (by other processes). Dropped on any error.
_MARKETS: dict[tuple[str, int], tuple[SharedGame, int]] = {}
_MARKETS_LOCK = threading.Lock()


def _remember(store: SaveStore, class_id: int, game: SharedGame, seq: int) -> None:
    with _MARKETS_LOCK:
        _MARKETS[(store.url, class_id)] = (game, seq)


def _forget(store: SaveStore, class_id: int) -> None:
    with _MARKETS_LOCK:
        _MARKETS.pop((store.url, class_id), None)


def _market_row(s: Session, store: SaveStore, code: str, lock: bool,
                engine: bool = True) -> tuple[ClassInfo, SharedMarketRow]:
    """Class `code` and its market row (locked with `lock`); with `engine`, refused unless this
    pmsim's engine plays it (status reads rows only, and never imports the engine)."""
    klass = store.get_class(code)
    q = select(SharedMarketRow).where(SharedMarketRow.class_id == klass.id)
    row = s.execute(q.with_for_update() if lock else q).scalars().first()
    if row is None:
        raise NotShared(f"class {klass.code} is not a shared market (create one with `pmsim class create --shared`)")
    if not engine:
        return klass, row
    from pmsim.engine.state import ENGINE_VERSION

    if row.engine_version != ENGINE_VERSION:
        raise StorageError(f"class {klass.code} was played with pmsim engine {row.engine_version}, this pmsim runs "
                           f"{ENGINE_VERSION}: use that pmsim for this class; nothing was changed")
    return klass, row


def _catch_up(s: Session, store: SaveStore, klass: ClassInfo, row: SharedMarketRow) -> tuple[SharedGame, int]:
    """This process's copy of the market with every stored action applied (rebuilt by replay
    the first time), checking each stored quarter's hash; and the last action's seq."""
    from pmsim.engine.actions import action_from_dict
    from pmsim.engine.shared import SharedGame
    from pmsim.storage.rows import _json

    with _MARKETS_LOCK:
        kept = _MARKETS.get((store.url, klass.id))
    if kept is None or kept[1] > row.n_actions:
        names = [r.name for r in s.execute(select(SharedCompanyRow).where(SharedCompanyRow.class_id == klass.id)
                                           .order_by(SharedCompanyRow.idx)).scalars()]
        kept = (SharedGame(_load_scenario(klass.scenario_text), klass.seed, names), 0)
    game, seq = kept
    if seq < row.n_actions:
        _forget(store, klass.id)  # changed below: kept again by the caller once all is well
        # only the actions the market row counts, and the quarters read after them: each read may
        # see a newer commit (PostgreSQL's READ COMMITTED), but never an older one
        actions = s.execute(select(SharedActionRow).where(SharedActionRow.class_id == klass.id,
                                                          SharedActionRow.seq > seq,
                                                          SharedActionRow.seq <= row.n_actions)
                            .order_by(SharedActionRow.seq)).scalars().all()
        hashes = {r.round: r.state_hash for r in s.execute(
            select(SharedRoundRow.round, SharedRoundRow.state_hash).where(SharedRoundRow.class_id == klass.id))}
        for a in actions:
            r = game.round
            try:
                game.apply(a.company, action_from_dict(_json(a.payload, {})))
            except Exception as e:
                raise StorageError(f"class {klass.code}: stored action {a.seq} does not replay ({e}): "
                                   "the market is damaged") from None
            if (game.round != r or game.finished) and hashes.get(r) != game.round_hashes[-1]:
                raise StorageError(f"class {klass.code}: quarter {r} replays to another state than the one "
                                   "stored: the market is damaged")
            seq = a.seq
    return game, seq


@contextmanager
def _locked(store: SaveStore, code: str) -> Iterator[tuple[Session, ClassInfo, SharedMarketRow, SharedGame]]:
    """A write transaction holding the market's lock, with the market brought up to date. The
    copy of the market is kept for the next call only once the transaction has committed (or
    when an illegal action left it as it was)."""
    from pmsim.engine.state import IllegalAction

    klass_id, game, seq = None, None, 0
    try:
        with db_errors(store.url), Session(store._w) as s:
            with s.begin():
                klass, row = _market_row(s, store, code, lock=True)
                klass_id = klass.id
                game, seq = _catch_up(s, store, klass, row)
                yield s, klass, row, game
                seq = row.n_actions
    except IllegalAction:
        # the engine refused `act`'s one action (advance's EndRounds are all legal): the market is
        # as the stored actions made it
        if game is not None:
            _remember(store, klass_id, game, seq)
        raise
    except BaseException:
        if klass_id is not None:
            _forget(store, klass_id)  # what was applied in memory may not be stored
        raise
    _remember(store, klass_id, game, seq)


def _company(s: Session, klass: ClassInfo, company: str) -> SharedCompanyRow:
    row = s.execute(select(SharedCompanyRow).where(SharedCompanyRow.class_id == klass.id,
                                                   SharedCompanyRow.name_key == _key(company))).scalars().first()
    if row is None:
        names = [r.name for r in s.execute(select(SharedCompanyRow).where(SharedCompanyRow.class_id == klass.id)
                                           .order_by(SharedCompanyRow.idx)).scalars()]
        raise StorageError(f"class {klass.code} has no company {company!r}: its companies are {', '.join(names)}")
    return row


def act(store: SaveStore, code: str, company: str, action: Action, round_: int | None = None) -> Acted:
    """Company `company` takes `action` in class `code`'s market: checked, stored and applied as
    one transaction under the market's lock. An illegal action raises IllegalAction and stores
    nothing; an EndRound by the last company to end the quarter resolves it. With `round_` (the
    quarter the player saw), an action that arrives after that quarter resolved (the instructor's
    advance) is refused too: it was meant for a plan that is gone."""
    from pmsim.engine.state import IllegalAction

    with _locked(store, code) as (s, klass, row, game):
        c = _company(s, klass, company)
        if round_ is not None and game.round != round_ and not game.finished:
            raise IllegalAction("moved_on", f"quarter {round_} has resolved meanwhile (quarter {game.round} is being "
                                "played): nothing was changed")
        return _apply(s, klass, row, game, [(c.idx, action)], advanced=0)


def advance(store: SaveStore, code: str, round_: int | None = None) -> Acted:
    """End the quarter being played (`round_`, if given, must be it) for every company that has
    not, keeping what their Now lists hold, so it resolves. AlreadyResolved if it has."""
    from pmsim.engine.actions import EndRound

    with _locked(store, code) as (s, klass, row, game):
        if game.finished or (round_ is not None and round_ != game.round):
            asked = round_ if round_ is not None else game.round
            raise AlreadyResolved(f"class {klass.code}: quarter {asked} has already resolved"
                                  + ("" if game.finished else f" (quarter {game.round} is being played)"))
        todo = [(c, EndRound(rationale=ADVANCED)) for c, x in enumerate(game.committed) if x is None]
        return _apply(s, klass, row, game, todo, advanced=len(todo))


def _apply(s: Session, klass: ClassInfo, row: SharedMarketRow, game: SharedGame,
           actions: list[tuple[int, Action]], advanced: int) -> Acted:
    from pmsim.engine.actions import EndRound

    seq, result, resolved = row.n_actions, None, None
    for c, action in actions:
        r = game.round
        result = game.apply(c, action)  # IllegalAction: nothing stored (the transaction rolls back)
        seq += 1
        s.add(SharedActionRow(class_id=klass.id, seq=seq, company=c, round=r, kind=action.kind,
                              payload=canonical_json(action.to_dict()), created_at=_now()))
        if isinstance(action, EndRound):
            s.execute(update(SharedCompanyRow).where(SharedCompanyRow.class_id == klass.id,
                                                     SharedCompanyRow.idx == c).values(committed_round=r))
        if game.round != r or game.finished:
            resolved = r
            s.add(SharedRoundRow(class_id=klass.id, round=r, seq=seq, state_hash=game.round_hashes[-1],
                                 advanced=advanced, resolved_at=_now()))
    row.n_actions = seq
    row.round = game.round
    row.status = "finished" if game.finished else "in_progress"
    row.state_hash = game.state_hash()
    s.flush()
    return Acted(result, resolved, seq)


def status(store: SaveStore, code: str) -> MarketStatus:
    """Who has ended the quarter being played, and every resolved quarter (no replay)."""
    with db_errors(store.url), Session(store._engine) as s:
        klass, row = _market_row(s, store, code, lock=False, engine=False)
        comps = s.execute(select(SharedCompanyRow).where(SharedCompanyRow.class_id == klass.id)
                          .order_by(SharedCompanyRow.idx)).scalars().all()
        rounds = s.execute(select(SharedRoundRow).where(SharedRoundRow.class_id == klass.id)
                           .order_by(SharedRoundRow.round)).scalars().all()
        finished = row.status == "finished"
        return MarketStatus(
            code=klass.code, round=row.round, finished=finished, n_actions=row.n_actions,
            companies=[CompanyStatus(c.name, finished or c.committed_round == row.round) for c in comps],
            rounds=[RoundStatus(r.round, r.state_hash, r.advanced, _utc(r.resolved_at)) for r in rounds],
        )


def load(store: SaveStore, code: str) -> SharedGame:
    """Class `code`'s market as the stored actions make it (every stored quarter's hash checked)."""
    with db_errors(store.url), Session(store._engine) as s:
        klass, row = _market_row(s, store, code, lock=False)
        game, seq = _catch_up(s, store, klass, row)
    _remember(store, klass.id, game, seq)
    return game


def is_shared(store: SaveStore, code: str) -> bool:
    try:
        status(store, code)
    except NotShared:
        return False
    return True


__all__ = ["ADVANCED", "Acted", "AlreadyResolved", "ClassNotFound", "MarketStatus", "NotShared", "act", "advance",
           "company_names", "create", "load", "status"]


class CompanySession:
    """One company of a shared class, played through the database: it reads like the company's
    game (`session.state`, `.observe()`...), and `apply` goes through `act`, so bots play
    through it as through a `GameSession`. `refresh()` catches up with the other companies."""

    def __init__(self, store: SaveStore, code: str, company: str) -> None:
        self.store, self.code, self.company = store, code, company
        self.refresh()

    def refresh(self) -> None:
        self.market = load(self.store, self.code)
        self.game = self.market.company(next(g.name for g in self.market.companies if _key(g.name) == _key(self.company)))

    def apply(self, action: Action, round_: int | None = None) -> dict[str, Any] | None:
        acted = act(self.store, self.code, self.company, action, round_)
        self.refresh()
        return acted.result

    @property
    def committed(self) -> bool:
        return self.market.committed[self.game.index] is not None

    def __getattr__(self, name: str) -> Any:
        game = self.__dict__.get("game")
        if game is None:
            raise AttributeError(name)
        return getattr(game, name)


def play_company(store: SaveStore, code: str, company: str, strategy: str, poll_s: float = 0.02,
                 timeout_s: float = 600.0) -> CompanySession:
    """Play company `company` of class `code` to the end with the bot `strategy`, waiting for
    the other companies after each quarter it ends."""
    import time

    from pmsim.engine.bots import play_round

    session = CompanySession(store, code, company)
    deadline = time.monotonic() + timeout_s
    while not session.market.finished:
        if session.committed:
            if time.monotonic() > deadline:
                raise StorageError(f"class {code}: waited {timeout_s:g} s for the other companies")
            time.sleep(poll_s)
            session.refresh()
            continue
        play_round(session, strategy)  # type: ignore[arg-type]  # a session plays like a Game
        session.refresh()
    return session
