"""What the renderer built, read once: the manifest of an output folder, as plain objects.

Everything in `sigsat.present` (slides, handout, clips for decks, the index page) starts from
`load_lecture(folder)`. Reading the manifest lives here and only here, so a change in its
format is a change in this one function.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MANIFEST = "manifest.json"


class LectureError(RuntimeError):
    """The output folder holds no rendered lecture, or one this code cannot read."""


@dataclass(frozen=True)
class Section:
    """One step of a chapter: its name, where it starts and ends in the clip (seconds)."""

    index: int
    name: str
    start: float
    end: float
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Cue:
    """One caption line of a chapter, from `start` to `end` seconds into its clip."""

    start: float
    end: float
    text: str
    section: str


@dataclass(frozen=True)
class ChapterOut:
    """A rendered chapter: its files (absolute paths), what it read and what it shows."""

    number: int
    slug: str
    scene: str
    title: str
    clip: Path
    poster: Path | None
    duration: float
    size: int | None
    sha256: str | None
    cache_key: str | None
    params: dict[str, Any]
    ledger: list[dict[str, Any]]
    sections: tuple[Section, ...]
    cues: tuple[Cue, ...]
    start: float | None = None  # where the chapter begins in lecture.mp4, when known
    extra: dict[str, Path] = field(default_factory=dict)

    @property
    def stem(self) -> str:
        """`NN_slug`, the name every per-chapter file shares."""
        return f"{self.number:02d}_{self.slug}"


@dataclass(frozen=True)
class Lecture:
    """An output folder (`OUT/<quality>/`) and the chapters rendered into it, in order."""

    root: Path
    title: str
    quality: str
    chapters: tuple[ChapterOut, ...]
    movie: Path | None
    captions: dict[str, Path]
    manifest: dict[str, Any]
    size: tuple[int, int] | None = None  # the rendered frame size and rate, when the
    fps: float | None = None  # manifest says (a GIF clip's own rate may be lower)
    transparent: bool = False

    def rel(self, path: Path) -> str:
        """`path` relative to the output folder, with forward slashes (for links and HTML)."""
        return path.resolve().relative_to(self.root.resolve()).as_posix()

    def opaque(self, chapter: ChapterOut) -> tuple[Path, float]:
        """An MP4 of the chapter on the theme's background, and where the chapter starts in it.

        The clip itself when it is one; else (webm, mov or gif clips, or transparent ones)
        the lecture, which is always an opaque MP4, at the chapter's offset.
        """
        if chapter.clip.suffix.lower() == ".mp4" and not self.transparent:
            return chapter.clip, 0.0
        if self.movie is not None and chapter.start is not None:
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


def _first(row: dict[str, Any], *keys: str, default: Any = None) -> Any:
    for key in keys:
        if key in row and row[key] is not None:
            return row[key]
    return default


def _path(root: Path, value: Any) -> Path | None:
    if not value:
        return None
    p = Path(value)
    return p if p.is_absolute() else root / p


def _sidecar(root: Path, row: dict[str, Any]) -> dict[str, Any]:
    """Sections and cues: in the manifest row, or in the chapter's sidecar JSON beside it."""
    if "sections" in row and "cues" in row:
        return row
    side = _path(root, _first(row, "sidecar", "sidecar_file"))
    if side is None or not side.is_file():
        raise LectureError(
            f"chapter {row.get('slug')!r}: the manifest gives neither its sections and cues nor a sidecar file"
        )
    return {**json.loads(side.read_text(encoding="utf-8")), **row}


def _sections(data: dict[str, Any], duration: float) -> tuple[tuple[Section, ...], tuple[Cue, ...]]:
    marks = data.get("sections") or []
    cues_in = data.get("cues") or []
    sections = []
    for i, mark in enumerate(marks):
        end = marks[i + 1]["start"] if i + 1 < len(marks) else duration
        lines = tuple(c["text"] for c in cues_in if c.get("section") == mark["name"])
        sections.append(Section(i, mark["name"], float(mark["start"]), float(end), lines))
    cues = []
    for i, cue in enumerate(cues_in):
        end = cues_in[i + 1]["start"] if i + 1 < len(cues_in) else duration
        end = cue.get("end", end)  # the renderer's timing, when it gives one
        cues.append(
            Cue(
                float(cue["start"]),
                float(max(end, cue["start"])),
                cue["text"],
                cue.get("section", ""),
            )
        )
    return tuple(sections), tuple(cues)


def _number(row: dict[str, Any], position: int) -> int:
    if isinstance(row.get("number"), int):
        return int(row["number"])
    name = Path(str(_first(row, "file", "clip", default=""))).name
    m = re.match(r"(\d+)_", name)
    return int(m.group(1)) if m else position


def load_lecture(out: Path | str, quality: str | None = None) -> Lecture:
    """The lecture rendered into `out` (or `out/<quality>`), from its manifest.json."""
    root = find_output(Path(out), quality)
    try:
        manifest = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise LectureError(f"{root / MANIFEST} is not valid JSON: {e}") from None
    rows = manifest.get("chapters") or []
    if isinstance(rows, dict):
        rows = [{"slug": slug, **row} for slug, row in rows.items()]
    chapters = []
    for position, row in enumerate(rows, start=1):
        clip = _path(root, _first(row, "file", "clip", "movie"))
        if clip is None:
            raise LectureError(f"chapter {row.get('slug')!r} in {root / MANIFEST} names no clip")
        data = _sidecar(root, row)
        duration = float(_first(data, "duration", default=0.0))
        sections, cues = _sections(data, duration)
        extra = {
            k: p for k in ("vtt", "srt", "captions_vtt", "captions_srt") if (p := _path(root, row.get(k))) is not None
        }
        chapters.append(
            ChapterOut(
                number=_number(row, position),
                slug=str(row["slug"]),
                scene=str(_first(data, "scene", default="")),
                title=str(_first(data, "title", default=row["slug"])),
                clip=clip,
                poster=_path(root, _first(row, "poster", "poster_file")),
                duration=duration,
                size=_first(row, "size", "bytes"),
                sha256=_first(row, "sha256"),
                cache_key=_first(row, "cache_key", "key"),
                params=dict(_first(data, "params", "params_read", default={})),
                ledger=list(_first(data, "ledger", "numbers", default=[])),
                sections=sections,
                cues=cues,
                start=float(row["start"]) if row.get("start") is not None else None,
                extra=extra,
            )
        )
    lecture = manifest.get("lecture") if isinstance(manifest.get("lecture"), dict) else {}
    movie = _path(
        root,
        _first(lecture, "file", "movie")
        or manifest.get("lecture_file")
        or ("lecture.mp4" if (root / "lecture.mp4").is_file() else None),
    )
    captions = {}
    for ext in ("vtt", "srt"):
        p = _path(root, _first(lecture, ext, f"captions_{ext}") or f"lecture.{ext}")
        if p is not None and p.is_file():
            captions[ext] = p
    return Lecture(
        root=root,
        title=str(_first(manifest, "title", default="Sigmoid Saturation")),
        quality=str(_first(manifest, "quality", default=root.name)),
        chapters=tuple(sorted(chapters, key=lambda c: c.number)),
        movie=movie if movie is not None and movie.is_file() else None,
        captions=captions,
        manifest=manifest,
        size=(int(manifest["width"]), int(manifest["height"]))
        if manifest.get("width") and manifest.get("height")
        else None,
        fps=float(manifest["fps"]) if manifest.get("fps") else None,
        transparent=bool(manifest.get("transparent", False)),
    )
