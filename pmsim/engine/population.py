"""The simulated customers: a struct of numpy arrays, never a Python object per customer.

Customers are sorted by segment, so each segment is a contiguous slice and per-segment work is a
slice operation. Attributes are quantized to a grid when drawn (see detmath) so that the state
hash does not depend on the platform's libm.
"""

from __future__ import annotations

import os
import sys
import threading
from dataclasses import dataclass

import numpy as np

from pmsim.engine.rng import stream
from pmsim.scenario.models import Scenario

NONE, TRIAL, OURS = 0, 1, 2  # status codes; competitor k is COMP0 + k
COMP0 = 3


@dataclass
class Population:
    segment: np.ndarray  # int8 (N,)
    needs: np.ndarray  # float32 (T, N), each column sums to ~1
    price_sens: np.ndarray  # float32 (N,)
    theta: np.ndarray  # float32 (N,) churn propensity per round (shifted-beta-geometric)
    assistive: np.ndarray  # bool (N,) relies on assistive technology
    temper: np.ndarray  # float32 (N,) how easily this customer is pleased (logit shift)
    status: np.ndarray  # int8 (N,)
    sat: np.ndarray  # float32 (N,) satisfaction with our product, 0..1
    tenure: np.ndarray  # int16 (N,) rounds as our customer
    bounds: tuple[tuple[int, int], ...]  # per segment (start, stop)

    @property
    def size(self) -> int:
        return int(self.segment.shape[0])

    def arrays(self) -> dict[str, np.ndarray]:
        return {
            "segment": self.segment, "needs": self.needs, "price_sens": self.price_sens,
            "theta": self.theta, "assistive": self.assistive, "temper": self.temper, "status": self.status,
            "sat": self.sat, "tenure": self.tenure,
        }

    def copy(self) -> Population:
        new = Population(**{k: v.copy() for k, v in self.arrays().items()}, bounds=self.bounds)
        kept = self.__dict__.get("_mean_price_sens")  # the copy's price sensitivities are the same
        if kept is not None and kept[0] is self.price_sens:
            new.__dict__["_mean_price_sens"] = (new.price_sens, kept[1])
        return new

    def mean_price_sens(self) -> list[float]:
        """Each segment's mean price sensitivity (the market's expectation bar), made once per
        population and kept by its copies: price sensitivities are drawn once and never written
        again (a new array is a new population's, and has its own)."""
        kept = self.__dict__.get("_mean_price_sens")
        if kept is None or kept[0] is not self.price_sens:
            means = [float(self.price_sens[a:b].astype(np.float64).sum() / max(b - a, 1)) for a, b in self.bounds]
            kept = self.__dict__["_mean_price_sens"] = (self.price_sens, means)
        return kept[1]


def segment_counts(scenario: Scenario) -> list[int]:
    """Largest-remainder apportionment of the population to segments (exact, deterministic)."""
    n = scenario.market.population
    shares = [s.share for s in scenario.market.segments]
    total = sum(shares)
    raw = [n * s / total for s in shares]
    counts = [int(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - counts[i]), i))
    for i in order[: n - sum(counts)]:
        counts[i] += 1
    return counts


def segment_need_means(scenario: Scenario) -> np.ndarray:
    """(S, T) authored need weights, normalized per segment."""
    themes = scenario.theme_ids()
    m = np.zeros((len(scenario.market.segments), len(themes)))
    for si, seg in enumerate(scenario.market.segments):
        for ti, t in enumerate(themes):
            m[si, ti] = seg.needs.get(t, 0.0)
        tot = m[si].sum()
        m[si] = m[si] / tot if tot > 0 else 1.0 / len(themes)
    return m


# Segments are drawn from independent streams, so they can be drawn at the same time: numpy
# releases the GIL while it fills an array with draws. Below this many customers a thread costs
# more than it saves.
PARALLEL_MIN = 50_000
_pool = None
_pool_lock = threading.Lock()


def _executor():
    global _pool
    with _pool_lock:
        if _pool is None:
            from concurrent.futures import ThreadPoolExecutor

            _pool = ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1), thread_name_prefix="pmsim-population")
        return _pool


def _forget_pool() -> None:  # a forked child has none of its parent's threads
    global _pool, _pool_lock
    _pool = None
    _pool_lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool)


# A game allocates and frees megabytes of arrays every round (a population, its float64
# temporaries). glibc's malloc hands blocks this big back to the kernel when they are freed (an
# mmap of their own, or a trim of the heap's top) and so takes them back page by page, a page
# fault for every 4 KiB touched: about a tenth of a bot game's CPU here. Processes that simulate
# markets keep freed memory for reuse instead (blocks up to 32 MiB from the heap, the heap's top
# kept up to 256 MiB). No effect on any result; PMSIM_MALLOC=default keeps glibc's defaults.
_M_TRIM_THRESHOLD, _M_TOP_PAD, _M_MMAP_THRESHOLD = -1, -2, -3
_malloc_tuned: bool | None = None


def keep_freed_memory() -> bool:
    """Tell glibc's malloc (once per process) to keep freed memory for reuse; True if it did."""
    global _malloc_tuned
    if _malloc_tuned is None:
        _malloc_tuned = False
        if sys.platform.startswith("linux") and os.environ.get("PMSIM_MALLOC", "") != "default":
            try:
                import ctypes

                mallopt = ctypes.CDLL(None).mallopt  # the C library this process runs on
                mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
                _malloc_tuned = all([mallopt(_M_MMAP_THRESHOLD, 32 << 20), mallopt(_M_TRIM_THRESHOLD, 256 << 20),
                                     mallopt(_M_TOP_PAD, 16 << 20)])
            except (OSError, AttributeError):  # no mallopt (not glibc): its defaults stay
                pass
    return _malloc_tuned


def generate(scenario: Scenario, seed: int, parallel: bool | None = None) -> Population:
    """The customers of a new game: each segment drawn from its own stream (in parallel when
    `parallel`, by default when the population is large and there is more than one CPU: the
    draws, and so the customers, are the same either way)."""
    return generate_with_means(scenario, seed, parallel)[0]


def generate_with_means(scenario: Scenario, seed: int, parallel: bool | None = None) -> tuple[Population, np.ndarray]:
    """`generate`'s customers and their `true_need_means` (the same bits), each segment's means
    computed as it is drawn (in its thread, when drawn in parallel)."""
    keep_freed_memory()
    counts = segment_counts(scenario)
    themes = scenario.theme_ids()
    means = segment_need_means(scenario)
    n, t = sum(counts), len(themes)
    pop = Population(
        segment=np.empty(n, np.int8), needs=np.empty((t, n), np.float32), price_sens=np.empty(n, np.float32),
        theta=np.empty(n, np.float32), assistive=np.empty(n, bool), temper=np.empty(n, np.float32),
        status=np.zeros(n, np.int8), sat=np.full(n, 0.5, np.float32), tenure=np.zeros(n, np.int16),
        bounds=(),
    )
    bounds = []
    start = 0
    for c in counts:
        bounds.append((start, start + c))
        start += c
    pop.bounds = tuple(bounds)
    if parallel is None:
        parallel = n >= PARALLEL_MIN and len(counts) > 1 and (os.cpu_count() or 1) > 1
    need_means = np.zeros((len(counts), t))
    jobs = [(scenario, seed, si, pop, means[si], need_means) for si in range(len(counts))]
    if parallel:
        # the biggest segments first, and each segment's needs finished (normalized, snapped to
        # the grid, averaged) by whichever thread is free while its thread goes on drawing: the
        # threads finish close together
        pool = _executor()
        jobs.sort(key=lambda job: -counts[job[2]])
        finishing = [drawn.result() for drawn in [pool.submit(_draw_segment, *job, pool) for job in jobs]]
        for done in finishing:
            done.result()
    else:
        for job in jobs:
            _draw_segment(*job)
    return pop, need_means


def _draw_segment(scenario: Scenario, seed: int, si: int, pop: Population, mean: np.ndarray,
                  need_means: np.ndarray, pool=None):
    """Fill segment `si`'s slice of `pop` from its stream, draw after draw in a fixed order, and
    row `si` of `need_means` with its customers' mean needs (as `true_need_means`). With a thread
    `pool`, the needs are finished there: returns that task's future (else None)."""
    seg = scenario.market.segments[si]
    start, stop = pop.bounds[si]
    c = stop - start
    rng = stream(seed, "population", si)
    pop.segment[start:stop] = si
    alpha = np.maximum(mean * seg.need_spread, 1e-3)
    # theme after theme: the very draws of one (T, c) call with alpha broadcast down the rows
    g = np.empty((len(alpha), c))
    for ti, a in enumerate(alpha):
        rng.standard_gamma(a, c, out=g[ti])
    done = None if pool is None else pool.submit(_finish_needs, pop, si, g, need_means)
    if pool is None:
        _finish_needs(pop, si, g, need_means)
    x = rng.lognormal(0.0, 0.3, c)
    x *= seg.price_sensitivity
    _quantize_into(pop.price_sens[start:stop], x, 1.0 / 256.0)
    _quantize_into(pop.theta[start:stop], rng.beta(seg.churn.alpha, seg.churn.beta, c), 1.0 / 65536.0)
    pop.assistive[start:stop] = rng.random(c) < seg_accessibility_need(scenario, si)
    _quantize_into(pop.temper[start:stop], rng.normal(0.0, 1.0, c), 1.0 / 256.0)
    u = rng.random(c)
    cut = seg.initial_ours
    st = np.where(u < cut, OURS, NONE).astype(np.int8)
    for ki, comp in enumerate(scenario.market.competitors):
        share = seg.initial_competitors.get(comp.id, 0.0)
        st = np.where((u >= cut) & (u < cut + share), COMP0 + ki, st).astype(np.int8)
        cut += share
    pop.status[start:stop] = st
    pop.tenure[start:stop] = np.where(st == OURS, rng.integers(1, 9, c), 0)
    return done


def _finish_needs(pop: Population, si: int, g: np.ndarray, need_means: np.ndarray) -> None:
    """Segment `si`'s needs from its gamma draws `g` (T, c): normalized per customer, snapped to
    the grid, and their mean in row `si` of `need_means`."""
    start, stop = pop.bounds[si]
    g /= np.maximum(g.sum(axis=0, keepdims=True), 1e-12)
    _quantize_into(pop.needs[:, start:stop], g, 1.0 / 1024.0)
    if stop > start:
        need_means[si] = _segment_need_mean(pop, start, stop)


def _quantize_into(dst: np.ndarray, x: np.ndarray, step: float) -> None:
    """`dst[...] = detmath.quantize(x, step, dst.dtype)`, the same operations on each element, in
    place in the float64 draws `x` (which it uses up) instead of in fresh arrays."""
    np.divide(x, step, out=x)
    x += 0.5
    np.floor(x, out=x)
    x *= step
    dst[...] = x


def seg_accessibility_need(scenario: Scenario, si: int) -> float:
    """Share of a segment that relies on assistive technology."""
    seg = scenario.market.segments[si]
    return float(seg.assistive_share)


def true_need_means(pop: Population) -> np.ndarray:
    """(S, T) mean need weights of the actual customers of each segment (float64, exact order)."""
    out = np.zeros((len(pop.bounds), pop.needs.shape[0]))
    for si, (a, b) in enumerate(pop.bounds):
        if b > a:
            out[si] = _segment_need_mean(pop, a, b)
    return out


def _segment_need_mean(pop: Population, a: int, b: int) -> np.ndarray:
    return pop.needs[:, a:b].astype(np.float64).sum(axis=1) / (b - a)
