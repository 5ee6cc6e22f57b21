"""The sample games shipped in saves/ replay to their recorded round hashes.

If this fails after an engine or scenario change, regenerate them:
    .venv/bin/python scripts/make_sample_saves.py
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from storage_texts import ROOT

from pmsim.commands.replay import replay
from pmsim.storage import exchange

SAMPLES = sorted((ROOT / "saves").glob("*.pmsave.json"))


def test_there_are_at_least_two_samples():
    assert len(SAMPLES) >= 2


@pytest.mark.parametrize("path", SAMPLES, ids=[p.name for p in SAMPLES])
def test_sample_replays_and_verifies(path):
    rec = exchange.read_save(path)
    assert rec.status == "finished" and len(rec.rounds) >= 1
    res = CliRunner().invoke(replay, [str(path), "--verify"])
    assert res.exit_code == 0, (
        f"{res.stderr.strip()} -- regenerate with: .venv/bin/python scripts/make_sample_saves.py"
    )
