"""A short training run of the measured network: does the vanishing gradient slow learning?

The network and data are the measured network's (`experiment.py`): `depth` hidden layers of
`width` units, one linear output unit, inputs x ~ N(0, 1) of shape (batch, width) from
default_rng(seed), weights drawn from default_rng(seed + 1) layer by layer, biases zero. Only
the targets are new (`task`):

- "teacher": y = tanh(x V) u from a fixed random teacher (V, u from default_rng(seed + 2)),
  standardised to mean 0 and variance 1, so that predicting the mean costs exactly 0.5. The
  teacher is neither sigmoid nor ReLU, so neither student has its shape.
- "labels": the measured network's random targets y ~ N(0, 1): memorising noise.

Training is plain full-batch gradient descent on L = 1/(2N) sum (out - y)^2, every parameter
updated by W <- W - lr dL/dW, both activations with the same rate. Everything is float64 numpy:
the same config gives bit-identical losses on one machine and numpy build, whatever the BLAS
thread count (the tests check 1 against 2 threads); another CPU may pick other BLAS kernels and
differ in the last bits.

The learning rate, 0.1, is the largest of the grid 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1 at which
the sigmoid run descends without a jump. Its last hidden layer gives almost the same vector h for
every example (spread < 1e-6 around values in 0.25..0.86), so the curvature of L along the output
layer is 1 + |h|^2 = 17.9 and gradient descent is stable below 2 / 17.9 = 0.11; at 0.2 its loss
jumps to 110 times its start. No rate of the grid takes the sigmoid run below 0.49999999 in 200
steps, so the choice does not decide its result. For ReLU 0.1 is a rate that trains (0.05, 0.1
and 0.2 all end below 0.04); it descends with transient spikes, usual for full-batch gradient
descent at a useful rate; at 0.02 it descends smoothly but only to 0.47 in 200 steps.

The result at the defaults (depth 10, width 64, Xavier, seed 0, 128 examples, 200 steps): the
sigmoid network goes from 0.5029 to 0.5000, the loss of predicting the mean, and never halves;
its first-layer gradient stays near 7.5e-7. ReLU goes from 0.5001 to 0.0084, halves its loss at
step 67 and reaches a tenth at step 117 (its largest spike: 0.73 at step 106). With the
experiment's noise targets ("labels"): sigmoid 0.490 -> 0.483, ReLU 0.484 -> 0.026 (halved at
step 98). Not only the gradient vanishes: the same factor sigma' <= 1/4 per layer that shrinks it
on the way back squeezes the differences between examples on the way forward, so the sigmoid
network's output layer has nothing left to fit but the mean.

The control (`best_rate`, `best_loss_share`): one rate could favour one activation, so each is also run
at a fifth and a half of the lecture's rate and judged at the rate of the three that ends lowest. At
the defaults the sigmoid network keeps 99.4 % of its loss at its best rate (0.05), ReLU 1.68 % (at 0.1).
ReLU's run at 0.1 jumps, at step 106 to 1.46 times its start (`peak_over_start`): full-batch gradient
descent at a rate that trains overshoots along the steepest direction and recovers; at 0.02 it never
rises above its start, but ends at 93 % of it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from .activations import activation
from .experiment import INITS, init_std
from .params import DEFAULTS, Params

F64 = npt.NDArray[np.float64]
TASKS = ("teacher", "labels")

_E = DEFAULTS.experiment
_T = DEFAULTS.training


@dataclass(frozen=True)
class TrainingConfig:
    """One run: network, data and seed as in the experiment, then full-batch gradient descent."""

    activation: str = "sigmoid"
    depth: int = _E.depth
    width: int = _E.width
    init: str = _E.init
    seed: int = _E.seed
    batch: int = _E.batch
    steps: int = _T.steps
    learning_rate: float = _T.learning_rate
    task: str = _T.task

    def __post_init__(self) -> None:
        """Refuse what cannot run: a ValueError naming the field and what it allows."""
        activation(self.activation)  # a KeyError names the known ones
        if self.init not in INITS:
            raise ValueError(f"init = {self.init!r}: must be one of {', '.join(INITS)}")
        if self.task not in TASKS:
            raise ValueError(f"task = {self.task!r}: must be one of {', '.join(TASKS)}")
        for name in ("depth", "width", "batch"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} = {getattr(self, name)}: must be >= 1")
        if self.steps < 0 or self.seed < 0:
            raise ValueError(f"steps = {self.steps}, seed = {self.seed}: both must be >= 0")
        if not (math.isfinite(self.learning_rate) and self.learning_rate >= 0):
            raise ValueError(f"learning_rate = {self.learning_rate}: must be a finite number >= 0")

    @classmethod
    def from_params(cls, params: Params, activation_name: str) -> TrainingConfig:
        """The lecture's run for one activation: the `experiment` network, the `training` group."""
        e, t = params.experiment, params.training
        return cls(activation_name, e.depth, e.width, e.init, e.seed, e.batch,
                   t.steps, t.learning_rate, t.task)


@dataclass(frozen=True)
class TrainingRun:
    """Loss and hidden-layer gradient norms after 0, 1, ..., steps updates (steps + 1 each)."""

    config: TrainingConfig
    loss: F64
    first_grad_norm: F64  # ||dL/dW|| (Frobenius) at the first hidden layer
    last_grad_norm: F64  # ... and at the last hidden layer, at the weights loss[k] was taken at


Net = tuple[list[F64], list[F64]]  # weights (fan_in, fan_out) and biases, first layer first


def training_data(config: TrainingConfig) -> tuple[F64, F64]:
    """Inputs x (batch, width) and targets y (batch, 1): the experiment's x, the task's y."""
    rng = np.random.default_rng(config.seed)
    x = rng.normal(size=(config.batch, config.width))
    if config.task == "labels":
        return x, rng.normal(size=(config.batch, 1))
    teacher = np.random.default_rng(config.seed + 2)
    v = teacher.normal(0.0, 1.0 / math.sqrt(config.width), size=(config.width, config.width))
    y = np.tanh(x @ v) @ teacher.normal(size=(config.width, 1))
    spread = float(np.std(y))
    # One example has no spread to divide by; it is then only centred.
    return x, (y - np.mean(y)) / (spread if spread > 0 else 1.0)


def initial_network(config: TrainingConfig) -> Net:
    """Weights N(0, init_std^2) from default_rng(seed + 1), layer by layer; biases zero."""
    rng = np.random.default_rng(config.seed + 1)
    sizes = [config.width] * (config.depth + 1) + [1]
    pairs = list(zip(sizes[:-1], sizes[1:], strict=True))
    weights = [rng.normal(0.0, init_std(config.init, a, b), size=(a, b)) for a, b in pairs]
    return weights, [np.zeros(b) for _, b in pairs]


def loss_and_gradients(net: Net, x: F64, y: F64, act: str) -> tuple[float, list[F64], list[F64]]:
    """L = 1/(2N) sum (out - y)^2 and dL/dW[l], dL/db[l] by the chain rule (output linear)."""
    f, fprime = activation(act)
    weights, biases = net
    inputs, pre = [x], []
    for w, b in zip(weights, biases, strict=True):
        pre.append(inputs[-1] @ w + b)
        inputs.append(np.asarray(f(pre[-1])))
    err = pre[-1] - y
    delta = err / x.shape[0]  # dL/dout
    gw: list[F64] = []
    gb: list[F64] = []
    for layer in reversed(range(len(weights))):
        gw.insert(0, inputs[layer].T @ delta)
        gb.insert(0, delta.sum(axis=0))
        if layer:
            delta = (delta @ weights[layer].T) * np.asarray(fprime(pre[layer - 1]))
    return float(0.5 * np.mean(err**2)), gw, gb


def descend(net: Net, x: F64, y: F64, act: str, learning_rate: float, steps: int) -> tuple[F64, F64, F64]:
    """Full-batch gradient descent W <- W - lr dL/dW: losses, first and last hidden ||dL/dW||."""
    weights, biases = [w.copy() for w in net[0]], [b.copy() for b in net[1]]
    hidden = max(len(weights) - 2, 0)  # index of the last hidden layer (the first if none)
    out = np.empty((3, steps + 1))
    # Too large a rate diverges; the losses then become inf or nan, which is the result to show.
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(steps + 1):
            value, gw, gb = loss_and_gradients((weights, biases), x, y, act)
            out[:, k] = value, np.linalg.norm(gw[0]), np.linalg.norm(gw[hidden])
            if k < steps:
                for p, g in zip(weights + biases, gw + gb, strict=True):
                    p -= learning_rate * g
    return out[0], out[1], out[2]


# Run time at the defaults, sigmoid and ReLU together, OMP_NUM_THREADS=1, on the 2-core
# container: 0.55 s idle (best of 5), 1.3 s with the cores busy. The matrices are small
# (128 x 64 by 64 x 64), so two BLAS threads only add waiting: 10-15 s with the cores busy.
@lru_cache(maxsize=16)
def train(config: TrainingConfig) -> TrainingRun:
    """The run for `config`; cached, and its arrays are read-only because they are shared."""
    x, y = training_data(config)
    arrays = descend(initial_network(config), x, y, config.activation, config.learning_rate,
                     config.steps)
    for arr in arrays:
        arr.setflags(write=False)
    return TrainingRun(config, *arrays)


def loss_curve(config: TrainingConfig) -> F64:
    """L after 0, 1, ..., steps updates (read-only, steps + 1 values)."""
    return train(config).loss


def loss_after(config: TrainingConfig, step: int) -> float:
    """L after `step` updates (step 0 is the initial loss)."""
    return float(train(config).loss[step])


def relative_loss_drop(config: TrainingConfig) -> float:
    """L(steps) / L(0): 1 means nothing learned, 0.01 a hundredfold drop."""
    curve = train(config).loss
    return float(curve[-1] / curve[0])


def steps_to_fraction(config: TrainingConfig, fraction: float) -> int | None:
    """The first k with L(k) <= fraction x L(0), or None if no step of the run gets there."""
    curve = train(config).loss
    hits = np.flatnonzero(curve <= fraction * curve[0])
    return int(hits[0]) if hits.size else None


def reaches_fraction(config: TrainingConfig, fraction: float) -> bool:
    """Does some step bring L down to fraction x L(0)? (False: the screen says "not within N
    steps" where steps_to_fraction has no step to show.)"""
    return steps_to_fraction(config, fraction) is not None


def divergence_step(config: TrainingConfig) -> int | None:
    """The first step whose loss is not a finite number (the run diverged there), or None."""
    bad = np.flatnonzero(~np.isfinite(train(config).loss))
    return int(bad[0]) if bad.size else None


def diverges(config: TrainingConfig) -> bool:
    """Does the loss stop being a finite number within the run? (Then there is no end loss to show.)"""
    return divergence_step(config) is not None


# The control for the training claim: one rate could favour one activation, so each activation is
# also run at a few rates and judged at its best. The grid stops at the lecture's rate because the
# sigmoid network is stable only below about 0.11 (see the module's docstring): above it the
# sigmoid run jumps, and a larger rate would compare a diverging run with a training one.
RATE_FACTORS = (0.2, 0.5, 1.0)


def rate_grid(learning_rate: float) -> tuple[float, ...]:
    """The rates of the control: learning_rate times each of RATE_FACTORS (a fifth, a half, itself)."""
    return tuple(f * learning_rate for f in RATE_FACTORS)


def best_rate(config: TrainingConfig) -> float:
    """The rate of rate_grid(config.learning_rate) whose run ends at the lowest finite loss (the
    first such on a tie; the config's own rate if every run diverges)."""
    ends = [(float(train(replace(config, learning_rate=r)).loss[-1]), k, r)
            for k, r in enumerate(rate_grid(config.learning_rate))]
    finite = [e for e in ends if math.isfinite(e[0])]
    return min(finite)[2] if finite else config.learning_rate


def best_loss_share(config: TrainingConfig) -> float:
    """L(steps) / L(0) of the run at best_rate(config): what the activation achieves at its best rate."""
    return relative_loss_drop(replace(config, learning_rate=best_rate(config)))


def peak_over_start(config: TrainingConfig) -> float:
    """The largest finite loss of the run after step 0, over L(0): above 1, the loss jumped above its start."""
    curve = train(config).loss
    later = curve[1:][np.isfinite(curve[1:])]
    return float(later.max() / curve[0]) if later.size else math.nan
