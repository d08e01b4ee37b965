"""Quantities: a value, the call that made it, and its screen forms; the public function table."""

from __future__ import annotations

import json
from typing import Any

import mpmath
import numpy as np
import pytest

import sigsat_math
from sigsat_math import AUTO, PERCENT, SIG3, SIG4, Display, Quantity, gradient_norms, quantity
from sigsat_math.quantity import call


def mp_sigmoid_prime(z: float) -> float:
    with mpmath.workdps(40):
        e = mpmath.exp(-mpmath.mpf(z))
        return float(e / (1 + e) ** 2)


def test_sigmoid_prime_at_5_sig3() -> None:
    q = quantity("sigmoid_prime", 5.0, style=SIG3)
    assert isinstance(q, Quantity)
    assert q.func == "sigmoid_prime"
    assert q.args == (5.0,)
    assert q.pick is None
    assert q.style == SIG3
    assert q.value == pytest.approx(mp_sigmoid_prime(5.0), rel=1e-13)
    assert type(q.value) is float
    assert q.text == "0.00665"
    assert q.tex == "0.00665"


def test_default_style_is_auto() -> None:
    q = quantity("weight_update", 0.1, 0.00032)
    assert q.style == AUTO
    assert q.value == pytest.approx(3.2e-5, rel=1e-13)
    assert q.text == "3.2 × 10⁻⁵"
    assert q.tex == "3.2 \\times 10^{-5}"


def test_more_seed_quantities() -> None:
    assert quantity("percent_of_max", 5.0, style=PERCENT).text == "2.66 %"
    assert quantity("sigmoid", 5.0, style=SIG4).text == "0.9933"
    assert quantity("exp_neg", 5.0, style=SIG4).text == "0.006738"
    assert quantity("sigmoid_complement", 5.0, style=SIG4).text == "0.006693"
    assert quantity("total_gradient", 5, 0.2, style=SIG3).text == "0.00032"
    assert quantity("rounded_prime", 5.0, style=Display("fixed", 4)).text == "0.0067"
    assert quantity("sigmoid_prime", 4.0, style=SIG3).text == "0.0177"
    assert quantity("percent_of_max", 4.0, style=PERCENT).text == "7.07 %"
    assert quantity("sigmoid_prime", -5.0, style=SIG3).text == "0.00665"
    assert quantity("elu", -1.0, style=SIG3).text == "\u22120.632"


RECORDED: list[tuple[str, tuple[Any, ...], Display, int | None]] = [
    ("sigmoid_prime", (5.0,), SIG3, None),
    ("weight_update", (0.1, 0.00032), AUTO, None),
    ("percent_of_max", (4.0,), PERCENT, None),
    ("gradient_norms", ("sigmoid", 3, 5, "xavier", 0, 4), SIG3, 1),
    ("activation_value", ("leaky_relu", -2.0, 0.1), SIG3, None),
]


@pytest.mark.parametrize("func, args, style, pick", RECORDED, ids=[r[0] for r in RECORDED])
def test_record_round_trip(
    func: str, args: tuple[Any, ...], style: Display, pick: int | None
) -> None:
    q = quantity(func, *args, style=style, pick=pick)
    rec = json.loads(json.dumps(q.record()))  # JSON-ready
    assert rec["func"] == q.func
    assert rec["pick"] == q.pick
    assert rec["text"] == q.text and rec["tex"] == q.tex
    # the recorded call, made again, gives the recorded value and the recorded screen forms
    value = call(rec["func"], tuple(rec["args"]), rec["pick"])
    assert value == rec["value"] == q.value
    style = Display(rec["style"]["kind"], rec["style"]["digits"])
    assert style == q.style
    assert style.text(value) == rec["text"]
    assert style.tex(value) == rec["tex"]
    again = quantity(rec["func"], *rec["args"], style=style, pick=rec["pick"])
    assert again == q


def test_pick_for_array_results() -> None:
    args = ("sigmoid", 3, 5, "xavier", 0, 4)
    norms = gradient_norms(*args)
    for k in range(3):
        assert quantity("gradient_norms", *args, pick=k).value == norms[k]
    assert quantity("gradient_norms", *args, pick=-1).value == norms[-1]
    assert quantity("depth_profile", 0.25, 3, pick=3).value == 0.015625
    q = quantity("backward_gradients", np.array([0.2, 0.5]), pick=1)
    assert q.value == pytest.approx(0.1)


@pytest.mark.parametrize("name", ["no_such_function", "Display", "_as_float_array", "call",
                                  "PUBLIC", "np", "ACTIVATIONS"])
def test_unknown_function_raises_key_error(name: str) -> None:
    with pytest.raises(KeyError) as err:
        quantity(name, 1.0)
    assert name in str(err.value)
    with pytest.raises(KeyError):
        call(name, (1.0,))


def test_quantities_are_frozen() -> None:
    q = quantity("sigmoid", 0.0)
    with pytest.raises(AttributeError):
        q.value = 1.0  # type: ignore[misc]


def test_public_table_and_all() -> None:
    public = sigsat_math.PUBLIC
    assert set(public) <= set(sigsat_math.__all__)
    extras = set(sigsat_math.__all__) - set(public)
    assert extras == {"ACTIVATIONS", "AUTO", "BallRun", "DEFAULTS", "Display", "INT", "PERCENT",
                      "ParamError", "Params", "Quantity", "SIG3", "SIG4", "TrainingConfig",
                      "TrainingRun"}
    assert len(sigsat_math.__all__) == len(set(sigsat_math.__all__))
    for name in sigsat_math.__all__:
        assert hasattr(sigsat_math, name), name
    for name, fn in public.items():
        assert callable(fn) and not isinstance(fn, type)
        assert fn is getattr(sigsat_math, name)
    for name in ("sigmoid_prime", "measure", "gradient_norms", "quantity", "load", "push_ball",
                 "rounded_working", "ball_position", "mean_slope"):
        assert name in public
