"""What one `sigsat render` is asked for (`Options`), each chapter's state in it (`Task`), and
what it did (`Result`)."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from sigsat_core.contract import (
    Manifest,
    Plan,
    VoiceSpec,
)
from sigsat_core.qualities import Quality
from sigsat_math.params import Params

from .cache import (
    Key,
    Stored,
)
from .chapters import ChapterRef

LOG_TAIL = 25


@dataclass(frozen=True)
class Options:
    """Everything `render` was asked for, validated."""

    quality: Quality
    params: Params
    chapters: tuple[ChapterRef, ...]
    fmt: str
    transparent: bool
    jobs: int
    out: Path
    cache_dir: Path | None = None
    force: bool = False
    wait: bool = False
    voice: VoiceSpec = VoiceSpec()
    recordings: Path | None = None
    strict: bool = False  # layout problems are errors
    # How chapters render: "whole" (one process each), "parts" (a plan, then parts in
    # processes of their own) or "auto" (whole unless cores would idle; see Renderer._choose).
    split: str = "auto"
    target: Path | None = None  # the output folder itself, when not OUT/<quality> (a variant's)
    label: str = ""  # the variant's name, said before each chapter's
    link: bool = False  # outputs as hard links to the cache's files, not copies (variants)

    @property
    def folder(self) -> Path:
        """OUT/<quality>/ (or the target folder)."""
        return self.target if self.target is not None else self.out / self.quality.name


@dataclass
class Task:
    """One chapter in this run: what it reads, its key, its cache entry or why it renders."""

    ref: ChapterRef
    prefix: str = ""  # `group-b/` in a variants run
    key: Key | None = None
    entry: Stored | None = None
    reason: str = ""
    error: str = ""
    detail: str = ""
    log: Path | None = None
    tail: deque[str] = field(default_factory=lambda: deque(maxlen=LOG_TAIL * 4))
    fault: bool = False  # the error is the environment's (a full disk...), not the chapter's
    seconds: float = 0.0
    rendered: bool = False
    started: float = 0.0
    parts: list[Path | None] = field(default_factory=list)  # its parts' folders, in order
    drawn: list[str] = field(default_factory=list)  # the parts drawn by this run
    remaining: int = 0  # parts still drawing
    part_keys: list[str] = field(default_factory=list)
    mode: str = ""  # "whole" (one process) or "plan" (then parts); "" until chosen
    hint: Plan | None = None  # the chapter's plan from an earlier render
    sidecar: Path | None = None

    @property
    def name(self) -> str:
        """`05 problem1_sigma_prime` (`group-b/05 problem1_sigma_prime` in a variant)."""
        return f"{self.prefix}{self.ref.number:02d} {self.ref.slug}"


@dataclass
class Result:
    """What a run did."""

    tasks: list[Task]
    seconds: float
    manifest: Manifest | None = None

    @property
    def failed(self) -> list[Task]:
        """The chapters that failed."""
        return [t for t in self.tasks if t.error]

    @property
    def faults(self) -> list[str]:
        """The environment's faults that stopped chapters, each once."""
        return list(dict.fromkeys(t.error for t in self.tasks if t.fault))
