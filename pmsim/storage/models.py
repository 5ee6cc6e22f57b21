"""The tables. ORM rows never leave `pmsim.storage`: `saves.py` converts them to `records`.

JSON payloads are stored as canonical JSON text (not a JSON column type) so that a damaged row
can still be read back and reported, and so both SQLite and PostgreSQL hold the same bytes.
Alembic owns the schema: a change here needs a new revision in `migrations/versions/`
(`tests/storage/test_migrations.py` checks that the models and the migrations agree).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Meta(Base):
    """Key/value facts about the database itself: app = pmsim, schema_version = N."""

    __tablename__ = "pmsim_meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class ClassRow(Base):
    """A class run: every student plays the same scenario text on the same seed. Joined by `code`."""

    __tablename__ = "classes"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)  # e.g. PM-7QK4
    name: Mapped[str] = mapped_column(String(200))
    scenario_id: Mapped[str] = mapped_column(String(200))
    scenario_title: Mapped[str] = mapped_column(String(500))
    scenario_text: Mapped[str] = mapped_column(Text)
    scenario_sha256: Mapped[str] = mapped_column(String(64))
    seed: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Save(Base):
    """One game: its scenario, seed and engine version, and where it stands."""

    __tablename__ = "saves"
    __table_args__ = {"sqlite_autoincrement": True}  # a deleted id is never reused

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    player: Mapped[str] = mapped_column(String(200))
    scenario_id: Mapped[str] = mapped_column(String(200))
    scenario_title: Mapped[str] = mapped_column(String(500))
    scenario_text: Mapped[str] = mapped_column(Text)
    scenario_sha256: Mapped[str] = mapped_column(String(64))
    seed: Mapped[int] = mapped_column(BigInteger)
    engine_version: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))  # in_progress | finished
    round: Mapped[int] = mapped_column(Integer)  # the round being played (the last one when finished)
    n_actions: Mapped[int] = mapped_column(Integer)
    score: Mapped[float | None] = mapped_column(Float)  # after the last completed round
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("saves.id", ondelete="SET NULL"))
    forked_round: Mapped[int | None] = mapped_column(Integer)
    origin: Mapped[str] = mapped_column(String(500))  # new | fork | import: how it was made
    class_id: Mapped[int | None] = mapped_column(ForeignKey("classes.id", ondelete="SET NULL"), index=True)
    summary: Mapped[str | None] = mapped_column(Text)  # canonical JSON of game_summary(), once finished
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ActionRow(Base):
    """One action of a save's log, numbered from 1."""

    __tablename__ = "actions"

    save_id: Mapped[int] = mapped_column(
        ForeignKey("saves.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    round: Mapped[int] = mapped_column(Integer)  # the round it was taken in
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[str] = mapped_column(Text)  # canonical JSON of Action.to_dict()
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RoundRow(Base):
    """A completed round: the state hash that proves a replay, and what the player saw."""

    __tablename__ = "rounds"

    save_id: Mapped[int] = mapped_column(
        ForeignKey("saves.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    round: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer)  # the EndRound action that closed it
    state_hash: Mapped[str] = mapped_column(String(64))
    score: Mapped[float | None] = mapped_column(Float)
    components: Mapped[str] = mapped_column(Text)  # JSON {component: 0..1}
    metrics: Mapped[str] = mapped_column(Text)  # JSON of the key metrics, as observed
    shipped: Mapped[str] = mapped_column(Text)  # JSON list of feature ids shipped that round


class StudentRow(Base):
    """A student on a class's roster (`pmsim class roster`): a name and a hashed PIN, checked when
    the student joins the class server (`pmsim serve --class`). The PIN itself is never stored."""

    __tablename__ = "class_students"
    __table_args__ = (UniqueConstraint("class_id", "name_key"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200))  # the name case-folded: one student per name
    pin_hash: Mapped[str] = mapped_column(String(300))  # scrypt$N$r$p$salt$hash
    failed: Mapped[int] = mapped_column(Integer)  # wrong PINs in a row
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ServerGameRow(Base):
    """A save played on the class server: the student joined with their PIN and never held the
    seed or the engine. Class reports mark these games verified."""

    __tablename__ = "server_games"

    save_id: Mapped[int] = mapped_column(ForeignKey("saves.id", ondelete="CASCADE"), primary_key=True,
                                         autoincrement=False)
    student_id: Mapped[int | None] = mapped_column(ForeignKey("class_students.id", ondelete="SET NULL"),
                                                   index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SharedMarketRow(Base):
    """A shared-market class (issue 14): its companies compete for the same customers, and a
    quarter resolves for all of them at once. Locked (row lock; SQLite's write lock) by whoever
    acts, so a quarter resolves exactly once."""

    __tablename__ = "shared_markets"

    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"), primary_key=True,
                                          autoincrement=False)
    companies: Mapped[int] = mapped_column(Integer)
    engine_version: Mapped[str] = mapped_column(String(32))
    round: Mapped[int] = mapped_column(Integer)  # the quarter being played (the last one when finished)
    status: Mapped[str] = mapped_column(String(16))  # in_progress | finished
    n_actions: Mapped[int] = mapped_column(Integer)  # the last action's seq
    state_hash: Mapped[str] = mapped_column(String(64))  # the joint state after the last quarter


class SharedCompanyRow(Base):
    """A company of a shared market, numbered from 0 in the market's order."""

    __tablename__ = "shared_companies"
    __table_args__ = (UniqueConstraint("class_id", "name_key"),)

    class_id: Mapped[int] = mapped_column(ForeignKey("shared_markets.class_id", ondelete="CASCADE"),
                                          primary_key=True, autoincrement=False)
    idx: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200))  # the name case-folded: one company per name
    committed_round: Mapped[int | None] = mapped_column(Integer)  # the last quarter it ended


class SharedActionRow(Base):
    """One action of a shared market, numbered from 1 across every company in the order the
    market took them (replaying them in this order rebuilds the market)."""

    __tablename__ = "shared_actions"

    class_id: Mapped[int] = mapped_column(ForeignKey("shared_markets.class_id", ondelete="CASCADE"),
                                          primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    company: Mapped[int] = mapped_column(Integer)
    round: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[str] = mapped_column(Text)  # canonical JSON of Action.to_dict()
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SharedRoundRow(Base):
    """A resolved quarter of a shared market: one row per quarter (the key makes a second
    resolution impossible), with the joint state hash that proves a replay."""

    __tablename__ = "shared_rounds"

    class_id: Mapped[int] = mapped_column(ForeignKey("shared_markets.class_id", ondelete="CASCADE"),
                                          primary_key=True, autoincrement=False)
    round: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer)  # the action that resolved it
    state_hash: Mapped[str] = mapped_column(String(64))
    advanced: Mapped[int] = mapped_column(Integer)  # companies the instructor's advance ended
    resolved_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
