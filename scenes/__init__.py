"""The lecture's chapters, in order: each a manim Scene in its own file."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Chapter:
    """A chapter: its slug (file name in scenes/), its Scene class and its title."""

    slug: str
    scene: str
    title: str


CHAPTERS: tuple[Chapter, ...] = (
    Chapter("learning_goal", "LearningGoal", "Learning goal"),
    # The picture before the formulas: the ball gives the intuition the sigmoid chapter then explains.
    Chapter("ball_on_surfaces", "BallOnSurfaces", "A ball rolling downhill"),
    Chapter("sigmoid_curves", "SigmoidCurves", "The sigmoid and its derivative"),
    Chapter("layer_by_layer", "LayerByLayer", "Layer by layer"),
    Chapter("problem1_sigma_prime", "Problem1SigmaPrime", "Practice problem 1"),
    Chapter("problem2_chain_product", "Problem2ChainProduct", "Practice problem 2"),
    Chapter("measured_network", "MeasuredNetwork", "Measured: a real deep network"),
    Chapter("relu_and_variants", "ReluAndVariants", "ReLU, the dying ReLU and its variants"),
    Chapter("key_takeaways", "KeyTakeaways", "Key takeaways"),
)
