"""The ball pushed on a surface: the lesson's picture of gradient-based learning.

The model. A surface is the graph of an activation f. The ball sits at z_0. Each push has the
same strength p, and moves the ball along z by p times the surface's local slope:

    z_(k+1) = z_k + p f'(z_k)

which is one step of gradient ascent on f with step size p. On a plateau (f' near 0) the ball
barely moves however strong the push; on ReLU's positive side (f' = 1) it moves p every push; on
ReLU's negative side (f' = 0) it does not move at all. The slope is the gradient, the distance
travelled is how much a weight learns.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .activations import activation


@dataclass(frozen=True)
class BallRun:
    """Where the ball is after each push on one surface."""

    surface: str
    z: npt.NDArray[np.float64]  # positions z_0 .. z_n
    height: npt.NDArray[np.float64]  # f(z_k)
    slope: npt.NDArray[np.float64]  # f'(z_k), the slope under the ball at each position

    @property
    def steps(self) -> npt.NDArray[np.float64]:
        """Distance moved by each push, z_(k+1) - z_k."""
        return np.diff(self.z)

    @property
    def distance(self) -> float:
        """Total distance travelled along z after all pushes."""
        return float(self.z[-1] - self.z[0])


def push_ball(surface: str, z0: float, push: float, pushes: int) -> BallRun:
    """Positions of the ball after each of `pushes` pushes of strength `push` on f = surface."""
    if pushes < 0:
        raise ValueError(f"pushes must be >= 0, got {pushes}")
    f, fprime = activation(surface)
    z = np.empty(pushes + 1, dtype=np.float64)
    z[0] = z0
    for k in range(pushes):
        z[k + 1] = z[k] + push * float(fprime(z[k]))
    return BallRun(surface=surface, z=z, height=np.asarray(f(z)), slope=np.asarray(fprime(z)))


# The ball's quantities one number at a time, for the screen: push_ball's run is not a number.
def ball_position(surface: str, z0: float, push: float, pushes: int, k: int) -> float:
    """z_k, the ball's z after k of the pushes: z_(k+1) = z_k + p f'(z_k) (k = 0 is the start)."""
    return float(push_ball(surface, z0, push, pushes).z[k])


def ball_slope(surface: str, z0: float, push: float, pushes: int, k: int) -> float:
    """f'(z_k), the slope under the ball after k pushes."""
    return float(push_ball(surface, z0, push, pushes).slope[k])


def ball_distance(surface: str, z0: float, push: float, pushes: int) -> float:
    """z_n - z_0, the distance travelled along z after all n pushes."""
    return push_ball(surface, z0, push, pushes).distance


def ball_step(surface: str, z0: float, push: float, pushes: int, k: int) -> float:
    """z_(k+1) - z_k, the distance moved by push number k + 1."""
    return float(push_ball(surface, z0, push, pushes).steps[k])
