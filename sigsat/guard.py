"""Running renders under a guard: Ctrl-C and SIGTERM stop them truthfully, faults are one line."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, TypeVar

from rich.markup import escape

from . import faults
from .commons import UsageProblem
from .logger import logger
from .outputs import Busy

if TYPE_CHECKING:
    from .executors import Executor

T = TypeVar("T")


class Terminated(BaseException):
    """SIGTERM arrived: stop the chapter processes and leave the outputs as they were (a
    BaseException, as KeyboardInterrupt is: `except Exception` in a chapter's loading took it
    for that chapter's failure, exit 1)."""


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise Terminated()


def _versions_shown(folder: Path) -> dict[str, str]:
    """Which version each link shows: `folder` itself, or the variants' folders inside it."""
    shown = {}
    for path in (folder, *(folder.iterdir() if folder.is_dir() and not folder.is_symlink() else ())):
        try:
            shown[path.name] = os.readlink(path)
        except OSError:
            pass
    return shown


def guarded(run: Callable[[], T], folder: Path, executor: Executor) -> T:
    """Run renders: Ctrl-C and SIGTERM stop them (exit 130, 143) leaving `folder` as it was; a
    busy folder or a fault of the environment is one line (exit 2). The executor is closed."""
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    shown = _versions_shown(folder)
    try:
        return run()
    except (Busy, faults.EnvironmentFault) as e:
        raise UsageProblem(str(e)) from None
    except (OSError, MemoryError, RuntimeError) as e:  # a mendable fault met where no folder was named
        found = faults.cause(e)
        if found is None:
            raise
        raise UsageProblem(faults.describe(found)) from None
    except (KeyboardInterrupt, Terminated) as e:
        if _versions_shown(folder) == shown:
            logger.error("[red]stopped[/]; %s was left as it was", escape(str(folder)))
        else:  # the signal came after the commit's rename: say what is there now
            logger.error("[red]stopped[/] after the new version was committed: %s holds the new render",
                         escape(str(folder)))
        raise SystemExit(130 if isinstance(e, KeyboardInterrupt) else 143) from None
    finally:
        signal.signal(signal.SIGTERM, previous)
        executor.close()
