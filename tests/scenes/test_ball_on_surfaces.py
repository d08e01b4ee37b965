"""The ball chapter: gradient descent on four real surfaces, the same steps, the ball exactly where the
model puts it (downhill); the plateau kept clear of problem 1's z; the measured network's answer to
"why not bigger steps?"."""

from __future__ import annotations

import math

import av
import numpy as np
import pytest

from scenes.theme import DARK
from sigsat_math import DEFAULTS, ExperimentConfig, first_over_last, params
from tests.conftest import recompute_ledger

pytestmark = pytest.mark.slow

# key of the start parameter -> (activation, the chapter's short name used in ledger labels)
SURFACES = {
    "plateau_z": ("sigmoid", "sigmoid, far out"),
    "center_z": ("sigmoid", "sigmoid, centre"),
    "relu_positive_z": ("relu", "ReLU, z > 0"),
    "relu_negative_z": ("relu", "ReLU, z < 0"),
}
SECTIONS = ["intro", "four surfaces", "distances", "bigger steps", "conclusion"]


# An independent reference: closed forms in plain math, the push rule written out again.
def f(name: str, z: float) -> float:
    if name == "relu":
        return max(z, 0.0)
    return 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))


def slope(name: str, z: float) -> float:
    if name == "relu":
        return 1.0 if z > 0 else 0.0
    e = math.exp(-abs(z))
    return e / (1 + e) ** 2


def run(name: str, z0: float, rate: float, steps: int) -> list[float]:
    """Gradient descent written out again: downhill, against the slope."""
    zs = [z0]
    for _ in range(steps):
        zs.append(zs[-1] - rate * slope(name, zs[-1]))
    return zs


def start(p: params.Params, key: str) -> float:
    """Where the chapter starts a ball: the parameter, but the plateau at least 1 away from
    problem 1's |z| (written out again: the chapter must not show sigma' there)."""
    z = getattr(p.ball, key)
    avoid = abs(p.problem1.z)
    if key == "plateau_z" and abs(abs(z) - avoid) < 1:
        return math.copysign(avoid + 1, z)
    return z


def rows(data: dict) -> dict[str, dict]:
    return {row["label"]: row for row in data["ledger"]}


def check_model_rows(data: dict, p: params.Params) -> None:
    """Every position, slope, step and distance in the ledger is the reference model's."""
    b, led = p.ball, rows(data)
    for key, (name, short) in SURFACES.items():
        zs = run(name, start(p, key), b.push, b.pushes)
        assert led[f"{short}: start z"]["value"] == zs[0]
        for k, z in enumerate(zs):
            assert led[f"{short}: z after {k}"]["value"] == pytest.approx(z, abs=1e-12)
            assert led[f"{short}: slope after {k}"]["value"] == pytest.approx(slope(name, z),
                                                                              rel=1e-9, abs=1e-15)
        for k in range(b.pushes):
            assert led[f"{short}: step {k + 1}"]["value"] == pytest.approx(zs[k] - zs[k + 1],
                                                                           abs=1e-12)
            assert led[f"{short}: step {k + 1}"]["value"] >= 0  # downhill, never up
        assert led[f"{short}: distance, compared"]["value"] == pytest.approx(zs[0] - zs[-1],
                                                                             abs=1e-12)
        assert f"{short}: z after {b.pushes + 1}" not in led


def resting_error(ball, surf, name: str, z: float) -> tuple[float, float]:
    """How far the ball is from touching the drawn curve, and how far along z from the model."""
    axes = surf.axes
    zs = np.linspace(z - 1.5, z + 1.5, 30001)
    curve = np.array([axes.c2p(t, f(name, t)) for t in zs])
    gaps = np.linalg.norm(curve - ball.get_center(), axis=1)
    i = int(np.argmin(gaps))
    return abs(gaps[i] - ball.width / 2), abs(zs[i] - z)


def check_final_positions(data: dict, p: params.Params) -> None:
    scene, b = data["scene_object"], p.ball
    for key, (name, _) in SURFACES.items():
        ball, surf = scene.minis[key]
        z_end = run(name, start(p, key), b.push, b.pushes)[-1]
        touch, along = resting_error(ball, surf, name, z_end)
        assert touch < 1e-3, key  # resting on the curve, not sunk in or floating
        assert along < 2e-3, key  # at the model's z (a kink-free stretch of every curve)


# 480x270: at the conftest's 192 px, Pango wraps long Text lines (its canvas is the frame in
# pixels), and the layout would no longer be the one a real render shows.
SIZE = {"pixel_width": 480, "pixel_height": 270}
SHORT = ["ball.push=1.5", "ball.pushes=1"]
_renders: dict[tuple[str, ...], dict] = {}


@pytest.fixture(scope="module")
def text_dir(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One Pango cache for the module's renders, which all share one pixel size."""
    return str(tmp_path_factory.mktemp("texts"))


def rendered(render_chapter, text_dir: str, overrides: tuple[str, ...] = (),
             movie: bool = False) -> dict:
    """Each parameter set rendered once for the whole module (the default one as a movie)."""
    if overrides not in _renders:
        p = params.load(None, list(overrides))
        # 5 fps: every ball rests at least 0.35 s, so some frame always shows it at rest.
        _renders[overrides] = render_chapter("ball_on_surfaces", "BallOnSurfaces", p,
                                             movie=movie, text_dir=text_dir, frame_rate=5,
                                             **SIZE)
        _renders[overrides]["p"] = p
    return _renders[overrides]


def check_layout(data: dict) -> None:
    assert [s["name"] for s in data["sections"]] == SECTIONS
    for section in data["sections"]:
        assert section["layout"] == [], section["name"]
    assert {c["section"] for c in data["cues"]} == set(SECTIONS)


def test_ledger_layout_and_where_the_balls_end(render_chapter, text_dir):
    data = rendered(render_chapter, text_dir, movie=True)
    assert recompute_ledger(data["ledger"]) == []
    check_model_rows(data, DEFAULTS)
    check_final_positions(data, DEFAULTS)
    check_layout(data)
    text = {label: row["text"] for label, row in rows(data).items()}
    # The lesson's lines, at the default parameters, as the viewer reads them.
    assert text["sigmoid, far out: slope after 0"] == "0.00247"  # sigma'(6): not problem 1's sigma'(5)
    assert text["sigmoid, centre: slope after 0"] == "0.197"
    assert text["max sigma'"] == "0.25"
    assert text["ReLU, z > 0: slope after 0"] == "1"
    assert text["ReLU, z < 0: slope after 0"] == "0"
    assert text["ReLU, z > 0: distance, compared"] == "3.2"
    assert text["ReLU, z < 0: distance, compared"] == "0"
    plateau = run("sigmoid", 6.0, 0.8, 4)
    assert text["sigmoid, far out: distance, compared"] == f"{plateau[0] - plateau[-1]:.3g}" == "0.00792"
    assert text["learning rate"] == "0.8" and text["steps"] == "4"
    assert text["sigmoid, far out: saturation threshold"] == "3"
    # "Why not bigger steps?": the measured network's own first/last ratio, said as a magnitude.
    ratio = first_over_last(ExperimentConfig.from_params(DEFAULTS.experiment, "sigmoid"))
    assert rows(data)["measured network: first / last layer gradient"]["value"] == ratio
    assert 1e-7 < ratio < 1e-5  # about a millionth: no one step size fits both
    said = " ".join(b["text"] for b in data["beats"] if b["section"] == "bigger steps")
    assert "about four hundred thousand times smaller than the last's" in said
    # The ball rolls downhill: every start is above where it ends, on every surface that slopes.
    for key, (name, _) in SURFACES.items():
        zs = run(name, start(DEFAULTS, key), DEFAULTS.ball.push, DEFAULTS.ball.pushes)
        assert f(name, zs[-1]) <= f(name, zs[0])


def test_push_and_pushes_change_every_motion(render_chapter, text_dir):
    data = rendered(render_chapter, text_dir, tuple(SHORT))
    assert recompute_ledger(data["ledger"]) == []
    check_model_rows(data, data["p"])
    check_final_positions(data, data["p"])
    check_layout(data)
    text = {label: row["text"] for label, row in rows(data).items()}
    assert text["learning rate"] == "1.5" and text["steps"] == "1"
    assert text["ReLU, z > 0: distance, compared"] == "1.5"
    assert text["ReLU, z < 0: distance, compared"] == "0"
    default = rows(rendered(render_chapter, text_dir, movie=True))
    moved = {k for k, row in rows(data).items() if k in default and row["value"] != default[k]["value"]}
    # Every ball that moves moves differently; ReLU's negative side stays exactly where it was.
    assert not any(k.startswith("ReLU, z < 0") for k in moved)
    for short in ("sigmoid, far out", "sigmoid, centre", "ReLU, z > 0"):
        assert f"{short}: distance, compared" in moved


def test_moving_the_plateau_changes_only_the_plateau(render_chapter, text_dir):
    base = rows(rendered(render_chapter, text_dir, tuple(SHORT)))
    data = rendered(render_chapter, text_dir, (*SHORT, "ball.plateau_z=8"))
    assert recompute_ledger(data["ledger"]) == []
    check_model_rows(data, data["p"])
    check_final_positions(data, data["p"])
    check_layout(data)
    moved = rows(data)
    assert moved.keys() == base.keys()
    changed = {k for k in base if base[k]["value"] != moved[k]["value"]}
    plateau = {k for k in base if k.startswith("sigmoid, far out:")}
    # What does not depend on where the ball starts: the threshold, and the steps' numbering.
    unmoved = {"sigmoid, far out: saturation threshold", "sigmoid, far out: step number 1"}
    assert changed == plateau - unmoved
    assert moved["sigmoid, far out: slope after 0"]["text"] == "0.000335"


def frames_at(path: str, times: list[float]) -> dict[float, np.ndarray]:
    """The first frame at or after each time."""
    out, todo = {}, sorted(times)
    with av.open(path) as clip:
        for frame in clip.decode(video=0):
            while todo and frame.time is not None and frame.time >= todo[0]:
                out[todo.pop(0)] = frame.to_ndarray(format="rgb24").astype(float)
            if not todo:
                break
    assert not todo, f"no frames at {todo}"
    return out


def to_pixels(point: np.ndarray, w: int, h: int) -> np.ndarray:
    """A scene point as (column, row) in a w x h frame (the frame is 8 units high)."""
    unit = h / 8
    return np.array([w / 2 + point[0] * unit, h / 2 - point[1] * unit])


def test_drawn_ball_follows_the_model_frame_by_frame(render_chapter, text_dir):
    data = rendered(render_chapter, text_dir, movie=True)
    scene, b = data["scene_object"], DEFAULTS.ball
    # Every rest of the two balls that move far; the others at their last.
    picks = [r for r in scene.rests if r["key"] in ("center_z", "relu_positive_z")
             or r["k"] == b.pushes]
    shots = frames_at(data["movie"], [r["time"] + 0.05 for r in picks])
    ball_rgb = np.array([int(DARK.ball[i:i + 2], 16) for i in (1, 3, 5)], float)
    for r in picks:
        image = shots[r["time"] + 0.05]
        h, w, _ = image.shape
        name = SURFACES[r["key"]][0]
        ball, surf = scene.minis[r["key"]]
        z = run(name, start(DEFAULTS, r["key"]), b.push, b.pushes)[r["k"]]
        # Where the model puts the ball: touching the curve at (z, f(z)), off the normal.
        p0 = surf.axes.c2p(z, f(name, z))
        t = surf.axes.c2p(z + 1, f(name, z) + slope(name, z)) - p0
        normal = np.array([-t[1], t[0], 0.0]) / np.linalg.norm(t)
        expected = to_pixels(p0 + ball.width / 2 * normal, w, h)
        # Look only inside this surface's box, where nothing else has the ball's colour.
        left, top = to_pixels(surf.get_corner(np.array([-1, 1, 0])), w, h).astype(int)
        right, bottom = to_pixels(surf.get_corner(np.array([1, -1, 0])), w, h).astype(int)
        crop = image[top:bottom + 1, left:right + 1]
        ys, xs = np.nonzero(np.abs(crop - ball_rgb).max(axis=2) < 60)
        assert len(xs) > 20, r
        found = np.array([xs.mean() + left + 0.5, ys.mean() + top + 0.5])  # pixel centres
        assert np.abs(found - expected).max() < 1.5, (r, found, expected)
    assert len(picks) == 2 * (b.pushes + 1) + 2


def test_the_inset_windows_read_as_separate_windows():
    """ReLU's two windows overlap a little at the defaults: the inset draws them apart, each
    giving way only to the middle of the overlap."""
    from scenes.widgets.ball import SurfaceSet, get_inset_map
    from sigsat_math import descend

    b = DEFAULTS.ball
    runs = {k: descend(name, start(DEFAULTS, k), b.push, b.pushes) for k, (name, _) in SURFACES.items()}
    windows = SurfaceSet(runs, 1.0).windows
    neg, pos = windows["relu_negative_z"], windows["relu_positive_z"]
    assert neg[1] > pos[0]  # they do overlap, by 0.1 at the defaults
    inset = get_inset_map("relu", "relu", DEFAULTS.curves.z_max,
                          [(windows[k], runs[k].z[0], k) for k in ("relu_negative_z", "relu_positive_z")],
                          5.0, 1.9, "").inset
    (a, b_), axes = inset.bands, inset.axes
    assert b_.get_left()[0] - a.get_right()[0] > 0.05  # a visible gap between the two bands
    middle = axes.c2p((neg[1] + pos[0]) / 2, 0)[0]
    assert a.get_right()[0] < middle < b_.get_left()[0]
    assert abs(a.get_left()[0] - axes.c2p(neg[0], 0)[0]) < 1e-9
    assert abs(b_.get_right()[0] - axes.c2p(pos[1], 0)[0]) < 1e-9


def test_the_chapter_opens_on_the_picture_the_learning_goal_ends_on(render_chapter, text_dir):
    """Chapter 1's last frame and chapter 2's first are the same picture (the background: chapter 1
    fades out, chapter 2 draws in): the cut between the clips does not show."""
    ball = rendered(render_chapter, text_dir, movie=True)
    goal = render_chapter("learning_goal", "LearningGoal", text_dir=text_dir, **SIZE)
    from PIL import Image

    last = np.asarray(Image.open(goal["last_frame"]).convert("RGB"), dtype=float)
    first = frames_at(ball["movie"], [0.0])[0.0]
    assert last.shape == first.shape
    diff = np.abs(last - first).max(axis=2)
    assert diff.mean() < 2 and np.percentile(diff, 99.5) < 40, (diff.mean(), np.percentile(diff, 99.5))


@pytest.mark.parametrize("z", ["6", "-6.5"])
def test_the_chapter_never_answers_problem_1(render_chapter, text_dir, z):
    """The ball comes before practice problem 1: whatever problem1.z is, no slope the chapter shows
    or says is sigma'(problem1.z) (or within its first two figures)."""
    data = rendered(render_chapter, text_dir, (*SHORT, f"problem1.z={z}"))
    assert recompute_ledger(data["ledger"]) == []
    check_model_rows(data, data["p"])
    check_layout(data)
    answer = slope("sigmoid", float(z))
    for row in data["ledger"]:
        if "slope" in row["label"] and row["value"] > 0:
            assert abs(row["value"] / answer - 1) > 0.3, (row["label"], row["text"])
    plateau = rows(data)["sigmoid, far out: start z"]["value"]
    assert abs(abs(plateau) - abs(float(z))) >= 1
