"""Sampling a drawn curve back into the coordinates of its axes, to check it against sigsat_math."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np


def drawn_points(curve: Any, axes: Any) -> tuple[np.ndarray, np.ndarray]:
    """(z, y) in the axes' coordinates of every point (anchors and handles) of a drawn curve."""
    points = np.concatenate([m.points for m in curve.family_members_with_points()])
    coords = np.array([axes.p2c(p) for p in points], dtype=float)
    return coords[:, 0], coords[:, 1]


def worst_miss(curve: Any, axes: Any, f: Callable[[np.ndarray], np.ndarray], kinks: tuple[float, ...] = ()) -> float:
    """Largest |y - f(z)| over the curve's points, as a share of the axes' y span; points within
    a hair of a jump (`kinks`) are left out, where a step's two sides meet."""
    z, y = drawn_points(curve, axes)
    keep = np.all([np.abs(z - k) > 1e-6 for k in kinks], axis=0) if kinks else np.ones_like(z, bool)
    span = axes.y_range[1] - axes.y_range[0]
    return float(np.max(np.abs(y[keep] - np.asarray(f(z[keep]), dtype=float))) / span)


def z_extent(curve: Any, axes: Any) -> tuple[float, float]:
    """The smallest and largest z the drawn curve reaches."""
    z, _ = drawn_points(curve, axes)
    return float(z.min()), float(z.max())
