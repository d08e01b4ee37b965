"""Text, formulas and numbers: the base every other widget module builds on.

`color()` is the current theme's colour for a role. A number enters only as a sigsat_math
Quantity: `NumberTex` refuses a literal, and `fill` puts a Quantity's screen form in a template.

One style for a number wherever it appears: a number inside a formula is LaTeX (`get_formula`,
`NumberTex` beside other LaTeX); a number anywhere else (in a sentence, a label, a table, a
readout, a caption) is set in the lecture's text font, the font of the words around it
(`get_prose`, `get_number`). A number never sits in LaTeX between pieces of plain text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UL,
    Line,
    MathTex,
    Mobject,
    RoundedRectangle,
    Text,
    TransformMatchingTex,
    VGroup,
    VMobject,
    config,
)

from sigsat_math import Quantity

from .. import theme as th
from ..context import current_theme


def color(role: str) -> Any:
    """The current theme's colour for a role."""
    return current_theme().color(role)


def get_text(text: str, size: int = th.BODY_SIZE, role: str = "text", **kwargs: Any) -> Text:
    """A line of text in the lecture's font, coloured by role. Never put a computed number here."""
    return Text(text, font=th.FONT, font_size=size, color=color(role), **kwargs)


def get_tex(*parts: str, role: str = "text", scale: float = th.TEX_SCALE) -> MathTex:
    """A formula (LaTeX math) coloured by role."""
    return MathTex(*parts, color=color(role)).scale(scale)


def get_title(text: str) -> VGroup:
    """The chapter's heading, top left, with a thin rule under it."""
    title = get_text(text, th.TITLE_SIZE, weight="BOLD")
    title.to_corner(UL, buff=0.45)
    rule = Line(LEFT, RIGHT, color=color("muted"), stroke_width=2)
    rule.width = config.frame_width - 0.9
    rule.next_to(title, DOWN, buff=0.15, aligned_edge=LEFT)
    return VGroup(title, rule)


def get_caption_line(text: str) -> Text:
    """A sentence at the bottom of the frame, the lecture's on-screen takeaway for a beat."""
    line = get_text(text, th.CAPTION_SIZE, role="muted", slant="ITALIC")
    max_width = config.frame_width - 2 * th.SAFE_MARGIN - 0.4
    if line.width > max_width:
        line.scale_to_fit_width(max_width)
    return line.to_edge(DOWN, buff=th.SAFE_MARGIN + 0.15)


TEXT_OPTIONS = frozenset({"t2c", "t2w", "t2s", "weight", "slant", "line_spacing"})
_PLACEHOLDER = re.compile(r"<<(\w+)>>")


def fill(template: str, form: str = "tex", /, **values: Quantity) -> str:
    """`template` with each `<<name>>` replaced by that Quantity's screen form, `form` "tex" (LaTeX,
    for MathTex) or "text" (plain text, for Text: no LaTeX run, so much quicker to make)."""
    if form not in ("tex", "text"):
        raise ValueError(f"fill's form is 'tex' or 'text', not {form!r}")
    out = template
    for name, q in values.items():
        if not isinstance(q, Quantity):
            raise TypeError(f"fill needs a sigsat_math Quantity for {name!r}, got {type(q).__name__}")
        out = _put(out, f"<<{name}>>", q.tex if form == "tex" else q.text)
    if "<<" in out:
        raise KeyError(f"unfilled placeholder in {template!r}")
    return out


def _put(template: str, placeholder: str, number: str) -> str:
    """Each `placeholder` replaced by `number`, in parentheses where it would otherwise misread:
    a negative number after a minus (e^{-<<z>>} at z = -12 is e^{-(-12)}, not e^{--12}), and a
    negative or scientific one raised to a power ((1 \\times 10^{-9})^{5}: no double superscript)."""
    parts = template.split(placeholder)
    out = parts[0]
    negative = number.startswith(("-", "\u2212"))
    for part in parts[1:]:
        before, after = out.rstrip(), part.lstrip()
        if (negative and before.endswith(("-", "\u2212"))) or \
                (after.startswith("^") and (negative or "^" in number or "\u00d7" in number)):
            out += f"({number})"
        else:
            out += number
        out += part
    return out


def shown(q: Quantity) -> Decimal:
    """The number a viewer reads off the screen for q (its positional text form, as a Decimal)."""
    return Decimal(q.text.replace("\u2212", "-"))


def holds(result: Quantity, value: Decimal) -> bool:
    """Does `result`, as shown, equal `value` (worked from other shown numbers) rounded the way
    result is displayed? An equation on screen must hold at the precision it shows."""
    return result.style.text(float(value)) == result.text


class Prose(Text):
    """A sentence in the lecture's font whose numbers come from Quantities (see get_prose).

    `quantities[name]` is the Quantity a placeholder showed, `numbers[name]` the glyphs of its
    first occurrence (to colour or point at)."""

    quantities: dict[str, Quantity]
    numbers: dict[str, VGroup]


def get_prose(template: str, size: int = th.BODY_SIZE, role: str = "text", number_role: str | None = "highlight",
              **kwargs: Any) -> Prose:
    """`template` with each `<<name>>` filled with that Quantity's text form, all in the lecture's
    font; the numbers coloured `number_role` (None: the sentence's colour). Keyword arguments that
    are not Quantities go to Text (`t2c`, `weight`, `slant`)."""
    values = {k: v for k, v in kwargs.items() if isinstance(v, Quantity) or k not in TEXT_OPTIONS}
    text = fill(template, "text", **values)
    # Without ligatures Text makes one submobject per character, an empty one for a space: the
    # glyphs of text[a:b] are prose[a:b] ("fi" would otherwise be one glyph).
    prose = Prose(text, font=th.FONT, font_size=size, color=color(role), disable_ligatures=True,
                  **{k: v for k, v in kwargs.items() if k not in values})
    if len(prose) != len(text):
        raise ValueError(f"get_prose needs one glyph per character, got {len(prose)} for {text!r}")
    prose.quantities, prose.numbers = values, {}
    parts, at = _PLACEHOLDER.split(template), 0
    for literal, name in zip(parts[0::2], parts[1::2], strict=False):
        start = at + len(literal)
        wrapped = text.startswith("(", start)  # _put parenthesised it (a number never starts so)
        start += wrapped
        end = start + len(values[name].text)
        at = end + wrapped
        numbers = VGroup(*prose.submobjects[start:end])
        prose.numbers.setdefault(name, numbers)
        if number_role is not None:
            numbers.set_color(color(number_role))
    return prose


def get_number(q: Quantity, size: int = th.BODY_SIZE, role: str = "highlight") -> Prose:
    """A number alone (a label on a bar, a value in a table) in the lecture's font; `.quantity` is
    the Quantity it shows. A literal is refused."""
    number = get_prose("<<q>>", size, role, None, q=q)
    number.quantity = q
    return number


class NumberTex(MathTex):
    """A number on screen, bound to the sigsat_math Quantity it shows; a literal is refused."""

    def __init__(self, q: Quantity, prefix: str = "", suffix: str = "", role: str = "highlight",
                 scale: float = th.TEX_SCALE, **kwargs: Any) -> None:
        if not isinstance(q, Quantity):
            raise TypeError(f"NumberTex shows a sigsat_math Quantity, not {type(q).__name__} {q!r}")
        self.quantity = q
        super().__init__(prefix + q.tex + suffix, color=color(role), **kwargs)
        self.scale(scale)


class TransformTex(TransformMatchingTex):
    """TransformMatchingTex where the parts named in `key_map` (source LaTeX -> target LaTeX)
    turn into theirs as the matching parts do: a formula becomes its numbers, sigma(5) -> 0.9933.

    manim's own key_map fades the two parts across glyph by glyph, which fails when their glyph
    counts differ; here a mapped part is simply given the key of the part it becomes.
    """

    def __init__(self, mobject: Mobject, target_mobject: Mobject, key_map: dict[str, str] | None = None,
                 **kwargs: Any) -> None:
        self.aliases = {b: a for a, b in (key_map or {}).items()}
        super().__init__(mobject, target_mobject, **kwargs)

    def get_mobject_key(self, mobject: Mobject) -> str:  # type: ignore[override]
        key = str(mobject.tex_string)
        return self.aliases.get(key, key)


def get_formula(template: str, role: str = "text", scale: float = th.TEX_SCALE, **values: Quantity) -> MathTex:
    """A formula with `<<name>>` placeholders filled from Quantities."""
    return get_tex(fill(template, **values), role=role, scale=scale)


def get_formula_card(*lines: MathTex | Text | VMobject, title: str | None = None, buff: float = 0.3,
                     width: float | None = None) -> VGroup:
    """Formula lines on a rounded panel, optionally under a small heading."""
    body = VGroup(*lines).arrange(DOWN, aligned_edge=LEFT, buff=buff)
    if title:
        heading = get_text(title, th.SMALL_SIZE, role="muted")
        body = VGroup(heading, body).arrange(DOWN, aligned_edge=LEFT, buff=0.25)
    panel = RoundedRectangle(
        corner_radius=0.15,
        width=max(width or 0, body.width + 0.6),
        height=body.height + 0.5,
        fill_color=color("panel"),
        fill_opacity=1,
        stroke_color=color("muted"),
        stroke_width=1.5,
    )
    panel.move_to(body)
    return VGroup(panel, body)


def get_paragraph(text: str, width: float, size: int = th.BODY_SIZE, role: str = "text",
                  t2c: dict[str, Any] | None = None, buff: float = 0.18) -> VGroup:
    """`text` broken at spaces into left-aligned lines no wider than `width` (a parameter's text
    of any length); `t2c` colours phrases that fall on one line."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}".strip()
        if current and get_text(trial, size, role).width > width:
            lines.append(current)
            current = word
        else:
            current = trial
    lines.append(current)
    para = VGroup(*(get_text(line, size, role, t2c=t2c or {}) for line in lines))
    para.arrange(DOWN, aligned_edge=LEFT, buff=buff)
    if para.width > width:  # a single word longer than the line
        para.scale_to_fit_width(width)
    return para


def fit_right(group: Mobject) -> Mobject:
    """Shrink a group placed by its left edge (about its top left corner) until it ends inside
    the safe area on the right: a parameter can make a number, and so its line, much longer."""
    room = config.frame_width / 2 - th.SAFE_MARGIN - 0.05 - group.get_left()[0]
    if group.width > room > 0:
        group.scale(room / group.width, about_edge=UL)
    return group


def get_rows(rows: Sequence[Sequence[Mobject]], col_buff: float = 0.5, row_buff: float = 0.4) -> VGroup:
    """Rows of cells whose columns line up: a column starts `col_buff` after the widest cell of
    the column before it; rows stack top-down `row_buff` apart, cells centred on their row."""
    widths = [max(r[i].width for r in rows if i < len(r)) for i in range(max(len(r) for r in rows))]
    out = VGroup()
    for row in rows:
        x = 0.0
        for i, cell in enumerate(row):
            cell.move_to([x, 0, 0], aligned_edge=LEFT)
            x += widths[i] + col_buff
        out.add(VGroup(*row))
    return out.arrange(DOWN, aligned_edge=LEFT, buff=row_buff)


def get_table(rows: Sequence[tuple[str, Mobject]], width: float | None = None,
              buff: float = 0.22, value_width: float = 0.0) -> VGroup:
    """A card of `label  value` rows: muted labels, values on one left edge (group.values).

    `value_width` keeps room for the widest value a row will show later.
    """
    labels = [get_text(label, th.SMALL_SIZE, "muted") for label, _ in rows]
    column = max(label.width for label in labels) + 0.35
    body = VGroup()
    for label, (_, value) in zip(labels, rows, strict=True):
        value.next_to(label, RIGHT, buff=column - label.width)
        body.add(VGroup(label, value))
    body.arrange(DOWN, aligned_edge=LEFT, buff=buff)
    inner = max(body.width, column + value_width)
    panel = RoundedRectangle(corner_radius=0.15, width=max(width or 0, inner + 0.6),
                             height=body.height + 0.5, fill_color=color("panel"), fill_opacity=1,
                             stroke_color=color("muted"), stroke_width=1.5)
    panel.move_to(body).align_to(body, LEFT).shift(LEFT * 0.3)
    card = VGroup(panel, body)
    card.values = [row[1] for row in body]
    return card
