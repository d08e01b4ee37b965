"""Where the sigmoid saturates: its derivative against the 0.25 maximum."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .activations import _as_float_array, _back, sigmoid_prime


def sigmoid_prime_max() -> float:
    """max sigma'(z) = sigma'(0) = 0.5 x 0.5 = 0.25."""
    return float(sigmoid_prime(0.0))


def shrinking_weight_limit() -> float:
    """1 / max sigma' = 4: below this |w|, every link |w| sigma'(z) is < 1, whatever z."""
    return 1.0 / sigmoid_prime_max()


def fraction_of_max(z: Any) -> Any:
    """sigma'(z) / max sigma' = 4 sigma(z) sigma(-z)."""
    a = _as_float_array(z)
    return _back(z, sigmoid_prime(a) / sigmoid_prime_max())


def is_saturated(z: Any, threshold: float, inclusive: bool = True) -> Any:
    """|z| >= threshold (the slides) or, with inclusive=False, |z| > threshold (the page)."""
    a = np.abs(_as_float_array(z))
    out = a >= threshold if inclusive else a > threshold
    if np.ndim(z) == 0 and not isinstance(z, np.ndarray):
        return bool(out)
    return out


def saturation_z(fraction: float) -> float:
    """The z > 0 with sigma'(z) = fraction x 0.25: z = 2 ln(1 + r) - ln f with r = sqrt(1 - f)."""
    if not 0.0 < fraction <= 1.0:
        raise ValueError(f"fraction must be in (0, 1], got {fraction!r}")
    # 1 - sqrt(1 - f) cancels for small f; (1 + r)^2 / f is the same ratio without cancellation.
    r = math.sqrt(1.0 - fraction)
    return 2.0 * math.log1p(r) - math.log(fraction)
