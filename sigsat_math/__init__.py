"""Every quantity the sigmoid-saturation lecture shows, computed and tested with numpy.

numpy and the standard library only: no manim, no I/O beyond reading a params file.
"""

from __future__ import annotations

from .activations import (
    ACTIVATIONS,
    activation,
    elu,
    elu_prime,
    gelu,
    gelu_prime,
    gelu_prime_root,
    leaky_relu,
    leaky_relu_prime,
    normal_cdf,
    relu,
    relu_prime,
    sigmoid,
    sigmoid_prime,
)
from .ball import BallRun, ball_distance, ball_position, ball_slope, ball_step, clear_of, descend
from .chain import (
    backward_gradients,
    depth_profile,
    layers_until_below,
    link_factor,
    total_gradient,
    weight_update,
)
from .display import AUTO, INT, PERCENT, SIG3, SIG4, Display
from .experiment import (
    ExperimentConfig,
    Measurement,
    dead_share,
    first_over_last,
    gradient_norms,
    last_over_first,
    measure,
    quietest_unit,
    unit_median_z,
    unit_peak_z,
    unit_preactivations,
    unit_weight_gradient,
    zero_share,
)
from .lesson import (
    exp_neg,
    identity,
    mean_layer_factor,
    one_plus_exp_neg,
    percent_of_max,
    rounded_complement,
    rounded_prime,
    rounded_sigmoid,
    rounded_working,
    sigmoid_complement,
    times_smaller_than_max,
)
from .params import DEFAULTS, ParamError, Params, load
from .quantity import Quantity, quantity, recompute, resolve
from .saturation import (
    fraction_of_max,
    is_saturated,
    saturation_z,
    shrinking_weight_limit,
    sigmoid_prime_max,
)
from .spoken import integer_words, numeral_words, speak
from .training import (
    TrainingConfig,
    TrainingRun,
    divergence_step,
    diverges,
    loss_after,
    loss_curve,
    reaches_fraction,
    relative_loss_drop,
    steps_to_fraction,
    train,
)

__all__ = [
    # activations
    "ACTIVATIONS", "activation", "elu", "elu_prime", "gelu", "gelu_prime", "gelu_prime_root", "leaky_relu",
    "leaky_relu_prime", "normal_cdf", "relu", "relu_prime", "sigmoid", "sigmoid_prime",
    # saturation
    "fraction_of_max", "is_saturated", "saturation_z", "sigmoid_prime_max",
    # the ball
    "BallRun", "ball_distance", "ball_position", "ball_slope", "ball_step", "clear_of", "descend",
    # the chain rule
    "backward_gradients", "depth_profile", "layers_until_below", "total_gradient", "weight_update",
    # the measured network
    "ExperimentConfig", "Measurement", "dead_share", "first_over_last", "gradient_norms",
    "last_over_first", "measure", "quietest_unit", "unit_median_z", "unit_peak_z",
    "unit_preactivations", "unit_weight_gradient", "zero_share",
    # the lesson's own quantities
    "exp_neg", "identity", "mean_layer_factor", "one_plus_exp_neg", "percent_of_max",
    "rounded_complement", "rounded_prime", "rounded_sigmoid", "rounded_working",
    "sigmoid_complement", "times_smaller_than_max",
    # display, quantities, parameters
    "AUTO", "INT", "PERCENT", "SIG3", "SIG4", "Display", "Quantity", "quantity", "recompute", "resolve",
    "DEFAULTS", "ParamError", "Params", "load",
]
__all__ += ["integer_words", "numeral_words", "speak"]
__all__ += ["TrainingConfig", "TrainingRun", "loss_after", "loss_curve", "relative_loss_drop",
            "steps_to_fraction", "train"]
__all__ += ["divergence_step", "diverges", "link_factor", "reaches_fraction", "shrinking_weight_limit"]

from .lesson import times_smaller  # noqa: E402
from .spoken import magnitude_words  # noqa: E402

__all__ += ["magnitude_words", "times_smaller"]
from .experiment import hidden_z, mean_slope, median_abs_z, saturated_share, z_shares  # noqa: E402
from .training import RATE_FACTORS, best_loss_share, best_rate, peak_over_start, rate_grid  # noqa: E402

__all__ += ["hidden_z", "mean_slope", "median_abs_z", "saturated_share", "z_shares"]
__all__ += ["RATE_FACTORS", "best_loss_share", "best_rate", "peak_over_start", "rate_grid"]
