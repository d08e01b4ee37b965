"""The ball rolling downhill: the lesson's picture of gradient descent.

The model. The ground is the graph of an activation f, read as a loss: the higher the ground,
the worse. The ball sits at z_0. Each step moves it downhill by the learning rate eta times the
slope under it:

    z_(k+1) = z_k - eta f'(z_k)

which is one step of gradient descent on f with learning rate eta. Every activation of the lesson
rises, so downhill is towards smaller z. On a plateau (f' near 0) a step barely moves the ball,
high as it stands; on ReLU's positive side (f' = 1) every step moves it eta, until it reaches the
kink at 0; on ReLU's negative side (f' = 0) it does not move at all. The slope is the gradient,
the distance rolled is how much a weight learns.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .activations import activation


@dataclass(frozen=True)
class BallRun:
    """Where the ball is after each step on one surface."""

    surface: str
    z: npt.NDArray[np.float64]  # positions z_0 .. z_n
    height: npt.NDArray[np.float64]  # f(z_k)
    slope: npt.NDArray[np.float64]  # f'(z_k), the slope under the ball at each position

    @property
    def steps(self) -> npt.NDArray[np.float64]:
        """Distance rolled downhill by each step, z_k - z_(k+1) (never negative)."""
        return -np.diff(self.z)

    @property
    def distance(self) -> float:
        """Total distance rolled downhill along z after all steps, z_0 - z_n."""
        return float(self.z[0] - self.z[-1])


def descend(surface: str, z0: float, rate: float, steps: int) -> BallRun:
    """Positions of the ball after each of `steps` gradient-descent steps of learning rate `rate`
    on f = surface: z_(k+1) = z_k - rate f'(z_k)."""
    if steps < 0:
        raise ValueError(f"steps must be >= 0, got {steps}")
    f, fprime = activation(surface)
    z = np.empty(steps + 1, dtype=np.float64)
    z[0] = z0
    for k in range(steps):
        z[k + 1] = z[k] - rate * float(fprime(z[k]))
    return BallRun(surface=surface, z=z, height=np.asarray(f(z)), slope=np.asarray(fprime(z)))


# The ball's quantities one number at a time, for the screen: descend's run is not a number.
def ball_position(surface: str, z0: float, rate: float, steps: int, k: int) -> float:
    """z_k, the ball's z after k of the steps: z_(k+1) = z_k - eta f'(z_k) (k = 0 is the start)."""
    return float(descend(surface, z0, rate, steps).z[k])


def ball_slope(surface: str, z0: float, rate: float, steps: int, k: int) -> float:
    """f'(z_k), the slope under the ball after k steps."""
    return float(descend(surface, z0, rate, steps).slope[k])


def ball_distance(surface: str, z0: float, rate: float, steps: int) -> float:
    """z_0 - z_n, the distance rolled downhill after all n steps."""
    return descend(surface, z0, rate, steps).distance


def ball_step(surface: str, z0: float, rate: float, steps: int, k: int) -> float:
    """z_k - z_(k+1), the distance rolled by step number k + 1."""
    return float(descend(surface, z0, rate, steps).steps[k])


def clear_of(z: float, avoid: float, gap: float = 1.0) -> float:
    """z, or z moved outwards to |avoid| + gap (keeping its sign) when |z| lies within `gap` of
    |avoid|: an illustration that does not show sigma'(avoid) (sigma' is even) or a value near it."""
    if abs(abs(z) - abs(avoid)) >= gap:
        return float(z)
    return float(np.copysign(abs(avoid) + gap, z if z != 0 else 1.0))
