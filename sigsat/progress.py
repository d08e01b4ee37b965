"""One progress display for a whole render: chapters done of total, the ones rendering now,
the time so far. manim's own bars are off in the chapter processes (their output goes to the
chapter logs), so nothing else writes to the terminal while this runs."""

from __future__ import annotations

import threading
from types import TracebackType

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from .logger import console


class RunProgress:
    """Chapters done/total with the current ones named; silent when `enabled` is false."""

    def __init__(self, total: int, enabled: bool) -> None:
        self._lock = threading.Lock()
        self._current: list[str] = []
        self._enabled = enabled
        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("[bold]chapters"),
            BarColumn(bar_width=24),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.description}"),
            console=console,
            transient=False,
            disable=not enabled,
        )
        self._task: TaskID = self._progress.add_task("", total=total)

    def __enter__(self) -> RunProgress:
        self._progress.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._progress.stop()

    def _show(self) -> None:
        now = ", ".join(self._current)
        self._progress.update(self._task, description=f"rendering {now}" if now else "")

    def started(self, name: str) -> None:
        """A chapter began rendering."""
        with self._lock:
            self._current.append(name)
            self._show()

    def finished(self, name: str | None) -> None:
        """A chapter is done (rendered, failed, or found in the cache when `name` is None)."""
        with self._lock:
            if name in self._current:
                self._current.remove(name)
            self._progress.advance(self._task)
            self._show()

    def phase(self, text: str) -> None:
        """What happens after the chapters (assembling the lecture...)."""
        with self._lock:
            self._progress.update(self._task, description=text)
