"""Arithmetic that gives the same bits on every machine.

IEEE 754 makes +, -, *, /, sqrt, floor and ldexp exact-by-definition (correctly rounded), but
transcendental functions (numpy's exp and log, BLAS reductions) may use different SIMD kernels on
different CPUs and differ in the last bit. A one-ulp difference in a probability that is compared
with a uniform draw can flip a customer's decision and change the state hash. So everything that
feeds a random comparison or the state hash uses only the functions below, built from exact
operations, and population attributes are quantized to a grid when they are drawn.
"""

from __future__ import annotations

import numpy as np

_LN2_HI = 0.693145751953125
_LN2_LO = 1.42860682030941723212e-06
_INV_LN2 = 1.4426950408889634
# Taylor coefficients 1/k! for k = 0..11: on |r| <= ln2/2 the error is below 1e-15.
_COEFFS = [1.0 / float(np.prod(np.arange(1, k + 1), dtype=np.float64)) if k else 1.0 for k in range(12)]


def exp(x):
    """exp(x) for float64 scalars or arrays, from exact operations only (relative error < 1e-14)."""
    x = np.clip(np.asarray(x, dtype=np.float64), -700.0, 700.0)
    k = np.floor(x * _INV_LN2 + 0.5)
    r = (x - k * _LN2_HI) - k * _LN2_LO
    p = np.full_like(r, _COEFFS[-1])
    for c in reversed(_COEFFS[:-1]):
        p = p * r + c
    out = np.ldexp(p, k.astype(np.int64))
    return out if out.ndim else float(out)


def sigmoid(x):
    """1 / (1 + exp(-x)) with the deterministic exp."""
    return 1.0 / (1.0 + exp(-np.asarray(x, dtype=np.float64)))


def quantize(a, step: float = 1.0 / 4096.0, dtype=np.float32):
    """Snap values to a grid so that one-ulp differences from a platform's libm disappear."""
    return (np.floor(np.asarray(a, dtype=np.float64) / step + 0.5) * step).astype(dtype)


def qfloat(x: float, step: float = 1e-9) -> float:
    """Quantize a Python float for hashing and display (exact operations only)."""
    return float(np.floor(x / step + 0.5) * step)
