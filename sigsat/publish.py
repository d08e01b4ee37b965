"""Publishing a run: the next version of the output folder (clips, posters, captions, the lecture,
the manifest, the script, the index page), built aside and committed in one rename."""

from __future__ import annotations

import time
from pathlib import Path

from sigsat_core.captions import shifted, srt, vtt
from sigsat_core.contract import (
    ChapterMark,
    ChapterRecord,
    ContractError,
    Cue,
    Layout,
    LectureRecord,
    Manifest,
    RunRecord,
)
from sigsat_core.files import sha256_file
from sigsat_core.qualities import FORMATS

from . import __version__
from .assemble import ChapterMedia, join, lecture_key, marks
from .cache import (
    tool_versions,
)
from .chapters import is_chapter_stem
from .narration import script_csv, script_markdown
from .outputs import Version
from .tasks import Options, Task

MANIFEST = Layout.MANIFEST


class Publisher:
    """Writes one lecture's output folder from its chapters' cache entries."""

    def __init__(self, options: Options, scratch: Path) -> None:
        self.options = options
        self.scratch = scratch  # the run's own folder, for the lecture's intermediate files

    def write(self, tasks: list[Task], started: float) -> Manifest:
        """Build the next version of the output folder, then commit it in one rename."""
        version = Version(self.options.folder).begin()
        try:
            manifest = self._fill(version, tasks, started)
            version.commit()
        except BaseException:
            version.abort()
            raise
        return manifest

    def _fill(self, version: Version, tasks: list[Task], started: float) -> Manifest:
        layout = Layout(version.root)
        ext = FORMATS[self.options.fmt].ext
        rows: list[ChapterRecord] = []
        parts: list[ChapterMedia] = []
        cues: list[Cue] = []
        offset = 0.0
        for t in tasks:
            assert t.entry is not None and t.key is not None
            e, ref = t.entry, t.ref
            side = e.sidecar
            clip, poster = layout.clip(ref.stem, ext), layout.poster(ref.stem)
            put = version.link if self.options.link else version.copy
            put(e.path("clip"), clip, e.sha256("clip"))
            put(e.path("poster"), poster, e.sha256("poster"))
            # Frames, rate and duration as the master has them (verified against entry.json).
            parts.append(ChapterMedia(e.path("master"), ref.title, e.info.frames, e.info.fps,
                              e.sha256("master"), e.path("audio"), e.sha256("audio")))
            duration = e.info.duration
            cues.extend(shifted(side.cues, offset))
            own = {"vtt": vtt(side.cues, ref.title), "srt": srt(side.cues)}
            for ext_, text in own.items():
                version.text(text, layout.chapter_captions(ref.stem, ext_))
            rows.append(ChapterRecord(
                number=ref.number, slug=ref.slug, scene=ref.scene, title=ref.title,
                file=f"{Layout.CLIPS}/{clip.name}", poster=f"{Layout.POSTERS}/{poster.name}",
                start=round(offset, 3), duration=duration, frames=e.info.frames,
                size=e.path("clip").stat().st_size, sha256=e.sha256("clip"),
                poster_time=e.entry.poster_time, cache_key=t.key.digest,
                key_inputs=t.key.inputs, status="rendered" if t.rendered else "cached",
                captions={x: layout.rel(layout.chapter_captions(ref.stem, x)) for x in own},
                **side.report()))
            offset += duration
        title = str(self.options.params.lesson.title)
        lecture = self._lecture(parts, title, srt(cues), version)
        version.text(srt(cues), version.root / Layout.SRT)
        version.text(vtt(cues, title), version.root / Layout.VTT)
        q = self.options.quality
        manifest = Manifest(
            sigsat=__version__, title=title, quality=q.name, width=q.width, height=q.height,
            fps=q.fps, format=self.options.fmt, transparent=self.options.transparent,
            theme=self.options.params.theme, voice=self.options.voice, tools=tool_versions(),
            params=self.options.params.flat(), lecture=lecture, chapters=rows,
            run=RunRecord(rendered=[t.ref.slug for t in tasks if t.rendered],
                          cached=[t.ref.slug for t in tasks if not t.rendered],
                          jobs=self.options.jobs, seconds=round(time.monotonic() - started, 3)))
        version.text(script_markdown(manifest), version.root / Layout.SCRIPT_MD)
        version.text(script_csv(manifest), version.root / Layout.SCRIPT_CSV)
        version.text(manifest.dumps(), layout.manifest)
        self._remove_stale(version, tasks, ext)
        # The browsing page is part of the version (slides and handout refresh it later too).
        from .present.index import write_index
        from .present.lecture import load_lecture

        write_index(load_lecture(version.root))
        return manifest

    def _lecture(self, parts: list[ChapterMedia], title: str, captions: str, version: Version) -> LectureRecord:
        dest = version.root / Layout.LECTURE
        key = lecture_key(parts, title, captions)
        old = previous_lecture(self.options.folder / MANIFEST)
        chapter_marks = None
        if not (old is not None and old.key == key and dest.is_file()
                and sha256_file(dest) == old.sha256):
            chapter_marks = join(parts, title, captions, version.file(dest),
                                 self.scratch / "lecture")
        chapter_marks = chapter_marks or marks(parts)
        return LectureRecord(
            file=Layout.LECTURE, srt=Layout.SRT, vtt=Layout.VTT, key=key,
            duration=chapter_marks[-1].end / 1000 if chapter_marks else 0.0,
            size=dest.stat().st_size, sha256=sha256_file(dest),
            chapters=[ChapterMark(title=m.title, start=m.start / 1000, end=m.end / 1000)
                      for m in chapter_marks])

    @staticmethod
    def _remove_stale(version: Version, tasks: list[Task], ext: str) -> None:
        """Chapter files of earlier runs that this lecture no longer has."""
        stems = {t.ref.stem for t in tasks}
        keep = {Layout.CLIPS: {f"{s}.{ext}" for s in stems}, Layout.POSTERS: {f"{s}.png" for s in stems},
                Layout.CAPTIONS: {f"{s}.{x}" for s in stems for x in ("srt", "vtt")}}
        exts = {Layout.CLIPS: {f".{f.ext}" for f in FORMATS.values()}, Layout.POSTERS: {".png"},
                Layout.CAPTIONS: {".srt", ".vtt"}}
        for sub, names in keep.items():
            d = version.root / sub
            if not d.is_dir():
                continue
            for p in d.iterdir():
                if p.is_file() and p.suffix in exts[sub] and is_chapter_stem(p.stem) and p.name not in names:
                    version.remove(p)


def read_manifest(path: Path) -> Manifest | None:
    """The manifest at `path`, None if there is none; ContractError if it is unreadable."""
    if not path.is_file():
        return None
    return Manifest.read(path)


def previous_manifest(path: Path) -> Manifest | None:
    """The manifest at `path` if there is a readable one."""
    try:
        return read_manifest(path)
    except ContractError:
        return None


def previous_lecture(path: Path) -> LectureRecord | None:
    """The lecture the manifest at `path` records, if any."""
    old = previous_manifest(path)
    return old.lecture if old is not None else None

