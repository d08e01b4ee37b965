"""The end of a render on the console: failures with their log's tail, or what was written."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from rich.markup import escape
from rich.table import Table

from sigsat_core.contract import Layout
from sigsat_core.units import clock, size

from .logger import console, is_quiet, logger
from .tasks import LOG_TAIL, Options, Result


def report(result: Result, options: Options) -> None:
    """The end of a run: failures with their log's tail, or what was written."""
    for t in result.failed:
        if t.fault:
            continue  # one line for the whole run (sigsat.cli)
        logger.error("[red bold]chapter %s failed:[/] %s", escape(t.name), escape(t.error))
        tail = _tail(t.tail) if t.tail else t.detail.strip().splitlines()[-LOG_TAIL:]
        if tail:
            console.print("\n".join("    " + line for line in tail), markup=False,
                          highlight=False, style="dim")
        if t.log:
            logger.error("    full log: %s", escape(str(t.log)))
    if any(not t.fault for t in result.failed):
        done = [t for t in result.tasks if t.entry is not None]
        logger.error("[red]%d of %d chapters failed[/]; %s was left as it was%s",
                     len(result.failed), len(result.tasks), escape(str(options.folder)),
                     f" ({len(done)} finished chapters are cached)" if done else "")
        return
    if is_quiet() or result.failed:
        return
    rendered = sum(t.rendered for t in result.tasks)
    table = Table(box=None, pad_edge=False, show_header=True, header_style="bold")
    for col in ("#", "chapter", "", "duration", "size"):
        table.add_column(col, justify="right" if col in ("#", "duration", "size") else "left")
    assert result.manifest is not None
    for row in result.manifest.chapters:
        table.add_row(f"{row.number:02d}", row.slug, row.status, clock(row.duration), size(row.size))
    console.print(table)
    lecture = result.manifest.lecture
    console.print(f"[bold]{escape(str(options.folder / Layout.LECTURE))}[/]  "
                  f"{clock(lecture.duration)}, {len(result.tasks)} chapters, "
                  f"{size(lecture.size)}; captions {Layout.SRT}, {Layout.VTT}; {Layout.MANIFEST}")
    console.print(f"{rendered} rendered, {len(result.tasks) - rendered} cached, "
                  f"{result.seconds:.1f} s")
    _say_stale(options.folder)


def _say_stale(folder: Path) -> None:
    """One line when decks, handouts or clips for decks show an earlier render of the lecture."""
    from .present.index import made
    from .present.lecture import load_lecture

    stale = made(load_lecture(folder)).stale
    if stale:
        logger.warning("[yellow]⚠[/] made from an earlier render, so no longer linked from the index: %s",
                       escape("; ".join(stale)))


def _tail(lines: Iterable[str]) -> list[str]:
    return [line.rstrip() for line in lines if line.strip()][-LOG_TAIL:]
