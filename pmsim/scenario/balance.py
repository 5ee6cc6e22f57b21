"""Does a scenario teach? Reads a batch of bot games and says where it fails to.

Good practice (researcher, rice) must beat bad practice (random, hippo) by a clear margin; OKRs
must be neither trivially met nor out of reach; every score component must vary, or it is a
constant that teaches nothing.
"""

from __future__ import annotations

from typing import Any

import numpy as np

MARGIN = 3.0  # points between good and bad practice
BLOCKS = " ▁▂▃▄▅▆▇█"


def warnings(batch: dict[str, Any], margin: float = MARGIN) -> list[str]:
    strat = batch["strategies"]
    mean = {k: v["mean"] for k, v in strat.items()}
    out = []
    for good in ("researcher", "rice"):
        for bad in ("random", "hippo"):
            if good in mean and bad in mean and mean[good] - mean[bad] < margin:
                out.append(f"bad practice is too close to good: {bad} {mean[bad]:.1f} vs {good} "
                           f"{mean[good]:.1f} (margin under {margin:g} points)")
    order = ["oracle", "researcher", "rice", "random"]
    present = [s for s in order if s in mean]
    for a, b in zip(present, present[1:], strict=False):
        if mean[a] <= mean[b]:
            out.append(f"{a} ({mean[a]:.1f}) does not beat {b} ({mean[b]:.1f})")
    okr = {k: v["components"].get("okr") for k, v in strat.items()}
    if okr and all(x is not None and x >= 0.95 for x in okr.values()):
        out.append("OKRs are trivially met: every strategy scores ≥ 0.95 on them")
    if "oracle" in okr and okr["oracle"] is not None and okr["oracle"] < 0.2:
        out.append(f"OKRs look impossible: even the oracle scores {okr['oracle']:.2f} on them")
    raw = batch.get("raw")
    if raw:
        comps = list(next(iter(raw.values()))[0]["components"])
        for c in comps:
            values = np.array([g["components"][c] for games in raw.values() for g in games])
            if values.size > 1 and float(values.std()) < 0.01:
                out.append(f"component {c!r} never varies (always ≈ {values.mean():.2f}): it teaches nothing")
    return out


def histogram(scores: list[float], lo: float = 0.0, hi: float = 100.0, bins: int = 20) -> str:
    """A one-line histogram of scores between lo and hi, in block characters."""
    counts, _ = np.histogram(np.clip(scores, lo, hi), bins=bins, range=(lo, hi))
    top = counts.max() or 1
    return "".join(BLOCKS[max(1, int(round(c / top * (len(BLOCKS) - 1))))] if c else "·" for c in counts)
