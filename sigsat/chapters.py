"""The chapters: the registry `scenes.CHAPTERS`, `--only` selection, and what each one reads.

A chapter's module is imported (in this process, which is cheap next to rendering) to read
its Scene class's `reads`; a chapter whose file is missing or broken is not a usage error
but a failed chapter, reported when it is asked for, while the others go on.

`registry(package)` reads another package that has a `CHAPTERS` tuple and one module per
chapter (the tests use small fake chapters this way, through `render --registry`).
"""

from __future__ import annotations

import importlib
import re
import traceback
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

DEFAULT_REGISTRY = "scenes"


class ChapterError(ValueError):
    """A chapter name that is not in the registry (a usage error); the message is one line."""


@dataclass(frozen=True)
class ChapterRef:
    """A chapter of the registry, numbered from 1 in lecture order."""

    number: int
    slug: str
    scene: str
    title: str
    module: str  # importable module name, `scenes.sigmoid_curves`
    file: Path  # its source file (it may not exist yet)

    @property
    def stem(self) -> str:
        """`NN_slug`: the name of every file made for the chapter."""
        return f"{self.number:02d}_{self.slug}"


@dataclass(frozen=True)
class Loaded:
    """A chapter whose Scene class was imported: the parameters it reads (theme included)."""

    ref: ChapterRef
    reads: tuple[str, ...]


@dataclass(frozen=True)
class Broken:
    """A chapter that could not even be imported: why, in one line and in full."""

    ref: ChapterRef
    error: str
    detail: str


def _package(name: str) -> ModuleType:
    return importlib.import_module(name)


def registry(name: str = DEFAULT_REGISTRY) -> tuple[ChapterRef, ...]:
    """Every chapter of the package `name` in lecture order."""
    package = _package(name)
    folder = Path(list(package.__path__)[0])
    return tuple(
        ChapterRef(i, c.slug, c.scene, c.title, f"{name}.{c.slug}", folder / f"{c.slug}.py")
        for i, c in enumerate(package.CHAPTERS, start=1)
    )


def select(only: Iterable[str], chapters: Sequence[ChapterRef] | None = None) -> list[ChapterRef]:
    """The chapters `--only` names (slug, number or Scene class; commas allowed), in lecture
    order; all of them when none is named."""
    chapters = list(chapters if chapters is not None else registry())
    names = [n.strip() for item in only for n in item.split(",") if n.strip()]
    if not names:
        return chapters
    chosen: set[int] = set()
    for name in names:
        match = [c for c in chapters
                 if name in (c.slug, c.scene, c.stem) or (name.isdigit() and int(name) == c.number)]
        if not match:
            known = ", ".join(c.slug for c in chapters)
            raise ChapterError(f"unknown chapter {name!r}; known: {known}")
        chosen.update(c.number for c in match)
    return [c for c in chapters if c.number in chosen]


def _interrupt_behind(e: BaseException) -> BaseException | None:
    """The KeyboardInterrupt (or other BaseException, as SIGTERM's) an exception was raised
    while handling, if any."""
    seen: set[int] = set()
    current: BaseException | None = e
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if not isinstance(current, Exception):
            return current
        current = current.__cause__ or current.__context__
    return None


def load(ref: ChapterRef) -> Loaded | Broken:
    """Import the chapter's module and read its Scene class's `reads`."""
    if not ref.file.is_file():
        return Broken(ref, f"{_shown(ref.file)} does not exist (chapter not written yet?)", "")
    try:
        module = importlib.import_module(ref.module)
        cls = getattr(module, ref.scene)
    except Exception as e:  # a chapter's own bug: reported as that chapter's failure
        stop = _interrupt_behind(e)
        if stop is not None:  # Ctrl-C or SIGTERM inside an extension's import: "initialization failed"
            raise stop from None
        lines = traceback.format_exception(e)
        return Broken(ref, f"cannot load {ref.module}.{ref.scene}: {type(e).__name__}: {e}",
                      "".join(lines))
    reads = tuple(getattr(cls, "reads", ()))
    return Loaded(ref, tuple(sorted({*reads, "theme"})))


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


_STEM = re.compile(r"^\d{2}_[A-Za-z0-9_]+$")


def is_chapter_stem(stem: str) -> bool:
    """Whether a file name (without extension) is one the renderer makes per chapter."""
    return bool(_STEM.match(stem))


def scene_package_dir() -> Path:
    """The `scenes` package's folder (shared scene code lives there)."""
    return Path(list(_package(DEFAULT_REGISTRY).__path__)[0])


def chapter_files() -> set[Path]:
    """Every chapter file of the real registry (they are not shared code)."""
    folder = scene_package_dir()
    return {folder / f"{c.slug}.py" for c in _package(DEFAULT_REGISTRY).CHAPTERS}

