"""The handout: one PDF page per section, its last frame, titled, with what the narrator says.

The frames are taken from the rendered clips (a section ends where the next one starts; scene
time is whole frames, so the frame indices are exact) and kept as PNGs beside the PDF, ready
for a Beamer `\\includegraphics`. Where a section ends by fading its content away (many do,
to clear the stage for the next), its literal last frame is a blank: the page shows the last
frame before the fade instead (`media.still_index`).
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from fpdf import FPDF

from ..media import frames_at, presence, probe, still_index
from ..units import clock
from .lecture import Lecture

HANDOUT_DIR = "handout"
FONT_NAME = "DejaVu Sans"
FONT_FALLBACKS = ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",)
BOLD_FALLBACKS = ("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",)
PAGE_W, PAGE_H, MARGIN = 297.0, 210.0, 12.0  # A4 landscape, millimetres
INK, MUTED, ACCENT = (20, 24, 32), (100, 108, 120), (34, 102, 204)


@dataclass(frozen=True)
class Page:
    """One handout page: which chapter and section, and the frame's PNG."""

    chapter: str
    section: str
    frame: Path
    lines: tuple[str, ...]


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



def section_frames(lecture: Lecture, folder: Path) -> list[Page]:
    """The last frame of every section of every chapter, saved as PNGs in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    pages = []
    measured: dict[Path, object] = {}
    for chapter in lecture.chapters:
        # From an opaque MP4 (the clip, or the lecture when clips are transparent, webm, mov
        # or GIF), so every frame has the theme's background.
        source, offset = lecture.opaque(chapter)
        info = probe(source)
        if source not in measured:
            measured[source] = presence(source)
        shown = measured[source]
        # Scene time is whole frames, so a section is exactly frames [start*fps, end*fps).
        pause = max(2, round(0.3 * info.fps))
        indices = []
        for s in chapter.sections:
            first = round((offset + s.start) * info.fps)
            last = round((offset + s.end) * info.fps) - 1
            indices.append(still_index(shown, first, last, pause))  # type: ignore[arg-type]
        images = frames_at(source, indices)
        for section, image in zip(chapter.sections, images, strict=True):
            safe = "".join(ch if ch.isalnum() else "-" for ch in section.name).strip("-")
            png = folder / f"{chapter.stem}_{section.index + 1:02d}_{safe}.png"
            image.save(png, optimize=True)
            pages.append(Page(chapter.stem, section.name, png, section.lines))
    return pages


def write_handout(lecture: Lecture, name: str = "handout") -> Path:
    """handout/<name>.pdf with one page per section, and the frames as PNGs in handout/frames/."""
    folder = lecture.root / HANDOUT_DIR
    frames = folder / "frames"
    for old in frames.glob("*.png"):
        old.unlink()
    pages = section_frames(lecture, frames)
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
    for chapter in lecture.chapters:
        for section in chapter.sections:
            page = pages[number]
            number += 1
            pdf.add_page()
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
                f"{section.index + 1}. {section.name[:1].upper()}{section.name[1:]}",
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
            where = f"{chapter.stem}.mp4 at {clock(section.start)}–{clock(section.end)}"
            pdf.cell(box_w / 2, 4, where)
            pdf.cell(box_w / 2, 4, f"{number} / {total}", align="R")
    out = folder / f"{name}.pdf"
    pdf.output(str(out))
    return out


def pagesize(png: Path) -> tuple[int, int]:
    """A PNG's width and height in pixels."""
    from PIL import Image

    with Image.open(png) as im:
        return im.size
