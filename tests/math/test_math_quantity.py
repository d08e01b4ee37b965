"""Quantities: a value, the call that made it (by the function's importable name), and its screen
forms; the package's public names."""

from __future__ import annotations

import json
from typing import Any

import mpmath
import numpy as np
import pytest

import sigsat_math
from sigsat_math import (
    AUTO,
    PERCENT,
    SIG3,
    SIG4,
    Display,
    ExperimentConfig,
    Quantity,
    activations,
    backward_gradients,
    depth_profile,
    elu,
    exp_neg,
    experiment,
    gradient_norms,
    leaky_relu,
    percent_of_max,
    quantity,
    recompute,
    resolve,
    rounded_prime,
    sigmoid,
    sigmoid_complement,
    sigmoid_prime,
    total_gradient,
    weight_update,
)


def mp_sigmoid_prime(z: float) -> float:
    with mpmath.workdps(40):
        e = mpmath.exp(-mpmath.mpf(z))
        return float(e / (1 + e) ** 2)


def test_sigmoid_prime_at_5_sig3() -> None:
    q = quantity(sigmoid_prime, 5.0, style=SIG3)
    assert isinstance(q, Quantity)
    assert q.func == "sigsat_math.activations.sigmoid_prime"
    assert resolve(q.func) is sigmoid_prime is activations.sigmoid_prime
    assert q.args == (5.0,)
    assert q.pick is None
    assert q.style == SIG3
    assert q.value == pytest.approx(mp_sigmoid_prime(5.0), rel=1e-13)
    assert type(q.value) is float
    assert q.text == "0.00665"
    assert q.tex == "0.00665"


def test_default_style_is_auto() -> None:
    q = quantity(weight_update, 0.1, 0.00032)
    assert q.style == AUTO
    assert q.value == pytest.approx(3.2e-5, rel=1e-13)
    assert q.text == "3.2 × 10⁻⁵"
    assert q.tex == "3.2 \\times 10^{-5}"


def test_more_seed_quantities() -> None:
    assert quantity(percent_of_max, 5.0, style=PERCENT).text == "2.66 %"
    assert quantity(sigmoid, 5.0, style=SIG4).text == "0.9933"
    assert quantity(exp_neg, 5.0, style=SIG4).text == "0.006738"
    assert quantity(sigmoid_complement, 5.0, style=SIG4).text == "0.006693"
    assert quantity(total_gradient, 5, 0.2, style=SIG3).text == "0.00032"
    assert quantity(rounded_prime, 5.0, style=Display("fixed", 4)).text == "0.0067"
    assert quantity(sigmoid_prime, 4.0, style=SIG3).text == "0.0177"
    assert quantity(percent_of_max, 4.0, style=PERCENT).text == "7.07 %"
    assert quantity(sigmoid_prime, -5.0, style=SIG3).text == "0.00665"
    assert quantity(elu, -1.0, style=SIG3).text == "\u22120.632"


SMALL_NET = ExperimentConfig("sigmoid", 3, 5, "xavier", 0, 4)
RECORDED: list[tuple[Any, tuple[Any, ...], Display, int | None]] = [
    (sigmoid_prime, (5.0,), SIG3, None),
    (weight_update, (0.1, 0.00032), AUTO, None),
    (percent_of_max, (4.0,), PERCENT, None),
    (gradient_norms, (SMALL_NET,), SIG3, 1),
    (leaky_relu, (-2.0, 0.1), SIG3, None),
    (experiment.unit_peak_z, (SMALL_NET, 2, 3), SIG3, None),
]


@pytest.mark.parametrize("func, args, style, pick", RECORDED, ids=[r[0].__name__ for r in RECORDED])
def test_record_round_trip(
    func: Any, args: tuple[Any, ...], style: Display, pick: int | None
) -> None:
    q = quantity(func, *args, style=style, pick=pick)
    rec = json.loads(json.dumps(q.record()))  # JSON-ready
    assert rec["func"] == q.func == f"{func.__module__}.{func.__qualname__}"
    assert rec["pick"] == q.pick
    assert rec["text"] == q.text and rec["tex"] == q.tex
    # the recorded call, made again, gives the recorded value and the recorded screen forms
    value = recompute(rec)
    assert value == rec["value"] == q.value
    style = Display(rec["style"]["kind"], rec["style"]["digits"])
    assert style == q.style
    assert style.text(value) == rec["text"]
    assert style.tex(value) == rec["tex"]


def test_a_config_argument_is_recorded_as_its_fields() -> None:
    rec = quantity(gradient_norms, SMALL_NET, pick=0).record()
    assert rec["args"] == [{"activation": "sigmoid", "depth": 3, "width": 5, "init": "xavier", "seed": 0,
                            "batch": 4}]
    assert json.loads(json.dumps(rec))["args"] == rec["args"]


def test_pick_for_array_results() -> None:
    norms = gradient_norms(SMALL_NET)
    for k in range(3):
        assert quantity(gradient_norms, SMALL_NET, pick=k).value == norms[k]
    assert quantity(gradient_norms, SMALL_NET, pick=-1).value == norms[-1]
    assert quantity(depth_profile, 0.25, 3, pick=3).value == 0.015625
    q = quantity(backward_gradients, np.array([0.2, 0.5]), pick=1)
    assert q.value == pytest.approx(0.1)


def _local(z: float) -> float:
    return z


def test_only_importable_public_sigsat_math_functions() -> None:
    def inner(z: float) -> float:
        return z

    for func, why in ((lambda z: z, "<lambda>"), (inner, "<locals>"), (np.exp, "public sigsat_math"),
                      (_local, "public sigsat_math"), (experiment._hidden_pass, "public sigsat_math"),
                      (ExperimentConfig.from_params, "module-level")):
        with pytest.raises(ValueError, match=why):
            quantity(func, 1.0)


def test_resolve_finds_a_function_by_its_recorded_name() -> None:
    assert resolve("sigsat_math.experiment.measure") is experiment.measure
    with pytest.raises(AttributeError):
        resolve("sigsat_math.activations.no_such_function")
    with pytest.raises(ImportError):
        resolve("sigsat_math.no_such_module.f")


def test_quantities_are_frozen() -> None:
    q = quantity(sigmoid, 0.0)
    with pytest.raises(AttributeError):
        q.value = 1.0  # type: ignore[misc]


def test_all_names_the_public_api() -> None:
    assert len(sigsat_math.__all__) == len(set(sigsat_math.__all__))
    for name in sigsat_math.__all__:
        assert hasattr(sigsat_math, name), name
    public = {n for n, obj in vars(sigsat_math).items() if not n.startswith("_") and callable(obj)}
    assert public - set(sigsat_math.__all__) == set()
    assert "PUBLIC" not in vars(sigsat_math)
