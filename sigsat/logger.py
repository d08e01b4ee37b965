"""The one console and logger of the command line: rich, on stderr.

Progress, chapter results and errors all go to stderr, so stdout carries only what a command
is asked for (`sigsat params` TOML, `sigsat list`). `--quiet` leaves errors only. Lines are
never wrapped (a CI log or a test reads them whole); rich markup colours them on a terminal.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console

console = Console(stderr=True, highlight=False, soft_wrap=True)
logger = logging.getLogger("sigsat")


class ConsoleHandler(logging.Handler):
    """Each record as one line of rich markup on the console (above a live progress bar)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            console.print(self.format(record), markup=True, highlight=False, soft_wrap=True)
        except Exception:  # logging's own contract: a broken handler reports, never raises
            self.handleError(record)


def _setup() -> None:
    handler = ConsoleHandler()
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False


def set_quiet(quiet: bool) -> None:
    """Errors only (`--quiet`), or everything."""
    logger.setLevel(logging.ERROR if quiet else logging.INFO)


@contextmanager
def only_warnings() -> Iterator[None]:
    """Warnings and errors only, for a step whose own lines would drown the command's."""
    level = logger.level
    logger.setLevel(max(level, logging.WARNING))
    try:
        yield
    finally:
        logger.setLevel(level)


def is_quiet() -> bool:
    """Whether only errors are shown."""
    return logger.level >= logging.ERROR


_setup()
