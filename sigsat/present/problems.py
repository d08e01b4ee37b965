"""problems.pdf and answers.pdf for a variants run: each variant's practice problems, for its
students, and their worked answers, for its tutor.

A practice problem is where a chapter stops for the viewer: the beat before its "pause and
try" beat is the question, the beats after it are the worked answer, and the chapter's numbers
ledger (what the screen showed, in its own forms) gives the answer's numbers. Everything comes
from each variant's manifest, so the PDFs say exactly what the variant's video says.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fpdf import FPDF

from sigsat_core.contract import PAUSE_SECTION, LedgerRow, Manifest

from .handout import BOLD_FALLBACKS, FONT_FALLBACKS, FONT_NAME, font_file

INK, MUTED, ACCENT = (20, 24, 32), (100, 108, 120), (34, 102, 204)
MARGIN = 18.0


@dataclass(frozen=True)
class Problem:
    """A practice problem of one lecture: its chapter, question, worked answer and numbers."""

    chapter: str
    question: str
    working: tuple[str, ...]
    ledger: tuple[LedgerRow, ...]


@dataclass(frozen=True)
class Sheet:
    """One variant's page(s): its name, the parameters that make it differ, its problems."""

    name: str
    settings: dict[str, Any]
    problems: tuple[Problem, ...]


def problems(manifest: Manifest) -> list[Problem]:
    """The lecture's practice problems, in order."""
    found = []
    for chapter in manifest.chapters:
        beats = chapter.beats
        for i, beat in enumerate(beats):
            if beat.section == PAUSE_SECTION and i > 0:
                found.append(Problem(chapter.title, beats[i - 1].text,
                                     tuple(b.text for b in beats[i + 1:] if b.text),
                                     tuple(chapter.ledger)))
    return found


def shown_value(value: Any) -> str:
    """A parameter's value as a lecturer writes it: 3 rather than 3.0, true, light."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _pdf(title: str, subject: str) -> FPDF:
    # fpdf2 subsets the fonts with fontTools, which logs every table it prunes once a handler
    # is installed (a variants run's renders install one): about 256 lines, even with --quiet.
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_title(title)
    pdf.set_author("sigsat")
    pdf.set_subject(subject)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, MARGIN)
    pdf.add_font(FONT_NAME, "", font_file(FONT_NAME, FONT_FALLBACKS))
    pdf.add_font(FONT_NAME, "B", font_file(f"{FONT_NAME}:bold", BOLD_FALLBACKS))
    return pdf


def _header(pdf: FPDF, lecture: str, sheet: Sheet, what: str) -> None:
    """A new page for the variant: its name and settings."""
    pdf.add_page()
    pdf.start_section(f"Variant {sheet.name}")
    pdf.set_font(FONT_NAME, "", 9)
    pdf.set_text_color(*MUTED)
    pdf.cell(0, 5, f"{lecture}  ·  {what}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT_NAME, "B", 18)
    pdf.set_text_color(*INK)
    pdf.cell(0, 10, f"Variant {sheet.name}", new_x="LMARGIN", new_y="NEXT")
    if sheet.settings:
        pdf.set_font(FONT_NAME, "", 10)
        pdf.set_text_color(*MUTED)
        shown = ", ".join(f"{k} = {shown_value(v)}" for k, v in sheet.settings.items())
        pdf.multi_cell(0, 5, f"Its own numbers: {shown}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(0.6)
    pdf.line(MARGIN, pdf.get_y() + 1, MARGIN + 40, pdf.get_y() + 1)
    pdf.ln(5)


def _question(pdf: FPDF, number: int, problem: Problem) -> None:
    pdf.set_font(FONT_NAME, "B", 12)
    pdf.set_text_color(*INK)
    pdf.multi_cell(0, 6, f"{number}. {problem.chapter}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT_NAME, "", 11)
    pdf.multi_cell(0, 5.5, problem.question, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)


def write_problems(path: Path, lecture: str, sheets: Sequence[Sheet]) -> Path:
    """problems.pdf: each variant's questions, a page (or more) per variant."""
    pdf = _pdf(f"{lecture}: practice problems", "Each variant's practice problems, for its students")
    for sheet in sheets:
        _header(pdf, lecture, sheet, "practice problems")
        for n, problem in enumerate(sheet.problems, start=1):
            _question(pdf, n, problem)
            pdf.ln(14)  # room to work
    pdf.output(str(path))
    return path


def write_answers(path: Path, lecture: str, sheets: Sequence[Sheet]) -> Path:
    """answers.pdf: each variant's questions with the worked answer and the numbers shown."""
    pdf = _pdf(f"{lecture}: worked answers", "Each variant's practice problems, worked, with its numbers")
    width = pdf.w - 2 * MARGIN
    for sheet in sheets:
        _header(pdf, lecture, sheet, "worked answers")
        for n, problem in enumerate(sheet.problems, start=1):
            _question(pdf, n, problem)
            pdf.set_font(FONT_NAME, "", 10.5)
            pdf.set_text_color(*INK)
            for line in problem.working:
                pdf.multi_cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
            pdf.set_font(FONT_NAME, "B", 9.5)
            pdf.set_text_color(*MUTED)
            pdf.cell(0, 5, "The numbers, as the video shows them", new_x="LMARGIN", new_y="NEXT")
            pdf.set_font(FONT_NAME, "", 9.5)
            pdf.set_text_color(*INK)
            for row in problem.ledger:
                # One row a line, the value in a cell of its own: the text stays whole.
                pdf.cell(width * 0.72, 5, row.label)
                pdf.cell(width * 0.28, 5, row.text, align="R", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(5)
    pdf.output(str(path))
    return path
