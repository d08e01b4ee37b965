"""The lecture parameters: one frozen, validated object holding every number the lecture uses.

Loaded as defaults, then a TOML file, then `key=value` overrides, validated once. Keys are
dotted (`problem1.z`); each has a type, a default and an allowed range, and a bad value raises
ParamError with one line naming the key, the value and what is allowed.
"""

from __future__ import annotations

import dataclasses
import math
import stat
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class ParamError(ValueError):
    """A parameter that is unknown, of the wrong type or out of range; the message is one line."""


@dataclass(frozen=True)
class Spec:
    """What a key allows: its type, a range (lo/hi, inclusive unless said), or a set of choices."""

    type: type
    lo: float | None = None
    hi: float | None = None
    lo_open: bool = False
    hi_open: bool = False
    choices: tuple[str, ...] = ()
    doc: str = ""
    text: bool = False  # shown on screen and said: not empty, letters the font and voice have
    max_len: int | None = None  # characters, for a text: the most its chapters lay out

    def allowed(self) -> str:
        """What the key allows, in words."""
        kind = {int: "an integer", float: "a number", str: "a string", bool: "true or false"}[
            self.type
        ]
        if self.choices:
            return "one of " + ", ".join(repr(c) for c in self.choices)
        if self.text:
            most = f" of at most {self.max_len} characters" if self.max_len else ""
            return f"a string of Latin or Greek text{most}, not empty"
        if self.lo is not None and self.hi is not None:
            left = "(" if self.lo_open else "["
            right = ")" if self.hi_open else "]"
            return f"{kind} in {left}{_num(self.lo)}, {_num(self.hi)}{right}"
        if self.lo is not None:
            return f"{kind} {'>' if self.lo_open else '>='} {_num(self.lo)}"
        return kind


def _num(x: float) -> str:
    """A bound as short text (3 rather than 3.0)."""
    return str(int(x)) if float(x).is_integer() else str(x)


def _p(default: Any, spec: Spec) -> Any:
    """A dataclass field with its Spec in the metadata."""
    return field(default=default, metadata={"spec": spec})


@dataclass(frozen=True)
class Lesson:
    """Who wrote the lesson and what it is called (shown on the opening and closing cards)."""

    # The longest texts the opening and closing cards lay out (bench/range_ends.py).
    title: str = _p("Sigmoid Saturation", Spec(str, text=True, max_len=120))
    goal: str = _p(
        "Understand the vanishing gradient problem caused by sigmoid saturation.",
        Spec(str, text=True, max_len=200),
    )
    author: str = _p("Joerg Osterrieder", Spec(str, text=True, max_len=120))
    year: int = _p(2025, Spec(int, 1900, 2200))


@dataclass(frozen=True)
class Curves:
    """The z range the activation plots are drawn over and where saturation begins."""

    z_max: float = _p(8.0, Spec(float, 4.0, 20.0, doc="plots span [-z_max, z_max]"))
    threshold: float = _p(3.0, Spec(float, 0.5, 10.0, doc="saturation where |z| >= threshold"))
    inclusive: bool = _p(True, Spec(bool, doc="|z| >= threshold (slides) or > (page)"))


@dataclass(frozen=True)
class Problem1:
    """Practice problem 1: sigma'(z) at one z against the maximum."""

    z: float = _p(5.0, Spec(float, -12.0, 12.0))


@dataclass(frozen=True)
class Problem2:
    """Practice problem 2: a per-layer gradient through a stack of layers, then one update."""

    layers: int = _p(5, Spec(int, 1, 12))
    gradient: float = _p(0.2, Spec(float, 0.0, 1.0, lo_open=True))
    learning_rate: float = _p(0.1, Spec(float, 0.0, 10.0, lo_open=True))


@dataclass(frozen=True)
class Ball:
    """The ball rolling downhill on four surfaces: where it starts on each, the learning rate of
    its gradient-descent steps (`push`) and how many it takes (`pushes`)."""

    # Not problem 1's z by default: the ball comes before the problem and must not answer it
    # (and the chapter moves the start away from problem1.z when they come close).
    plateau_z: float = _p(6.0, Spec(float, 2.0, 10.0, doc="start on the sigmoid's upper plateau"))
    # Above the centre, so the steps roll down through the steepest point.
    center_z: float = _p(1.0, Spec(float, -2.0, 2.0, doc="start near the sigmoid's centre"))
    # High enough up ReLU's ramp that every default step stays on it (4 x 0.8 = 3.2 < 3.5).
    relu_positive_z: float = _p(3.5, Spec(float, 0.0, 10.0, lo_open=True))
    relu_negative_z: float = _p(-3.0, Spec(float, -6.0, 0.0, hi_open=True))
    # Below 0.05 a step moves the ball less than the surfaces' labels can tell apart.
    push: float = _p(0.8, Spec(float, 0.05, 2.0, doc="learning rate eta of one step"))
    pushes: int = _p(4, Spec(int, 1, 8, doc="gradient-descent steps on each surface"))


@dataclass(frozen=True)
class Layers:
    """The layer-by-layer chapter: how many sigmoid layers the pulse goes back through."""

    count: int = _p(6, Spec(int, 2, 10))
    z: float = _p(1.0, Spec(float, -8.0, 8.0, doc="pre-activation at each layer; factor sigma'(z)"))
    # Below 1 / max sigma' = 4 every sigmoid link |w| sigma'(z) is under 1: the chain must shrink,
    # which the chapter says; from 4 up it could grow, and the chapter would no longer be true.
    # From 0.01 down the best case's power is too long a number for the depth plot's legend.
    weight: float = _p(1.0, Spec(float, 0.01, 4.0, hi_open=True,
                                 doc="|w| on every link back; each link multiplies by |w| sigma'(z)"))


@dataclass(frozen=True)
class Experiment:
    """The measured network: a real MLP's per-layer gradient norms, sigmoid against ReLU."""

    depth: int = _p(10, Spec(int, 2, 30))
    width: int = _p(64, Spec(int, 4, 512))
    init: str = _p("xavier", Spec(str, choices=("xavier", "he", "normal")))
    seed: int = _p(0, Spec(int, 0, 2**31 - 1))
    batch: int = _p(128, Spec(int, 1, 4096))


@dataclass(frozen=True)
class Variants:
    """The ReLU variants' parameters."""

    leaky_alpha: float = _p(0.1, Spec(float, 0.0, 1.0, lo_open=True, hi_open=True))
    elu_alpha: float = _p(1.0, Spec(float, 0.0, 5.0, lo_open=True))


@dataclass(frozen=True)
class Training:
    """The measured network trained for a few steps, sigmoid against ReLU at one learning rate."""

    steps: int = _p(200, Spec(int, 1, 1000, doc="full-batch gradient-descent steps"))
    learning_rate: float = _p(0.1, Spec(float, 0.0, 1.0, lo_open=True,
                                        doc="one rate for both activations"))
    task: str = _p("teacher", Spec(str, choices=("teacher", "labels"),
                                   doc="fit a random tanh teacher, or the experiment's noise"))
    fraction: float = _p(0.5, Spec(float, 0.0, 1.0, lo_open=True, hi_open=True,
                                   doc="count the steps until loss <= fraction x initial loss"))


@dataclass(frozen=True)
class Params:
    """Every number the lecture uses, with the theme it is drawn in."""

    theme: str = _p("dark", Spec(str, choices=("dark", "light")))
    lesson: Lesson = field(default_factory=Lesson)
    curves: Curves = field(default_factory=Curves)
    problem1: Problem1 = field(default_factory=Problem1)
    problem2: Problem2 = field(default_factory=Problem2)
    ball: Ball = field(default_factory=Ball)
    layers: Layers = field(default_factory=Layers)
    experiment: Experiment = field(default_factory=Experiment)
    variants: Variants = field(default_factory=Variants)
    training: Training = field(default_factory=Training)

    def get(self, key: str) -> Any:
        """The value of a dotted key (`problem1.z`)."""
        obj: Any = self
        for part in key.split("."):
            obj = getattr(obj, part)
        return obj

    def flat(self) -> dict[str, Any]:
        """Every key with its value, dotted, in declaration order."""
        return {key: self.get(key) for key in specs()}

    def subset(self, keys: Iterable[str]) -> dict[str, Any]:
        """The given keys with their values, sorted by key."""
        return {key: self.get(key) for key in sorted(keys)}


def _walk(cls: type, prefix: str = "") -> Iterable[tuple[str, Spec]]:
    """(dotted key, Spec) for every leaf field of a params dataclass."""
    for f in dataclasses.fields(cls):
        key = f"{prefix}{f.name}"
        if "spec" in f.metadata:
            yield key, f.metadata["spec"]
        else:
            yield from _walk(f.default_factory, key + ".")  # type: ignore[arg-type]


def specs() -> dict[str, Spec]:
    """Every key's Spec, dotted, in declaration order."""
    return dict(_walk(Params))


SHOWN_MAX = 60  # characters of a user's value or key an error message echoes
NESTING_MAX = 16  # tables in tables; the parameters go 2 deep, and a deeper file is no params file


def shown(value: Any, limit: int = SHOWN_MAX) -> str:
    """`value` as an error message echoes it: repr for text, cut to `limit` characters (a
    10 MB title is not printed whole; an integer of 5000 digits is not converted at all)."""
    try:
        text = repr(value) if isinstance(value, str) else (str(value).lower() if isinstance(value, bool)
                                                          else str(value))
    except (ValueError, RecursionError):  # int too long to convert, a list nested too deep
        return f"<a {type(value).__name__} too large to show>"
    return text if len(text) <= limit else text[:limit] + "..."


def _check(key: str, value: Any, spec: Spec) -> Any:
    """The value if it fits the spec (ints widen to floats), else ParamError."""
    given = value  # as the user wrote it: 99, not the 99.0 it widens to

    def bad(why: str = "") -> ParamError:
        return ParamError(f"{key} = {shown(given)}: {why or 'must be ' + spec.allowed()}")

    if spec.type is bool:
        if not isinstance(value, bool):
            raise bad()
        return value
    if spec.type is str:
        if not isinstance(value, str):
            raise bad()
        if spec.choices and value not in spec.choices:
            raise bad()
        if spec.text:
            if not value.strip():
                raise bad("must not be empty (it is shown and said)")
            if spec.max_len is not None and len(value) > spec.max_len:
                raise bad(f"{len(value)} characters, and at most {spec.max_len} fit where it is shown")
            odd = unshowable(value)
            if odd is not None:
                raise bad(f"{odd!r} (U+{ord(odd):04X}) cannot be shown or said: the lecture's font "
                          "and voice have Latin and Greek letters, digits and common signs")
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise bad()
    if spec.type is int:
        if not isinstance(value, int):
            raise bad()
    else:
        try:
            value = float(value)
        except OverflowError:  # an integer too large for a float
            raise bad() from None
        if not math.isfinite(value):
            raise bad()
    if spec.lo is not None and (value <= spec.lo if spec.lo_open else value < spec.lo):
        raise bad()
    if spec.hi is not None and (value >= spec.hi if spec.hi_open else value > spec.hi):
        raise bad()
    return value


# What the lecture can show (DejaVu Sans) and say (an English voice): Latin and Greek letters with
# their accents, digits, punctuation, and common signs (currency, arrows, mathematics). Other
# scripts (CJK, Arabic...) would show as boxes and be skipped or spelled by the voice, and
# format characters (bidi overrides, zero-width spaces) would hide what the text really is.
_SHOWABLE = ((0x0A, 0x0A), (0x20, 0x7E), (0xA0, 0x24F), (0x300, 0x36F), (0x370, 0x3FF),
             (0x1E00, 0x1EFF), (0x2010, 0x2027), (0x2030, 0x205E), (0x2070, 0x209F),
             (0x20A0, 0x20CF), (0x2100, 0x214F), (0x2150, 0x218F), (0x2190, 0x21FF),
             (0x2200, 0x22FF))


def unshowable(text: str) -> str | None:
    """The first character of `text` the lecture cannot show and say, or None."""
    for char in text:
        code = ord(char)
        if not any(lo <= code <= hi for lo, hi in _SHOWABLE):
            return char
    return None


def _flatten(data: Mapping[str, Any], prefix: str = "", depth: int = 0) -> dict[str, Any]:
    """A nested TOML table as dotted keys."""
    if depth > NESTING_MAX:
        raise ParamError(f"{shown(prefix.rstrip('.'))}: tables nested more than {NESTING_MAX} deep; "
                         "a parameter is a section and a name, e.g. problem1.z")
    out: dict[str, Any] = {}
    for k, v in data.items():
        if isinstance(v, Mapping):
            out.update(_flatten(v, f"{prefix}{k}.", depth + 1))
        else:
            out[f"{prefix}{k}"] = v
    return out


def _unknown(key: str) -> ParamError:
    """The error for a key that does not exist, with the nearest known ones."""
    known = specs()
    section = key.rsplit(".", 1)[0] if "." in key else ""
    near = [k for k in known if section and k.startswith(section + ".")] or list(known)
    return ParamError(f"unknown parameter {shown(key)}; known: {', '.join(near)}")


def build(values: Mapping[str, Any]) -> Params:
    """Params from dotted keys over the defaults; every value checked against its Spec."""
    known = specs()
    checked: dict[str, Any] = {}
    for key, value in values.items():
        if key not in known:
            raise _unknown(key)
        checked[key] = _check(key, value, known[key])
    params: Params = _assemble(Params, checked, "")
    _check_order(params)
    return params


# Keys whose values must keep an order for a picture to exist: the saturated zones run from the
# threshold out to the edge of the plots.
_BELOW = (("curves.threshold", "curves.z_max", "where the plots end"),)


def _check_order(params: Params) -> None:
    """ParamError unless each key of _BELOW is below its partner."""
    flat = params.flat()
    for low, high, why in _BELOW:
        if not flat[low] < flat[high]:
            raise ParamError(f"{low} = {flat[low]}: must be below {high} ({flat[high]}, {why})")


def _assemble(cls: type, values: Mapping[str, Any], prefix: str) -> Any:
    """An instance of a params dataclass with the given dotted values set."""
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        key = f"{prefix}{f.name}"
        if "spec" in f.metadata:
            if key in values:
                kwargs[f.name] = values[key]
        else:
            kwargs[f.name] = _assemble(f.default_factory, values, key + ".")  # type: ignore[arg-type]
    return cls(**kwargs)


def parse_override(item: str) -> tuple[str, Any]:
    """`key=value` with the value read as TOML (so 4, 0.25, true, "he"); bare words are strings."""
    if "=" not in item:
        raise ParamError(f"override {shown(item)}: expected key=value, for example problem1.z=4")
    key, raw = (s.strip() for s in item.split("=", 1))
    if key not in specs():
        raise _unknown(key)
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw  # a bare word such as light or he
    except (RecursionError, ValueError):  # nested past the parser's depth, an int of 5000 digits
        raise ParamError(f"{key} = {shown(raw)}: not a value (nested too deep, or too large)") from None
    return key, value


def _not_regular(path: Path) -> str:
    """What `path` is when it exists and is not a regular file ('' otherwise)."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return ""  # missing or unreadable: reading it says which
    kinds = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
             (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))
    return next((name for test, name in kinds if test(mode)), "" if stat.S_ISREG(mode) else "not a file")


def read_table(path: str | Path, kind: str = "params file") -> dict[str, Any]:
    """A TOML file's tables as read; a missing or malformed file is a ParamError naming it."""
    p = Path(path)
    what = _not_regular(p)
    if what:
        # Opening a FIFO would wait for a writer forever; a device or folder is no TOML file.
        raise ParamError(f"{kind} {str(p)!r} is {what}, not a regular file")
    try:
        # utf-8-sig: a byte order mark, as some Windows editors write, is read past.
        text = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ParamError(f"{kind} {str(p)!r} not found") from None
    except OSError as e:
        raise ParamError(f"{kind} {str(p)!r} cannot be read: {e.strerror}") from None
    except UnicodeDecodeError:
        raise ParamError(f"{kind} {str(p)!r} is not valid TOML: not UTF-8 text") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ParamError(f"{kind} {str(p)!r} is not valid TOML: {e}") from None
    except (RecursionError, ValueError):  # tomllib's recursion past Python's limit; int() refusing
        raise ParamError(f"{kind} {str(p)!r} is not a params file: nested too deep, or a number too "
                         "large to read") from None


def read_toml(path: str | Path) -> dict[str, Any]:
    """The dotted keys of a TOML params file; a missing or malformed file is a ParamError."""
    return _flatten(read_table(path))


def flatten(data: Mapping[str, Any]) -> dict[str, Any]:
    """A nested TOML table as dotted keys."""
    return _flatten(data)


def collect(path: str | Path | None = None, overrides: Iterable[str] = ()) -> dict[str, Any]:
    """The dotted values of the TOML file at `path`, then of `key=value` overrides (unchecked)."""
    values: dict[str, Any] = {}
    if path is not None:
        values.update(read_toml(path))
    for item in overrides:
        key, value = parse_override(item)
        values[key] = value
    return values


def load(path: str | Path | None = None, overrides: Iterable[str] = ()) -> Params:
    """Defaults, then the TOML file at `path`, then `key=value` overrides; validated once."""
    return build(collect(path, overrides))


def _toml_value(v: Any) -> str:
    """One TOML value (bools lower-case, strings quoted with escapes, floats with a point)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        escaped = v.replace("\\", "\\\\").replace('"', '\\"')
        # TOML forbids raw control characters (newline, tab, DEL...) in a basic string.
        escaped = "".join(
            f"\\u{ord(c):04x}" if ord(c) < 0x20 or ord(c) == 0x7F else c for c in escaped
        )
        return f'"{escaped}"'
    if isinstance(v, float):
        return repr(v)
    return str(v)


def to_toml(params: Params, comments: bool = False) -> str:
    """The parameters as TOML that `load` reads back to an equal object; with `comments`, each
    key followed by what it allows and its documentation."""
    known = specs() if comments else {}

    def line(key: str, name: str, value: Any) -> str:
        text = f"{name} = {_toml_value(value)}"
        spec = known.get(key)
        if spec is not None:
            text += f"  # {spec.allowed()}" + (f"; {spec.doc}" if spec.doc else "")
        return text

    lines: list[str] = []
    sections: dict[str, list[str]] = {}
    for key, value in params.flat().items():
        if "." in key:
            section, name = key.split(".", 1)
            sections.setdefault(section, []).append(line(key, name, value))
        else:
            lines.append(line(key, key, value))
    for section, body in sections.items():
        lines.append("")
        lines.append(f"[{section}]")
        lines.extend(body)
    return "\n".join(lines) + "\n"


DEFAULTS = Params()
