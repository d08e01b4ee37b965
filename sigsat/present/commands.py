"""The commands `slides`, `handout`, `embed`, `index` and `present`, on a rendered lecture."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

import click

from sigsat_core.contract import Layout

from .. import faults
from ..outputs import Busy, locked
from .lecture import Lecture, LectureError, find_output, load_lecture

out_option = click.option(
    "--out",
    "-o",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("out"),
    show_default=True,
    help="The output folder `sigsat render` wrote (or one of its quality folders).",
)
quality_option = click.option(
    "--quality",
    "-q",
    default=None,
    help="Which rendered quality (a folder in OUT); default: the latest.",
)


class BadInput(click.ClickException):
    """Nothing rendered where the options point, or a chapter that is not there: a usage
    problem, status 2 like a bad parameter, said in one line."""

    exit_code = 2


def _lecture_command(lock: bool) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """--out/--quality become a loaded Lecture; a missing or unreadable one exits with status 2.

    With `lock`, the command holds the folder's render lock while it runs (a render busy there
    is one line, status 2) and reads the manifest under it: what it writes lands in the version
    it read, and no render replaces that version meanwhile."""

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        @out_option
        @quality_option
        @wraps(func)
        def wrapper(out: Path, quality: str | None, **kwargs: Any) -> Any:
            try:
                root = find_output(out, quality)
                if not lock:
                    return func(load_lecture(root), **kwargs)
                with locked(root, wait=False):
                    return func(load_lecture(root), **kwargs)
            except LectureError as e:
                raise BadInput(str(e)) from None
            except Busy:  # before RuntimeError, its base
                raise BadInput(f"a render or another command is writing to {root}: run this command "
                               "again when it has finished") from None
            except click.ClickException as e:  # a tool's words may tell of a full disk: then status 2
                found = faults.cause_in(e, root) if not isinstance(e, BadInput) else None
                if found is None:
                    raise
                raise BadInput(faults.describe(found, root, "the output folder")) from None
            except (OSError, RuntimeError) as e:  # ffmpeg's or the disk's own words
                found = faults.cause_in(e, root)
                if found is None:
                    raise
                raise BadInput(faults.describe(found, root, "the output folder")) from None

        return wrapper

    return decorate


with_lecture = _lecture_command(lock=True)
reading_lecture = _lecture_command(lock=False)  # present: a talk must not keep renders out


def _plain_name(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """--name names files beside others in the lecture's folder: a plain name, never a path."""
    from ..names import BadName, check_plain

    if value is None:
        return None
    try:
        return check_plain(value, "--name")
    except BadName as e:
        raise BadInput(str(e)) from None


def _index(lecture: Lecture) -> None:
    from .index import write_index

    click.echo(f"index: {write_index(load_lecture(lecture.root))}")


def _fail(e: Exception) -> click.ClickException:
    return click.ClickException(str(e))


@click.command()
@with_lecture
@click.option(
    "--chapter",
    "-c",
    "chapters",
    multiple=True,
    help="Only this chapter (slug; repeatable). Default: every rendered chapter.",
)
@click.option("--name", default="lecture", show_default=True, callback=_plain_name,
              help="Name of the decks (NAME.html, NAME.pptx).")
@click.option("--html/--no-html", default=True, show_default=True, help="Write the reveal.js deck.")
@click.option("--pptx/--no-pptx", default=True, show_default=True, help="Write the PowerPoint deck.")
@click.option(
    "--one-file",
    is_flag=True,
    help="Also write NAME.one-file.html: the deck, reveal.js and every clip in one file, to send.",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="Chapters rendered at once (default: one per CPU).",
)
@click.option(
    "--reversed",
    "reversed_",
    is_flag=True,
    help="Also make reversed clips, for going back in `manim-slides present`.",
)
@click.option("--force", is_flag=True, help="Render the slides again even when they are current.")
def slides(
    lecture: Lecture,
    chapters: tuple[str, ...],
    name: str,
    html: bool,
    pptx: bool,
    jobs: int | None,
    one_file: bool,
    reversed_: bool,
    force: bool,
) -> None:
    """Each step of each chapter as a slide: manim-slides' folder, an HTML and a PPTX deck.

    Cuts every chapter's clip into its steps, each with its narration and coming to rest on
    the step's complete picture (unchanged chapters are skipped), into OUT/<quality>/slides/.
    The HTML deck works opened from disk with no network; `sigsat present` shows the slides
    in manim-slides' own player.
    """
    from .slides import SlidesError, make_slides

    unknown = [slug for slug in chapters if slug not in {c.slug for c in lecture.chapters}]
    if unknown:
        raise BadInput(f"no rendered chapter {', '.join(unknown)} in {lecture.root}; rendered: "
                       f"{', '.join(c.slug for c in lecture.chapters)}")
    try:
        deck, deck_file, _ = make_slides(lecture, chapters, name, html, pptx, one_file, jobs, reversed_, force,
                                         progress=click.echo)
    except SlidesError as e:
        raise _fail(e) from None
    total = sum(len(c.steps) for c in deck.chapters)
    click.echo(f"{total} slides from {len(deck.chapters)} chapters in {deck_file.parent}")
    _index(lecture)


@click.command()
@with_lecture
@click.option("--name", default=None, callback=_plain_name,
              help="File name of the PDF (NAME.pdf); default handout, or handout-light with --theme light.")
@click.option(
    "--theme",
    type=click.Choice(["rendered", "light"]),
    default="rendered",
    show_default=True,
    help="The stills' theme: as rendered, or light for print (renders the chapters in the light "
    "theme once, through the render cache; the videos are not changed).",
)
@click.option("--cache", "cache_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The render cache for --theme light (default: OUT/.cache, as `render`).")
@click.option(
    "--jobs", "-j", type=click.IntRange(min=1), default=None,
    help="Chapters rendered at once for --theme light (default: one per core)."
)
def handout(lecture: Lecture, name: str | None, theme: str, jobs: int | None, cache_dir: Path | None) -> None:
    """A PDF with the frame every step comes to rest on, titled, with its narration and
    bookmarks; the frames as PNGs."""
    from .handout import write_handout

    try:
        # A light handout is written beside the rendered one, never over it.
        name = name or ("handout-light" if theme == "light" else "handout")
        pdf, record = write_handout(lecture, name, theme if theme != "rendered" else None, jobs, cache_dir)
    except LectureError as e:
        raise _fail(e) from None
    click.echo(f"handout: {pdf} ({len(record.pages)} pages, {record.theme}; frames in {pdf.parent})")
    _index(load_lecture(lecture.root))


@click.command()
@with_lecture
@click.option(
    "--width",
    type=click.IntRange(min=64),
    default=960,
    show_default=True,
    help="Width of the loops in pixels.",
)
@click.option(
    "--fps",
    type=click.IntRange(min=1, max=60),
    default=15,
    show_default=True,
    help="Frame rate of the loops.",
)
def embed(lecture: Lecture, width: int, fps: int) -> None:
    """Clips for PowerPoint, Keynote, Google Slides: faststart H.264 MP4s and looping GIFs."""
    from .embed import make_embeds

    try:
        made = make_embeds(lecture, width, fps)
    except RuntimeError as e:
        raise _fail(e) from None
    for m in made:
        click.echo(f"{m.path}  {m.what}")
    _index(lecture)


@click.command()
@with_lecture
def script(lecture: Lecture) -> None:
    """The narration script, beat by beat (id, duration, words as spoken), as Markdown and CSV:
    what to record for `render --recordings DIR` (DIR/<chapter>/<beat>.wav|flac|mp3)."""
    from ..narration import write_script

    md, table = write_script(lecture.root, lecture.manifest)
    beats = sum(1 for c in lecture.manifest.chapters for b in c.beats if b.text)
    click.echo(f"{beats} beats: {md}, {table}")


@click.command()
@with_lecture
def index(lecture: Lecture) -> None:
    """Write OUT/<quality>/index.html: every chapter, its player, numbers and files, on one page."""
    _index(lecture)


# What manim-slides' player (through qtpy) can run on; `.[present]` installs PySide6.
QT_BINDINGS = ("PySide6", "PyQt6", "PySide2", "PyQt5")


@click.command(context_settings={"ignore_unknown_options": True})
@reading_lecture
@click.argument("manim_slides_args", nargs=-1, type=click.UNPROCESSED)
def present(lecture: Lecture, manim_slides_args: tuple[str, ...]) -> None:
    """Present the slides with `manim-slides present` (needs a display and a Qt binding:
    pip install -e '.[present]'). Extra arguments go to manim-slides, e.g. --full-screen."""
    import importlib.util

    if not any(importlib.util.find_spec(qt) for qt in QT_BINDINGS):
        raise BadInput("present needs a Qt binding for manim-slides' player: .venv/bin/pip install -e '.[present]'")
    folder = lecture.root / Layout.SLIDES
    scenes = [c.scene for c in lecture.chapters if (folder / f"{c.scene}.json").is_file()]
    if not scenes:
        raise click.ClickException(f"no slides in {folder}: run `sigsat slides` first")
    exe = shutil.which("manim-slides", path=os.path.dirname(sys.executable)) or "manim-slides"
    cmd = [exe, "present", "--folder", str(folder), *manim_slides_args, *scenes]
    raise SystemExit(subprocess.call(cmd))


COMMANDS = (slides, handout, embed, script, index, present)


@click.group()
def present_group() -> None:
    """Slides, handout, clips for decks and the index page of a rendered lecture."""


for _command in COMMANDS:
    present_group.add_command(_command)
