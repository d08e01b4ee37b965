"""Lecture parameters: defaults, TOML round trip, overrides, and one-line errors for bad input."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sigsat_math import DEFAULTS, ParamError, Params, load
from sigsat_math.params import Spec, build, parse_override, specs, to_toml


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def one_line_error(exc: pytest.ExceptionInfo[ParamError], *fragments: str) -> str:
    msg = str(exc.value)
    assert "\n" not in msg and "\r" not in msg, msg
    for frag in fragments:
        assert frag in msg, (frag, msg)
    return msg


# ---------------------------------------------------------------- defaults


def test_defaults_are_the_lesson() -> None:
    p = DEFAULTS
    assert p == Params() == load()
    assert p.theme == "dark"
    assert p.lesson.title == "Sigmoid Saturation"
    assert p.lesson.author == "Joerg Osterrieder" and p.lesson.year == 2025
    assert p.curves.threshold == 3.0 and p.curves.inclusive is True
    assert p.problem1.z == 5.0
    assert (p.problem2.layers, p.problem2.gradient, p.problem2.learning_rate) == (5, 0.2, 0.1)
    assert (p.experiment.depth, p.experiment.width, p.experiment.init, p.experiment.seed,
            p.experiment.batch) == (10, 64, "xavier", 0, 128)
    assert (p.training.steps, p.training.learning_rate, p.training.task,
            p.training.fraction) == (200, 0.1, "teacher", 0.5)


def test_defaults_satisfy_their_own_specs() -> None:
    flat = DEFAULTS.flat()
    known = specs()
    assert list(flat) == list(known)
    for key, value in flat.items():
        assert type(value) is known[key].type, (key, value)
    assert build(flat) == DEFAULTS


def test_get_flat_subset() -> None:
    assert DEFAULTS.get("problem1.z") == 5.0
    assert DEFAULTS.get("theme") == "dark"
    assert DEFAULTS.subset(["problem2.layers", "problem1.z"]) == {
        "problem1.z": 5.0, "problem2.layers": 5}
    assert "experiment.init" in DEFAULTS.flat()


def test_params_are_frozen() -> None:
    p = load()
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.theme = "light"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.problem1.z = 4.0  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEFAULTS.problem2 = DEFAULTS.problem2  # type: ignore[misc]


# ---------------------------------------------------------------- TOML round trip


def test_to_toml_round_trip_defaults(tmp_path: Path) -> None:
    f = write(tmp_path / "p.toml", to_toml(DEFAULTS))
    assert load(f) == DEFAULTS
    assert load(str(f)) == DEFAULTS


def test_to_toml_round_trip_changed(tmp_path: Path) -> None:
    p = load(overrides=["problem1.z=4", "theme=light", "experiment.init=he",
                        "curves.inclusive=false", "problem2.gradient=1e-05"])
    p = dataclasses.replace(p, lesson=dataclasses.replace(
        p.lesson, title='Say "hi" \\ to the\nsigmoid é'))
    f = write(tmp_path / "p.toml", to_toml(p))
    back = load(f)
    assert back == p
    assert back.lesson.title == 'Say "hi" \\ to the\nsigmoid é'


@pytest.mark.parametrize(("title", "why"), [
    ("", "must not be empty"), (" \n ", "must not be empty"), ("tab\there", "(U+0009) cannot be shown or said"),
    ("del \x7f", "(U+007F)"), ("中文", "'中' (U+4E2D)"), ("مرحبا", "(U+0645)"), ("a\u200bb", "(U+200B)"),
])
def test_a_title_the_lecture_cannot_show_or_say_is_refused(title: str, why: str) -> None:
    with pytest.raises(ParamError) as exc:
        build({"lesson.title": title})
    one_line_error(exc, "lesson.title = ", why)


def strategy(spec: Spec) -> st.SearchStrategy[Any]:
    if spec.type is bool:
        return st.booleans()
    if spec.type is str:
        if spec.choices:
            return st.sampled_from(spec.choices)
        if spec.text:  # shown and said: Latin (and Greek) letters, not empty
            return st.text(st.characters(min_codepoint=0x20, max_codepoint=0x24F, exclude_categories=("Cs", "Cc")),
                           min_size=1, max_size=20).filter(str.strip)
        return st.text(st.characters(exclude_categories=("Cs",)), max_size=20)
    if spec.type is int:
        assert spec.lo is not None and spec.hi is not None
        return st.integers(int(spec.lo), int(spec.hi))
    assert spec.lo is not None and spec.hi is not None
    return st.floats(spec.lo, spec.hi, exclude_min=spec.lo_open, exclude_max=spec.hi_open)


def _in_order(values: dict[str, Any]) -> bool:
    """The saturation threshold lies inside the plots (build refuses it otherwise)."""
    return values.get("curves.threshold", DEFAULTS.curves.threshold) < values.get("curves.z_max", DEFAULTS.curves.z_max)


VALUES = st.fixed_dictionaries({}, optional={k: strategy(s) for k, s in specs().items()}).filter(_in_order)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(VALUES)
def test_round_trip_random_valid_values(tmp_path_factory: pytest.TempPathFactory,
                                        values: dict[str, Any]) -> None:
    p = build(values)
    for key, value in values.items():
        assert p.get(key) == value
    f = write(tmp_path_factory.mktemp("rt") / "p.toml", to_toml(p))
    back = load(f)
    assert back == p
    assert back.flat() == p.flat()


# ---------------------------------------------------------------- overrides and precedence


def test_overrides() -> None:
    p = load(overrides=["problem1.z=4", "theme=light", "experiment.init=he"])
    assert p.problem1.z == 4.0 and type(p.problem1.z) is float
    assert p.theme == "light"
    assert p.experiment.init == "he"
    assert p.problem2 == DEFAULTS.problem2
    assert parse_override("problem1.z=4") == ("problem1.z", 4)
    assert parse_override(" theme = light ") == ("theme", "light")
    assert parse_override('theme="light"') == ("theme", "light")
    assert parse_override("curves.inclusive=false") == ("curves.inclusive", False)
    assert parse_override("problem2.learning_rate=0.25") == ("problem2.learning_rate", 0.25)


def test_override_beats_file_beats_defaults(tmp_path: Path) -> None:
    f = write(tmp_path / "p.toml", 'theme = "light"\n[problem1]\nz = 3.0\n'
                                   "[problem2]\nlayers = 7\n")
    p = load(f, overrides=["problem1.z=4"])
    assert p.problem1.z == 4.0  # override over file
    assert p.theme == "light" and p.problem2.layers == 7  # file over defaults
    assert p.problem2.gradient == DEFAULTS.problem2.gradient  # defaults elsewhere
    assert load(f).problem1.z == 3.0
    assert load(f, overrides=["problem1.z=4", "problem1.z=-2"]).problem1.z == -2.0  # last wins


def test_file_ints_widen_to_floats(tmp_path: Path) -> None:
    p = load(write(tmp_path / "p.toml", "[problem1]\nz = 4\n"))
    assert p.problem1.z == 4.0 and type(p.problem1.z) is float


def test_dotted_keys_and_inline_tables_in_toml(tmp_path: Path) -> None:
    p = load(write(tmp_path / "p.toml", "problem1.z = 2.5\nball = { push = 1.0 }\n"))
    assert p.problem1.z == 2.5 and p.ball.push == 1.0


# ---------------------------------------------------------------- bad input: ParamError


@pytest.mark.parametrize(
    "text, key",
    [
        ("[problem1]\nfoo = 1\n", "problem1.foo"),
        ("nonsense = 1\n", "nonsense"),
        ("[nosuch]\nz = 1\n", "nosuch.z"),
        ("[problem1.z]\nx = 1\n", "problem1.z.x"),
    ],
)
def test_unknown_key_in_file(tmp_path: Path, text: str, key: str) -> None:
    with pytest.raises(ParamError) as err:
        load(write(tmp_path / "p.toml", text))
    msg = one_line_error(err, repr(key), "unknown", "known:")
    if key.startswith("problem1"):
        assert "problem1.z" in msg.split("known:")[1]


def test_unknown_key_in_override() -> None:
    with pytest.raises(ParamError) as err:
        load(overrides=["problem1.zz=4"])
    one_line_error(err, "'problem1.zz'", "problem1.z")
    with pytest.raises(ParamError) as err:
        load(overrides=["problem1.z"])  # no '='
    one_line_error(err, "problem1.z", "key=value")


BAD_VALUES = [
    # wrong type
    ("problem1.z", '"4"', "problem1.z = '4'", "a number"),
    ("problem1.z", "true", "problem1.z = true", "a number"),
    ("problem2.layers", "5.0", "problem2.layers = 5.0", "an integer"),
    ("problem2.layers", "true", "problem2.layers = true", "an integer"),
    ("problem2.layers", '"5"', "problem2.layers = '5'", "an integer"),
    ("curves.inclusive", "1", "curves.inclusive = 1", "true or false"),
    ("theme", "1", "theme = 1", "'dark', 'light'"),
    ("lesson.title", "3", "lesson.title = 3", "a string"),
    ("problem1.z", "[1.0]", "problem1.z", "a number"),
    # out of range
    ("problem2.layers", "0", "problem2.layers = 0", "an integer in [1, 12]"),
    ("problem2.layers", "-3", "problem2.layers = -3", "an integer in [1, 12]"),
    ("problem2.gradient", "1.5", "problem2.gradient = 1.5", "a number in (0, 1]"),
    ("problem2.gradient", "0.0", "problem2.gradient = 0.0", "a number in (0, 1]"),
    ("problem2.learning_rate", "-0.1", "problem2.learning_rate = -0.1", "(0, 10]"),
    ("theme", '"blue"', "theme = 'blue'", "one of 'dark', 'light'"),
    ("experiment.init", '"uniform"', "experiment.init = 'uniform'", "'xavier', 'he', 'normal'"),
    ("problem1.z", "inf", "problem1.z", "a number in [-12, 12]"),
    ("problem1.z", "nan", "problem1.z", "a number in [-12, 12]"),
    ("problem1.z", "1" + "0" * 400, "problem1.z", "a number in [-12, 12]"),  # too big a float
    ("problem2.layers", "1" + "0" * 30, "problem2.layers", "an integer in [1, 12]"),
    ("training.steps", "0", "training.steps = 0", "an integer in [1, 1000]"),
    ("training.learning_rate", "0", "training.learning_rate = 0", "a number in (0, 1]"),
    ("training.task", '"mnist"', "training.task = 'mnist'", "one of 'teacher', 'labels'"),
    ("training.fraction", "1", "training.fraction = 1", "a number in (0, 1)"),
]


@pytest.mark.parametrize("key, raw, shown, allowed", BAD_VALUES)
def test_bad_value_in_file(tmp_path: Path, key: str, raw: str, shown: str, allowed: str) -> None:
    section, _, name = key.rpartition(".")
    text = f"[{section}]\n{name} = {raw}\n" if section else f"{name} = {raw}\n"
    with pytest.raises(ParamError) as err:
        load(write(tmp_path / "p.toml", text))
    one_line_error(err, shown, allowed)


@pytest.mark.parametrize("key, raw, shown, allowed", BAD_VALUES)
def test_bad_value_in_override(key: str, raw: str, shown: str, allowed: str) -> None:
    with pytest.raises(ParamError) as err:
        load(overrides=[f"{key}={raw}"])
    one_line_error(err, shown, allowed)


def test_bare_word_overrides_are_strings() -> None:
    with pytest.raises(ParamError) as err:
        load(overrides=["theme=blue"])
    one_line_error(err, "theme = 'blue'", "'dark', 'light'")
    with pytest.raises(ParamError) as err:
        load(overrides=["problem1.z=four"])
    one_line_error(err, "problem1.z = 'four'", "a number")


def test_bad_value_in_build() -> None:
    with pytest.raises(ParamError) as err:
        build({"problem2.layers": 2.5})
    one_line_error(err, "problem2.layers", "integer")


@pytest.mark.parametrize(
    "text",
    ["theme = \n", "[problem1\nz = 1\n", "z == 4\n", 'theme = "dark\n', "[a]\nx=1\n[a]\nx=2\n"],
)
def test_malformed_toml(tmp_path: Path, text: str) -> None:
    f = write(tmp_path / "bad.toml", text)
    with pytest.raises(ParamError) as err:
        load(f)
    one_line_error(err, "bad.toml", "TOML")


def test_not_utf8(tmp_path: Path) -> None:
    f = tmp_path / "bin.toml"
    f.write_bytes(b'theme = "\xff\xfe"\n')
    with pytest.raises(ParamError) as err:
        load(f)
    one_line_error(err, "bin.toml")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ParamError) as err:
        load(tmp_path / "nope.toml")
    one_line_error(err, "nope.toml", "not found")


def test_directory_instead_of_file(tmp_path: Path) -> None:
    with pytest.raises(ParamError) as err:
        load(tmp_path)
    one_line_error(err, str(tmp_path))


def test_param_error_is_a_value_error() -> None:
    assert issubclass(ParamError, ValueError)


def test_a_text_longer_than_its_cards_hold_is_refused() -> None:
    assert build({"lesson.goal": "g" * 200}).lesson.goal == "g" * 200
    with pytest.raises(ParamError) as exc:
        build({"lesson.goal": "g" * 201})
    one_line_error(exc, "lesson.goal = ", "201 characters, and at most 200 fit")


def test_commented_toml_reads_back_and_documents_every_key(tmp_path) -> None:
    from sigsat_math.params import load, specs, to_toml

    text = to_toml(DEFAULTS, comments=True)
    path = tmp_path / "p.toml"
    path.write_text(text, encoding="utf-8")
    assert load(path) == DEFAULTS
    lines = [line for line in text.splitlines() if " = " in line]
    assert len(lines) == len(specs()) and all("  # " in line for line in lines)


@pytest.mark.parametrize("values", [{"curves.threshold": 9.0}, {"curves.threshold": 8.0},
                                    {"curves.z_max": 5.0, "curves.threshold": 5.0}])
def test_a_threshold_beyond_the_plots_is_refused(values) -> None:
    with pytest.raises(ParamError) as exc:
        build(values)
    one_line_error(exc, "curves.threshold = ", "must be below curves.z_max")


def test_a_threshold_inside_the_plots_is_taken() -> None:
    assert build({"curves.z_max": 4.0, "curves.threshold": 3.9}).curves.threshold == 3.9
