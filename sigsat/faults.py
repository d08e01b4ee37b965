"""Faults of the environment, each said in one line that names the cause and the folder.

A full disk, a read-only or forbidden folder, a file where a folder belongs, a missing ffmpeg:
the user can mend these, so they end a render with exit status 2 (as bad input does), not
with a traceback or a chapter's failure. `preflight` finds what it can before anything is
rendered; `within` turns the rest, met while writing, into an EnvironmentFault naming the
folder (the output folder or the cache) rather than a file deep inside it.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

# What the user can mend, by errno: the words, and what to do.
_MENDABLE = {
    errno.ENOSPC: ("no space left on device", "free some space and render again"),
    errno.EDQUOT: ("disk quota exceeded", "free some space and render again"),
    errno.EROFS: ("read-only file system", "use a writable folder"),
    errno.EACCES: ("permission denied", "use a folder you can write to"),
    errno.EPERM: ("operation not permitted", "use a folder you can write to"),
    errno.ENOTDIR: ("a file is in the way of a folder", "move it away"),
    errno.EISDIR: ("a folder is in the way of a file", "move it away"),
    errno.EMFILE: ("too many open files", "raise the limit (ulimit -n)"),
    errno.ENFILE: ("too many open files in the system", "close some programs"),
    errno.EIO: ("input/output error", "check the disk"),
    errno.ELOOP: ("a symbolic link is where sigsat writes a file", "remove the link"),
    errno.ENOMEM: ("out of memory", "free some memory, or raise the limit if one is set (ulimit -v)"),
}
# ffmpeg and other tools say these in their own words.
_TOOL_WORDS = {"No space left on device": errno.ENOSPC, "Disk quota exceeded": errno.EDQUOT,
               "Read-only file system": errno.EROFS, "Permission denied": errno.EACCES,
               # Out of memory, as the loader, OpenBLAS and Python's threads say it.
               "failed to map segment from shared object": errno.ENOMEM,
               "Memory allocation still failed": errno.ENOMEM, "Cannot allocate memory": errno.ENOMEM,
               "can't start new thread": errno.ENOMEM}


class EnvironmentFault(Exception):
    """A fault of the environment the user can mend; the message is one line."""


def cause(e: BaseException) -> OSError | None:
    """The mendable OSError behind an exception (its causes and contexts searched), or one made
    from a tool's words ("No space left on device"), or None."""
    seen: set[int] = set()
    current: BaseException | None = e
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError) and current.errno in _MENDABLE:
            return current
        if isinstance(current, MemoryError):
            return OSError(errno.ENOMEM, os.strerror(errno.ENOMEM))
        text = str(current)
        for words, code in _TOOL_WORDS.items():
            if words in text:
                return OSError(code, os.strerror(code))
        current = current.__cause__ or current.__context__
    return None


NEARLY_FULL = 1 << 20  # bytes free below which a tool's failure to write is taken as a full disk


def said(lines: Iterable[str]) -> OSError | None:
    """The mendable fault a process's last lines name in a tool's words, if any."""
    return cause(RuntimeError("\n".join(lines)))


def cause_in(e: BaseException, folder: Path) -> OSError | None:
    """`cause(e)`, or ENOSPC when the tool failed without saying why and the file system of
    `folder` is (nearly) full: ffmpeg writing an MP4 with faststart onto a full disk can leave
    a truncated file and report only that the next step could not read it."""
    found = cause(e)
    if found is not None:
        return found
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        return None
    return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)) if free < NEARLY_FULL else None


def describe(e: OSError, folder: Path | str | None = None, role: str = "") -> str:
    """One line for a mendable OSError: what happened (with its errno's name), where, and what
    to do. `folder` (and its `role`, "the output folder") is named rather than the file."""
    name = errno.errorcode.get(e.errno or 0, "")
    words, advice = _MENDABLE.get(e.errno or 0, (e.strerror or str(e), ""))
    where = str(folder) if folder is not None else (str(e.filename) if e.filename else "")
    place = f" in {role} {where}" if role and where else (f" in {where}" if where else "")
    if e.errno == errno.ENOMEM:  # the machine's, not a folder's
        return f"{words} (ENOMEM): {advice}"
    if e.errno == errno.EROFS and where:
        return f"{role + ' ' if role else ''}{where} is on a read-only file system (EROFS): {advice}"
    return f"{words}{f' ({name})' if name else ''}{place}" + (f": {advice}" if advice else "")


@contextmanager
def within(folder: Path, role: str) -> Iterator[None]:
    """Turn a mendable fault met inside the block into an EnvironmentFault naming `folder`."""
    try:
        yield
    except EnvironmentFault:
        raise
    except Exception as e:
        found = cause(e)
        if found is None:
            raise
        raise EnvironmentFault(describe(found, folder, role)) from e


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISREG, "a file"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISFIFO, "a FIFO"),
                       (stat.S_ISSOCK, "a socket"), (stat.S_ISLNK, "a broken link")):
        if test(mode):
            return name
    return "not a folder"


def usable_folder(option: str, path: Path) -> None:
    """`path` is, or can be made, a folder this process can write into; else EnvironmentFault."""
    for folder in (path, *path.parents):
        try:
            mode = folder.stat().st_mode
        except (FileNotFoundError, NotADirectoryError):  # missing, or under a file: look higher
            if folder.is_symlink():
                raise EnvironmentFault(f"{option} {path}: {folder} is a broken link, not a folder") from None
            continue
        except OSError as e:
            raise EnvironmentFault(f"{option} {path}: {describe(e, folder)}") from None
        if not stat.S_ISDIR(mode):
            raise EnvironmentFault(f"{option} {path}: {folder} is {_kind(mode)}, not a folder")
        break
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / f".sigsat-probe-{uuid.uuid4().hex}"
        probe.touch(exist_ok=False)
        probe.unlink()
    except OSError as e:
        if e.errno in _MENDABLE:
            raise EnvironmentFault(f"{option} {path}: {describe(e, path)}") from None
        raise EnvironmentFault(f"{option} {path}: cannot be made ({e.strerror or e})") from None


def _wrong_kind(path: Path, folder: bool) -> str:
    """'' when `path` is missing or of the kind wanted (a folder, or a file), else what it is."""
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        return ""
    if stat.S_ISLNK(mode):
        mode = path.stat().st_mode if path.exists() else mode
    if (stat.S_ISDIR(mode) if folder else stat.S_ISREG(mode)):
        return ""
    return "a folder" if stat.S_ISDIR(mode) else _kind(mode)


def owned(folder: Path, dirs: tuple[str, ...], files: tuple[str, ...]) -> None:
    """The output folder's own names are of their kind: folders `dirs`, files `files`."""
    kind = _wrong_kind(folder, folder=True)
    if kind:
        raise EnvironmentFault(f"{folder} is {kind}, where sigsat keeps this quality's outputs: "
                               "move it away")
    for names, want_folder in ((dirs, True), (files, False)):
        for name in names:
            kind = _wrong_kind(folder / name, want_folder)
            if kind:
                raise EnvironmentFault(f"{folder / name} is {kind}, where sigsat keeps its {name}: "
                                       "move it away")


def lock_file(path: Path, what: str = "render lock") -> None:
    """The render lock is a file (or not there yet), not a link: its line would be written
    through it."""
    kind = "a symbolic link" if path.is_symlink() else _wrong_kind(path, folder=False)
    if kind:
        raise EnvironmentFault(f"{path} is {kind}, where sigsat keeps its {what}: remove it")


# Below this much address space (`ulimit -v`) manim's libraries do not all load: numpy's and
# scipy's OpenBLAS then retries its allocations for ever inside an import, before Python runs
# again, and the command would hang.
MIN_ADDRESS_SPACE = 1 << 30


def memory_limit() -> None:
    """A memory limit too low for the libraries to load is said up front."""
    import resource

    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft != resource.RLIM_INFINITY and soft < MIN_ADDRESS_SPACE:
        raise EnvironmentFault(f"out of memory (ENOMEM): the memory limit is {soft >> 20} MiB (ulimit -v); sigsat "
                               f"needs at least {MIN_ADDRESS_SPACE >> 20} MiB: raise it")


def tools() -> None:
    """What the renderer runs is on PATH."""
    if shutil.which("ffmpeg") is None:
        raise EnvironmentFault("ffmpeg is not on PATH: install it (apt-get install ffmpeg, or "
                               "./render.sh once) or add its folder to PATH")
    # manim typesets every formula with latex, then dvisvgm; without them a chapter fails
    # half-way with a worker's traceback.
    missing = [tool for tool in ("latex", "dvisvgm") if shutil.which(tool) is None]
    if missing:
        raise EnvironmentFault(f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} not on PATH: "
                               "install them (apt-get install texlive-latex-base texlive-latex-extra "
                               "dvisvgm, or ./render.sh once) or add their folder to PATH")
