"""The handout: one PDF page per step, the frame it comes to rest on, titled, with what the
narrator says; bookmarks per chapter and step.

The frames are the steps' stills (`steps.chapter_steps`: a step's complete picture, before any
closing fade; the slides come to rest on the same frames), kept as PNGs beside the PDF, ready
for a Beamer `\\includegraphics`. The text under a frame is the step's whole narration, which
is spoken while the step plays; the footer says at which moment of the clip the frame is, so a
number that moves during the step is read against the moment the frame shows.

`--theme light` is for print: the pictures are the same steps in the light theme, each drawn once
where the step comes to rest while the chapter is replayed unseen (`sigsat.stills`; nothing is
encoded, nothing spoken), and kept in the render cache, so a second light handout replays
nothing. It is written beside the rendered handout (`handout-light.pdf`), never over it.
"""

from __future__ import annotations

import logging
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from fpdf import FPDF

from sigsat_core.contract import HANDOUT, Handout, HandoutPage, Layout, named
from sigsat_core.files import link_or_copy
from sigsat_core.media import frames_at
from sigsat_core.units import clock

from ..outputs import staged, tmp_name
from ..stills import Stills
from .lecture import Lecture, LectureError, made_from, register
from .steps import Step, lecture_steps

FONT_NAME = "DejaVu Sans"
FONT_FALLBACKS = ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",)
BOLD_FALLBACKS = ("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",)
PAGE_W, PAGE_H, MARGIN = 297.0, 210.0, 12.0  # A4 landscape, millimetres
INK, MUTED, ACCENT = (20, 24, 32), (100, 108, 120), (34, 102, 204)


@dataclass(frozen=True)
class Page:
    """One handout page: its chapter and step, the frame's PNG and the frame's time in the clip."""

    chapter: str
    section: str
    frame: Path
    time: float


def font_file(name: str, fallbacks: tuple[str, ...]) -> str:
    """A TrueType file for `name` (fontconfig's pick), for text beyond Latin-1 (σ′, ≥, ×)."""
    try:
        found = subprocess.run(
            ["fc-match", "-f", "%{file}", name], capture_output=True, text=True, timeout=10
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        found = ""
    for candidate in (found, *fallbacks):
        if candidate and candidate.lower().endswith(".ttf") and Path(candidate).is_file():
            return candidate
    raise RuntimeError(f"no TrueType font {name!r}: apt-get install fonts-dejavu-core")



def light_stills(lecture: Lecture, cache_dir: Path | None = None, jobs: int | None = None) -> dict[str, Stills]:
    """Every step's resting picture in the light theme, by chapter (sigsat.stills), through the
    render cache (`cache_dir`, by default the output's own OUT/.cache, as `render` uses)."""
    from sigsat_core.qualities import Quality

    from ..logger import only_warnings
    from ..stills import StillsError, theme_stills

    m = lecture.manifest
    try:
        with only_warnings():  # the replays' lines are not the handout's
            return theme_stills(m.params, Quality(name=m.quality, width=m.width, height=m.height, fps=m.fps),
                                {c.slug: [s.name for s in c.sections] for c in lecture.chapters}, "light",
                                cache_dir or lecture.root.parent / ".cache", jobs)
    except StillsError as e:
        raise LectureError(f"the light pictures for the handout: {e}") from None


def step_frames(lecture: Lecture, folder: Path, stills: dict[str, Stills] | None = None) -> list[Page]:
    """The still of every step of every chapter, saved as PNGs in the empty `folder`: the
    clip's frame where the step rests, or the step's picture in `stills` (another theme's, by
    chapter) when given. The times are the lecture's own."""
    own = lecture_steps(lecture)
    pages = []
    for chapter in lecture.chapters:
        steps = own[chapter.slug]
        pngs = [folder / f"{chapter.stem}_{s.section.index + 1:02d}_{_safe(s.section.name)}.png" for s in steps]
        if stills is not None:
            for png, picture in zip(pngs, stills[chapter.slug].pictures, strict=True):
                link_or_copy(picture, png)
        else:
            by_source: dict[Path, list[tuple[Step, Path]]] = {}
            for step, png in zip(steps, pngs, strict=True):
                by_source.setdefault(step.source, []).append((step, png))
            for path, group in by_source.items():
                for (_, png), image in zip(group, frames_at(path, [s.still for s, _ in group]), strict=True):
                    image.save(png, optimize=True)
        pages += [Page(chapter.stem, s.section.name, png, s.still_time) for s, png in zip(steps, pngs, strict=True)]
    return pages


def _safe(name: str) -> str:
    """A step's name as part of a file name."""
    return "".join(ch if ch.isalnum() else "-" for ch in name).strip("-")


def write_handout(lecture: Lecture, name: str = "handout", theme: str | None = None,
                  jobs: int | None = None, cache_dir: Path | None = None) -> tuple[Path, Handout]:
    """handout/<name>.pdf with one page per step, its frames as PNGs, and its record
    (handout/<name>.json, registered in the manifest). `theme` "light" takes the stills from a
    light render; by default they come from the rendered clips, in their theme."""
    folder = lecture.root / Layout.HANDOUT
    folder.mkdir(parents=True, exist_ok=True)
    frames = folder / ("frames" if name == "handout" else f"{name}-frames")
    stills = light_stills(lecture, cache_dir, jobs) if theme == "light" and lecture.theme != "light" else None
    # The frames are made beside their folder and replace it when the PDF is in place: a full
    # disk or a kill leaves the previous frames with the previous PDF.
    with staged(frames) as staging:
        return _write_pdf(lecture, name, folder, step_frames(lecture, staging, stills), frames,
                          "light" if stills else lecture.theme,
                          sorted(s.key for s in stills.values()) if stills else [])


def _write_pdf(lecture: Lecture, name: str, folder: Path, pages: list[Page], frames: Path,
               theme: str, stills: list[str]) -> tuple[Path, Handout]:
    """handout/<name>.pdf of these pages and its record, which names each frame where it will
    be (in `frames`)."""
    # fpdf2 subsets the fonts with fontTools, which logs every table it prunes once a handler
    # is installed (manim installs one): not the lecturer's business.
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_title(f"{lecture.title}: handout")
    pdf.set_author("sigsat")
    pdf.set_subject("The last frame of every step of the lecture, with its narration")
    pdf.set_auto_page_break(False)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.add_font(FONT_NAME, "", font_file(FONT_NAME, FONT_FALLBACKS))
    pdf.add_font(FONT_NAME, "B", font_file(f"{FONT_NAME}:bold", BOLD_FALLBACKS))
    total = len(pages)
    number = 0
    record = []
    for chapter in lecture.chapters:
        for section in chapter.sections:
            page = pages[number]
            number += 1
            pdf.add_page()
            if section.index == 0:
                pdf.start_section(f"{chapter.number}. {chapter.title}", level=0)
            pdf.start_section(f"{section.index + 1}. {section.heading}", level=1)
            record.append(HandoutPage(page=number, slug=chapter.slug, section=section.name,
                                      heading=section.heading, frame=lecture.rel(frames / page.frame.name),
                                      time=page.time))
            pdf.set_font(FONT_NAME, "", 9)
            pdf.set_text_color(*MUTED)
            pdf.cell(
                0,
                5,
                f"{lecture.title}  ·  chapter {chapter.number}: {chapter.title}",
                new_x="LMARGIN",
                new_y="NEXT",
            )
            pdf.set_font(FONT_NAME, "B", 17)
            pdf.set_text_color(*INK)
            pdf.cell(
                0,
                10,
                f"{section.index + 1}. {section.heading}",
                new_x="LMARGIN",
                new_y="NEXT",
            )
            pdf.set_draw_color(*ACCENT)
            pdf.set_line_width(0.6)
            pdf.line(MARGIN, pdf.get_y() + 1, MARGIN + 40, pdf.get_y() + 1)
            top = pdf.get_y() + 4
            caption_h = 26.0
            box_w, box_h = PAGE_W - 2 * MARGIN, PAGE_H - MARGIN - 6 - caption_h - top
            w, h = pagesize(page.frame)
            scale = min(box_w / w, box_h / h)
            img_w, img_h = w * scale, h * scale
            x = (PAGE_W - img_w) / 2
            pdf.image(str(page.frame), x=x, y=top, w=img_w, h=img_h)
            pdf.set_draw_color(*MUTED)
            pdf.set_line_width(0.2)
            pdf.rect(x, top, img_w, img_h)
            pdf.set_xy(MARGIN, top + img_h + 4)
            pdf.set_text_color(*INK)
            text = " ".join(section.lines) or "(no narration)"
            # The narration gets the room under the frame; a long one is set smaller to fit.
            size = 11.5
            while True:
                pdf.set_font(FONT_NAME, "", size)
                line_h = size * 0.47
                lines = cast(list[str], pdf.multi_cell(box_w, line_h, text, dry_run=True, output="LINES"))
                if len(lines) * line_h <= caption_h - 2 or size <= 7:
                    break
                size -= 0.5
            pdf.multi_cell(box_w, line_h, text, new_x="LMARGIN", new_y="NEXT")
            pdf.set_xy(MARGIN, PAGE_H - MARGIN - 4)
            pdf.set_font(FONT_NAME, "", 8)
            pdf.set_text_color(*MUTED)
            # Text and picture are of different moments (the narration runs through the step,
            # the picture is its end): the page says so, with both times.
            spoken = f"said {clock(section.start)}–{clock(max(section.speech_end, section.start))}"
            where = (f"{chapter.stem}: {spoken}; the picture, and every number on it, as at "
                     f"{clock(page.time)}")
            pdf.cell(box_w * 0.85, 4, where)
            pdf.cell(box_w * 0.15, 4, f"{number} / {total}", align="R")
    out = folder / f"{name}.pdf"
    # Under a temporary name, then renamed: a full disk leaves no half PDF in the folder.
    tmp = tmp_name(out)
    tmp.unlink(missing_ok=True)
    try:
        pdf.output(str(tmp))
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    handout = Handout(name=name, pdf=lecture.rel(out), theme=theme, pages=record, stills=stills,
                      made_from=made_from(lecture.chapters))
    record_file = folder / f"{name}.json"
    handout.write(record_file)
    register(lecture, **{named(HANDOUT, name): record_file})
    return out, handout


def pagesize(png: Path) -> tuple[int, int]:
    """A PNG's width and height in pixels."""
    from PIL import Image

    with Image.open(png) as im:
        return im.size
