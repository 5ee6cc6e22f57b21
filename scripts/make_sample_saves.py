#!/usr/bin/env python3
"""(Re)generate the sample games shipped in saves/ as .pmsave.json files.

    .venv/bin/python scripts/make_sample_saves.py              # one game per built-in scenario
    .venv/bin/python scripts/make_sample_saves.py --sample b2b_saas:rice:2 --sample b2b_saas:researcher:1

Each sample is a complete bot game of a built-in scenario (full population), recorded through
the storage layer and exported; tests/storage/test_sample_saves.py replays and verifies each one.
Run it again whenever the engine or a built-in scenario changes (the samples' round hashes go
stale). Existing saves/*.pmsave.json are replaced unless --keep is given. Timestamps are left out
so that regenerating an unchanged game gives a byte-identical file.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_STRATEGY = "researcher"


def default_samples() -> list[tuple[str, str, int]]:
    from pmsim.scenario.builtin import builtin_ids

    return [(sid, DEFAULT_STRATEGY, i + 1) for i, sid in enumerate(builtin_ids())]


def parse_sample(spec: str) -> tuple[str, str, int]:
    try:
        scenario, strategy, seed = spec.split(":")
        return scenario, strategy, int(seed)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{spec!r}: use SCENARIO:STRATEGY:SEED, e.g. b2b_saas:rice:2") from None


def make(scenario_id: str, strategy: str, seed: int, out_dir: Path) -> Path:
    from pmsim.scenario.builtin import resolve
    from pmsim.storage.exchange import SUFFIX, write_save
    from pmsim.storage.saves import SaveStore
    from pmsim.storage.session import record_bot_game

    text = Path(resolve(scenario_id)).read_text(encoding="utf-8")
    with SaveStore("sqlite://") as store:
        sid = record_bot_game(store, text, seed, strategy)
        res = store.verify(sid)
        if not res.ok:
            raise SystemExit(f"{scenario_id}:{strategy}:{seed} does not replay: {res.problem}")
        rec = dataclasses.replace(store.load(sid), created_at=None, updated_at=None,
                                  origin=f"sample: {strategy} bot, seed {seed}")
    path = out_dir / f"{scenario_id}-{strategy}-seed{seed}{SUFFIX}"
    write_save(rec, path)
    return path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sample", action="append", type=parse_sample, metavar="SCENARIO:STRATEGY:SEED",
                    help="a game to record (repeatable); default: each built-in scenario with the "
                    f"{DEFAULT_STRATEGY} bot")
    ap.add_argument("--out", type=Path, default=ROOT / "saves", help="folder (default: saves/)")
    ap.add_argument("--keep", action="store_true", help="do not delete existing *.pmsave.json first")
    args = ap.parse_args(argv)
    samples = args.sample or default_samples()
    args.out.mkdir(parents=True, exist_ok=True)
    if not args.keep:
        for old in args.out.glob("*.pmsave.json"):
            old.unlink()
    for scenario_id, strategy, seed in samples:
        path = make(scenario_id, strategy, seed, args.out)
        print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: {scenario_id}, {strategy}, seed {seed}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
