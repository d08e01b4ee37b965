"""What the renderer built, read once: an output folder's manifest, as a Lecture to present.

Everything in `sigsat.present` (slides, handout, clips for decks, the index page) starts from
`load_lecture(folder)`, which reads only the manifest (sigsat_core.contract.Manifest) and the files
it names. Commands that add files (decks, handouts) register them with `register()` in the
folder's Extras record, so the index page links what exists.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from sigsat_core.contract import ContractError, Cue, Extras, Layout, LedgerRow, Loop, Manifest, Record

from ..outputs import holding, locked

MANIFEST = Layout.MANIFEST
R = TypeVar("R", bound=Record)
# A heading longer than this is cut at a word.
HEADING_MAX = 60
# Terms a section name writes in lower case that a heading spells as the lesson does.
TERMS = {"relu": "ReLU", "gelu": "GELU", "elu": "ELU", "sigma": "σ"}


class LectureError(RuntimeError):
    """The output folder holds no rendered lecture, or one this code cannot read."""


@dataclass(frozen=True)
class ClipSection:
    """One step of a chapter: its name, where it starts and ends in the clip (seconds), and
    its narration."""

    index: int
    name: str
    start: float
    end: float
    lines: tuple[str, ...]
    speech_end: float = 0.0  # where the step's narration ends in the clip (0: none)
    rest: float | None = None  # where its picture is complete, as the scene recorded it (seconds)

    @property
    def heading(self) -> str:
        """The step's heading for people: its name, or, when the name is an identifier
        (`plateau_z`), the narration's first clause."""
        text = self.name
        if "_" in text and self.lines:
            text = re.split(r"[.,:;!?](?:\s|$)", self.lines[0].strip(), maxsplit=1)[0]
        text = re.sub(r"[A-Za-z]+", lambda m: TERMS.get(m.group(0), m.group(0)), text.replace("_", " "))
        if len(text) > HEADING_MAX:
            text = text[:HEADING_MAX].rsplit(" ", 1)[0] + "…"
        return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class ChapterOut:
    """A rendered chapter: its files (absolute paths), what it read and what it shows."""

    number: int
    slug: str
    scene: str
    title: str
    clip: Path
    poster: Path
    duration: float
    size: int
    sha256: str
    cache_key: str
    params: dict[str, object]
    ledger: tuple[LedgerRow, ...]
    sections: tuple[ClipSection, ...]
    cues: tuple[Cue, ...]
    loops: tuple[Loop, ...]
    start: float  # where the chapter begins in lecture.mp4
    captions: dict[str, Path]  # its own caption files by format

    @property
    def stem(self) -> str:
        """`NN_slug`, the name every per-chapter file shares."""
        return f"{self.number:02d}_{self.slug}"


@dataclass(frozen=True)
class Lecture:
    """An output folder (`OUT/<quality>/`) and the chapters rendered into it, in order."""

    root: Path
    manifest: Manifest
    chapters: tuple[ChapterOut, ...]
    extras: Extras = Extras()

    @property
    def title(self) -> str:
        """The lesson's title."""
        return self.manifest.title

    @property
    def quality(self) -> str:
        """The quality's name."""
        return self.manifest.quality

    @property
    def size(self) -> tuple[int, int]:
        """The rendered frame size (a GIF clip's own rate may be lower)."""
        return self.manifest.width, self.manifest.height

    @property
    def fps(self) -> int:
        """The rendered frame rate."""
        return self.manifest.fps

    @property
    def transparent(self) -> bool:
        """Whether the clips have a transparent background."""
        return self.manifest.transparent

    @property
    def theme(self) -> str:
        """The colour theme rendered."""
        return self.manifest.theme

    @property
    def movie(self) -> Path | None:
        """lecture.mp4, when it is there."""
        path = self.root / self.manifest.lecture.file
        return path if path.is_file() else None

    @property
    def captions(self) -> dict[str, Path]:
        """The lecture's captions by format (vtt, srt), those that are there."""
        lec = self.manifest.lecture
        paths = {"vtt": self.root / lec.vtt, "srt": self.root / lec.srt}
        return {k: p for k, p in paths.items() if p.is_file()}

    def extra(self, role: str) -> Path | None:
        """A file another command registered (`slides.html`, `handout`...), if it exists."""
        rel = self.extras.files.get(role)
        path = self.root / rel if rel else None
        return path if path is not None and path.exists() else None

    def records(self, role: str, kind: type[R]) -> dict[str, tuple[Path, R]]:
        """The records registered as `<role>:<name>` (decks, handouts) that exist and can be
        read, by name: where each is and what it says."""
        found = {}
        for key in self.extras.files:
            head, _, name = key.partition(":")
            path = self.extra(key) if head == role and name else None
            if path is None:
                continue
            try:
                found[name] = (path, kind.read(path))
            except ContractError:
                continue  # written by another version: not linked until made again
        return found

    def rel(self, path: Path) -> str:
        """`path` relative to the output folder, with forward slashes (for links and HTML)."""
        return Layout(self.root).rel(path)

    def opaque(self, chapter: ChapterOut) -> tuple[Path, float]:
        """An MP4 of the chapter on the theme's background, and where the chapter starts in it.

        The clip itself when it is one; else (webm, mov or gif clips, or transparent ones)
        the lecture, which is always an opaque MP4, at the chapter's offset.
        """
        if chapter.clip.suffix.lower() == ".mp4" and not self.transparent:
            return chapter.clip, 0.0
        if self.movie is not None:
            return self.movie, chapter.start
        return chapter.clip, 0.0


def find_output(out: Path, quality: str | None = None) -> Path:
    """The folder holding the manifest: `out/<quality>`, or `out` itself, or the newest one.

    `out` may be the output folder itself (it holds manifest.json) or its parent; with no
    quality given, the most recently rendered quality wins.
    """
    if quality:
        candidates = [out / quality]
    elif (out / MANIFEST).is_file():
        candidates = [out]
    else:
        candidates = sorted(
            (p.parent for p in out.glob(f"*/{MANIFEST}")),
            key=lambda p: (p / MANIFEST).stat().st_mtime,
            reverse=True,
        )
    for folder in candidates:
        if (folder / MANIFEST).is_file():
            return folder
    where = out / quality if quality else out
    raise LectureError(f"no rendered lecture in {where} (no {MANIFEST}): run `sigsat render` first")


def _chapter(root: Path, row: object) -> ChapterOut:
    from sigsat_core.contract import ChapterRecord

    assert isinstance(row, ChapterRecord)
    sections = tuple(
        ClipSection(i, s.name, s.start, s.end,
                tuple(b.text for b in row.beats if b.section == s.name and b.text),
                max((b.start + b.speech for b in row.beats if b.section == s.name), default=0.0), s.rest)
        for i, s in enumerate(row.sections))
    return ChapterOut(
        number=row.number, slug=row.slug, scene=row.scene, title=row.title,
        clip=root / row.file, poster=root / row.poster, duration=row.duration, size=row.size,
        sha256=row.sha256, cache_key=row.cache_key, params=dict(row.params),
        ledger=tuple(row.ledger), sections=sections, cues=tuple(row.cues),
        loops=tuple(row.loops), start=row.start,
        captions={ext: root / rel for ext, rel in row.captions.items()})


def load_lecture(out: Path | str, quality: str | None = None) -> Lecture:
    """The lecture rendered into `out` (or `out/<quality>`), from its manifest.json."""
    root = find_output(Path(out), quality)
    try:
        manifest = Manifest.read(root / MANIFEST)
    except ContractError as e:
        raise LectureError(str(e)) from None
    chapters = tuple(_chapter(root, row) for row in manifest.chapters)
    return Lecture(root=root, manifest=manifest, chapters=chapters, extras=_extras(root))


def _extras(root: Path) -> Extras:
    """The folder's registered extras (none yet, or an unreadable record: none)."""
    path = root / Layout.EXTRAS
    if not path.is_file():
        return Extras()
    try:
        return Extras.read(path)
    except ContractError:
        return Extras()


def made_from(chapters: Iterable[ChapterOut]) -> dict[str, str]:
    """What a presenting record was made from: each chapter's clip, by its sha256."""
    return {c.slug: c.sha256 for c in chapters}


def is_current(lecture: Lecture, made: dict[str, str]) -> bool:
    """Whether a record made from these chapter clips still shows this lecture's chapters."""
    now = {c.slug: c.sha256 for c in lecture.chapters}
    return bool(made) and all(now.get(slug) == sha for slug, sha in made.items())


def register(lecture: Lecture, **files: Path | None) -> Lecture:
    """Record extra files (decks, handouts) in the folder's Extras by role, under the render lock."""
    rels = {role: (lecture.rel(p) if p is not None else None) for role, p in files.items()}
    # The presenting commands hold it already (`commands.with_lecture`).
    with nullcontext() if holding(lecture.root) else locked(lecture.root, wait=True):
        updated = _extras(lecture.root).with_files(**rels)
        updated.write(lecture.root / Layout.EXTRAS)
    return Lecture(root=lecture.root, manifest=lecture.manifest, chapters=lecture.chapters, extras=updated)
