"""A real multilayer perceptron in numpy: how big a gradient reaches each layer.

The network: `depth` hidden layers of `width` units with the given activation, then one linear
output unit, trained on nothing: one forward and one backward pass of the mean squared error
on a fixed random batch. Forward and backward are written out, so the chain rule the lecture
talks about is exactly the code below.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

from .activations import activation

F64 = npt.NDArray[np.float64]
INITS = ("xavier", "he", "normal")


@dataclass(frozen=True)
class Network:
    """Weights W[l] of shape (fan_in, fan_out) and biases b[l], first layer first."""

    weights: tuple[F64, ...]
    biases: tuple[F64, ...]


def init_std(init: str, fan_in: int, fan_out: int) -> float:
    """Standard deviation of the initial weights: Xavier/Glorot sqrt(2/(in+out)), He sqrt(2/in),
    or 1."""
    if init == "xavier":
        return math.sqrt(2.0 / (fan_in + fan_out))
    if init == "he":
        return math.sqrt(2.0 / fan_in)
    if init == "normal":
        return 1.0
    raise ValueError(f"unknown init {init!r}; known: {', '.join(INITS)}")


def init_network(depth: int, width: int, n_in: int, init: str, rng: np.random.Generator) -> Network:
    """Random weights for `depth` hidden layers of `width` units and one linear output unit."""
    sizes = [n_in] + [width] * depth + [1]
    ws = tuple(
        rng.normal(0.0, init_std(init, a, b), size=(a, b))
        for a, b in zip(sizes[:-1], sizes[1:], strict=True)
    )
    bs = tuple(np.zeros(b) for b in sizes[1:])
    return Network(ws, bs)


def forward(net: Network, x: F64, act: str) -> tuple[list[F64], list[F64]]:
    """Pre-activations z[l] and activations a[l] (a[0] = x); the last layer is linear."""
    f, _ = activation(act)
    a_list: list[F64] = [x]
    z_list: list[F64] = []
    last = len(net.weights) - 1
    for i, (w, b) in enumerate(zip(net.weights, net.biases, strict=True)):
        z = a_list[-1] @ w + b
        z_list.append(z)
        a_list.append(z if i == last else np.asarray(f(z)))
    return z_list, a_list


def loss(net: Network, x: F64, y: F64, act: str) -> float:
    """Mean squared error 1/(2N) sum (out - y)^2 of the network on the batch."""
    _, a = forward(net, x, act)
    return float(0.5 * np.mean((a[-1] - y) ** 2) * a[-1].shape[1])


def backward(net: Network, x: F64, y: F64, act: str) -> tuple[list[F64], list[F64], list[F64]]:
    """dL/dW[l], dL/db[l] by the chain rule, and the pre-activations z[l] seen on the way."""
    _, fprime = activation(act)
    z, a = forward(net, x, act)
    n = x.shape[0]
    delta = (a[-1] - y) / n  # dL/dz at the linear output
    grads_w: list[F64] = [np.empty(0)] * len(net.weights)
    grads_b: list[F64] = [np.empty(0)] * len(net.weights)
    for layer in range(len(net.weights) - 1, -1, -1):
        grads_w[layer] = a[layer].T @ delta
        grads_b[layer] = delta.sum(axis=0)
        if layer > 0:
            # Through the weights, then through this layer's activation: the factor f'(z).
            delta = (delta @ net.weights[layer].T) * np.asarray(fprime(z[layer - 1]))
    return grads_w, grads_b, z


@dataclass(frozen=True)
class Measurement:
    """Per hidden layer (first layer first): gradient norm, mean |f'(z)|, share of exact zeros."""

    activation: str
    grad_norm: F64
    mean_slope: F64
    zero_share: F64

    @property
    def last_over_first(self) -> float:
        """Gradient norm at the last hidden layer divided by the norm at the first."""
        return float(self.grad_norm[-1] / self.grad_norm[0])


@dataclass(frozen=True)
class ExperimentConfig:
    """One measured network: its activation, `depth` hidden layers of `width` units, the weight
    init, the seed (inputs and targets from `seed`, weights from `seed + 1`) and the batch size."""

    activation: str
    depth: int
    width: int
    init: str
    seed: int
    batch: int

    @classmethod
    def from_params(cls, experiment: Any, activation: str) -> ExperimentConfig:
        """The network of the `experiment` parameters (any object with depth, width, init, seed and
        batch) with the given activation."""
        e = experiment
        return cls(activation, e.depth, e.width, e.init, e.seed, e.batch)


@lru_cache(maxsize=8)
def _hidden_pass(config: ExperimentConfig) -> tuple[tuple[F64, ...], tuple[F64, ...]]:
    """Hidden pre-activations z[l] and weight gradients dL/dW[l] (first layer first) of one forward
    and one backward pass on the fixed batch."""
    c = config
    rng = np.random.default_rng(c.seed)
    x = rng.normal(size=(c.batch, c.width))
    y = rng.normal(size=(c.batch, 1))
    # The same weights for every activation, so that only the activation differs.
    net = init_network(c.depth, c.width, c.width, c.init, np.random.default_rng(c.seed + 1))
    gw, _, z = backward(net, x, y, c.activation)
    for arr in (*z, *gw):
        arr.setflags(write=False)
    return tuple(z[:c.depth]), tuple(gw[:c.depth])


@lru_cache(maxsize=32)
def measure(config: ExperimentConfig) -> Measurement:
    """One backward pass on a fixed batch: ||dL/dW|| (Frobenius) reaching each hidden layer."""
    z, gw = _hidden_pass(config)
    f, fprime = activation(config.activation)
    norms = np.array([np.linalg.norm(g) for g in gw])
    slopes = np.array([np.mean(np.abs(fprime(zl))) for zl in z])
    zeros = np.array([np.mean(np.asarray(f(zl)) == 0.0) for zl in z])
    for arr in (norms, slopes, zeros):
        arr.setflags(write=False)  # cached and shared: nobody may change a measurement
    return Measurement(config.activation, norms, slopes, zeros)


def gradient_norms(config: ExperimentConfig) -> F64:
    """The measured gradient norm per hidden layer, first layer first."""
    return measure(config).grad_norm


def last_over_first(config: ExperimentConfig) -> float:
    """Measured gradient norm at the last hidden layer over the norm at the first."""
    return measure(config).last_over_first


def first_over_last(config: ExperimentConfig) -> float:
    """Measured gradient norm at the first hidden layer over the norm at the last."""
    return 1.0 / last_over_first(config)


def zero_share(config: ExperimentConfig) -> float:
    """Share of exact zeros among all hidden activations on the batch (ReLU's sparsity)."""
    return float(np.mean(measure(config).zero_share))


# One unit of the measured network, for the dying-ReLU picture. Layers and units are counted
# from 1, as the screen shows them.
def dead_share(config: ExperimentConfig) -> float:
    """Share of hidden units whose pre-activation is <= 0 on every example (dead under ReLU)."""
    z, _ = _hidden_pass(config)
    return float(np.mean(np.concatenate([np.all(zl <= 0.0, axis=0) for zl in z])))


def quietest_unit(config: ExperimentConfig) -> F64:
    """[layer, unit] (from 1) of the hidden unit whose largest pre-activation over the batch is lowest."""
    z, _ = _hidden_pass(config)
    peaks = np.array([zl.max(axis=0) for zl in z])
    layer, unit = np.unravel_index(int(np.argmin(peaks)), peaks.shape)
    return np.array([layer + 1, unit + 1], dtype=np.float64)


def unit_preactivations(config: ExperimentConfig, layer: int, unit: int) -> F64:
    """z of hidden unit `unit` in layer `layer` (both from 1) on every example of the batch."""
    z, _ = _hidden_pass(config)
    return z[int(layer) - 1][:, int(unit) - 1]


def unit_peak_z(config: ExperimentConfig, layer: int, unit: int) -> float:
    """The largest z of one hidden unit over the batch (<= 0: the unit is dead under ReLU)."""
    return float(unit_preactivations(config, layer, unit).max())


def unit_median_z(config: ExperimentConfig, layer: int, unit: int) -> float:
    """The median z of one hidden unit over the batch: its typical input."""
    return float(np.median(unit_preactivations(config, layer, unit)))


def unit_weight_gradient(config: ExperimentConfig, layer: int, unit: int) -> float:
    """||dL/dw|| for the weights into one hidden unit: exactly 0 when f'(z) = 0 on every example."""
    _, gw = _hidden_pass(config)
    return float(np.linalg.norm(gw[int(layer) - 1][:, int(unit) - 1]))


# Where the measured network's z values fall: the two mechanisms behind its vanishing gradient.
# The cap sigma' <= 1/4 holds for every unit, always; saturation (|z| past the threshold) is per unit
# and shrinks that unit's factor much further. These say which one the measured network shows.
def hidden_z(config: ExperimentConfig) -> F64:
    """Every hidden pre-activation z of the measured pass (all layers, all examples), in one array."""
    z, _ = _hidden_pass(config)
    return np.concatenate([zl.ravel() for zl in z])


def saturated_share(config: ExperimentConfig, threshold: float, inclusive: bool = True) -> float:
    """Share of hidden z with |z| >= threshold (> threshold when not inclusive): the saturated inputs."""
    size = np.abs(hidden_z(config))
    return float(np.mean(size >= threshold if inclusive else size > threshold))


def median_abs_z(config: ExperimentConfig) -> float:
    """The median |z| over every hidden pre-activation of the measured pass: a typical input's size."""
    return float(np.median(np.abs(hidden_z(config))))


def mean_slope(config: ExperimentConfig) -> float:
    """Mean |f'(z)| over every hidden pre-activation: the activation's factor per layer on average."""
    _, fprime = activation(config.activation)
    return float(np.mean(np.abs(fprime(hidden_z(config)))))


def z_shares(config: ExperimentConfig, edges: tuple[float, ...]) -> F64:
    """Share of all hidden z in each bin [edges[i], edges[i+1]) (the last bin closed); z outside the
    edges counts in no bin."""
    counts, _ = np.histogram(hidden_z(config), bins=np.asarray(edges, dtype=np.float64))
    return np.asarray(counts / hidden_z(config).size, dtype=np.float64)
