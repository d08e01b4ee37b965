"""The parameter and variants loaders over generated TOML (nesting, sizes, encodings, float
edges, names with control characters): the only exception ever raised is the one-line
ParamError, and it is short whatever the input's size."""

from __future__ import annotations

import math
import string
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sigsat import variants
from sigsat_math.params import ParamError, build, collect, specs

KEYS = sorted(specs())
LINE_MAX = 1500  # one line a person reads (an unknown key lists the known ones: about 600)

names = st.one_of(
    st.sampled_from(["index.html", "problems.pdf", "g\n", "a b", "..", "", "ok", "a" * 80]),
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x10FFFF, blacklist_categories=("Cs",)),
            max_size=12),
)
floats = st.one_of(st.floats(allow_nan=True, allow_infinity=True),
                   st.sampled_from([0.0, -0.0, 5e-324, 1e-300, 1.7976931348623157e308]))
scalars = st.one_of(
    floats,
    st.integers(min_value=-(2**70), max_value=2**70),
    st.booleans(),
    st.text(max_size=30),
    st.sampled_from(["x" * 5000, "\u202e", "\x00", "é", "σ′"]),
)


def toml_string(text: str) -> str:
    """A TOML basic string of any text (control characters escaped as \\uXXXX)."""
    out = []
    for ch in text:
        if ch in '"\\' or ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def toml_value(v: object) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, int):
        return str(v)
    return toml_string(str(v))


@st.composite
def documents(draw: st.DrawFn) -> str:
    """A TOML text: known and unknown keys, values of any type, nesting of any depth, as a
    params file (`variant` decides whether it is a variants file)."""
    lines = []
    for _ in range(draw(st.integers(0, 6))):
        key = draw(st.one_of(st.sampled_from(KEYS), st.text(string.ascii_lowercase + ".", min_size=1,
                                                              max_size=12)))
        key = ".".join(toml_string(part) for part in key.split("."))
        depth = draw(st.integers(0, 3)) if draw(st.booleans()) else draw(st.integers(0, 600))
        value = toml_value(draw(scalars))
        shape = draw(st.sampled_from(["array", "table"]))
        if shape == "array":
            value = "[" * depth + value + "]" * depth
        else:
            value = "{a=" * depth + value + "}" * depth
        lines.append(f"{key} = {value}")
    return "\n".join(lines) + "\n"


@st.composite
def variant_files(draw: st.DrawFn) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 3))):
        parts.append(f"[variant.{toml_string(draw(names))}]\n{draw(documents())}")
    if draw(st.booleans()):
        parts.append("[" + ".".join(["x"] * draw(st.integers(1, 500))) + "]\na = 1\n")
    return "".join(parts)


def _one_line(e: ParamError) -> None:
    text = str(e)
    assert "\n" not in text.strip() and len(text) < LINE_MAX, text[:500]


SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                            HealthCheck.function_scoped_fixture])


@SETTINGS
@given(text=documents(), encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1"]))
def test_a_params_file_is_loaded_or_refused_in_one_line(tmp_path_factory, text, encoding):
    path = Path(tmp_path_factory.mktemp("p")) / "p.toml"
    try:
        path.write_bytes(text.encode(encoding, errors="replace"))
    except UnicodeEncodeError:
        return
    try:
        build(collect(path))
    except ParamError as e:
        _one_line(e)


@SETTINGS
@given(text=variant_files())
def test_a_variants_file_is_loaded_or_refused_in_one_line(tmp_path_factory, text):
    path = Path(tmp_path_factory.mktemp("v")) / "v.toml"
    path.write_text(text, encoding="utf-8")
    try:
        chosen = variants.build_variants({}, variants.from_file(path), str(path))
    except ParamError as e:
        _one_line(e)
        return
    for v in chosen:  # what passed is a plain folder name, not a file written beside the variants
        assert v.name not in variants.BESIDE and "/" not in v.name and "\n" not in v.name


@SETTINGS
@given(item=st.one_of(st.builds(lambda k, v: f"{k}={v}", st.sampled_from(KEYS), st.text(max_size=40)),
                      st.text(max_size=40), st.just("problem1.z=" + "[" * 900)))
def test_an_override_is_loaded_or_refused_in_one_line(item):
    try:
        build(collect(None, [item]))
    except ParamError as e:
        _one_line(e)
