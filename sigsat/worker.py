"""One chapter's render, in its own process: `python -m sigsat.worker JOB.json`.

The job (sigsat_core.contract.Job) says which Scene, at what size and rate, with which parameters
and voice, and where the result goes. The scene gets them as an explicit ChapterContext.
manim renders into a private media folder with its progress bars off; then the master MP4
(faststart), the clip in the asked-for format and the poster are made, and the whole entry is
moved into the cache in one rename, so the cache never holds half an entry. Everything this
process prints goes to the chapter's log (the parent redirects it); on failure it also leaves
error.json, one line.
"""

from __future__ import annotations

import ctypes
import importlib
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
import traceback
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sigsat_core.contract import FAILURE_LINE, LOSSLESS, PART_FILE, STILLS_DIR, EntryFile, Failure, Job, Sidecar

from .faults import cause_in, describe

if TYPE_CHECKING:
    from scenes.context import ChapterContext
from .logger import logger
from .parts import MIN_PART_SECONDS

# manim writes its movie losslessly (QuickTime RLE, RGB; ARGB when transparent), and the
# H.264 master is encoded from it by ffmpeg (sigsat_core.encode.h264). manim's own x264 through
# PyAV gave different bytes for the same frames from run to run (a faded text encoded three
# ways in 30 tries, one thread or many; 3 of 9 chapters came out different when re-rendered):
# its choices depend on memory it does not own. A lossless movie decodes to exactly the
# frames manim drew, however its bytes fall, so the chapter's bytes follow from its frames.
MOVIE_CODEC, MOVIE_PIXELS = "qtrle", "rgb24"
PR_SET_PDEATHSIG = 1  # linux/prctl.h


_PLAIN = re.compile(r"^[A-Za-z0-9_./+-]+$")
ALIAS_PREFIX = "sigsat-alias-"


def plain_alias(folder: Path) -> Path:
    """`folder` under a name of plain characters: a link to it in a new folder of the system's
    temporary space (`folder` itself when its name is plain already, or no such space is).

    manim writes paths into an ffmpeg concat list between single quotes (a quote in a folder
    name breaks it), reads them back as format strings (braces), and LaTeX stops at spaces,
    dollars and the like: so manim is only ever shown plain names. The link goes with the
    process (`drop_alias`); a killed process's is swept by the next render (`sweep_aliases`).
    """
    folder = folder.resolve()
    if _PLAIN.match(str(folder)):
        return folder
    for base in (tempfile.gettempdir(), "/tmp", "/var/tmp", "/dev/shm"):
        if not _PLAIN.match(base) or not os.path.isdir(base):
            continue
        try:
            holder = Path(tempfile.mkdtemp(prefix=f"{ALIAS_PREFIX}{os.getpid()}-", dir=base))
        except OSError:
            continue
        alias = holder / "work"
        alias.symlink_to(folder, target_is_directory=True)
        return alias
    return folder


def drop_alias(alias: Path) -> None:
    """Remove a link `plain_alias` made (never what it points to)."""
    if alias.is_symlink() and alias.parent.name.startswith(ALIAS_PREFIX):
        alias.unlink()
        alias.parent.rmdir()


def sweep_aliases() -> None:
    """Remove the links of chapter processes that were killed before they could."""
    for base in {tempfile.gettempdir(), "/tmp"}:
        for holder in Path(base).glob(f"{ALIAS_PREFIX}*"):
            try:
                pid = int(holder.name[len(ALIAS_PREFIX):].split("-", 1)[0])
                os.kill(pid, 0)
            except ProcessLookupError:
                for link in holder.iterdir():
                    if link.is_symlink():
                        link.unlink()
                holder.rmdir()
            except (ValueError, OSError):
                continue


def _configure(job: Job, work: Path) -> None:
    """manim's settings for the job, with its media, LaTeX and text folders in `work` (a plain
    alias of the job's work folder: see plain_alias)."""
    from manim import config

    config.frame_size = (job.quality.width, job.quality.height)
    config.frame_rate = job.quality.fps
    config.media_dir = str(work / "media")
    # Private LaTeX and text folders: manimpango rewrites a text's SVG in place each time the
    # text is made, and two LaTeX runs of one formula write the same files, so renders sharing
    # a folder read each other's half-written files. The shared LaTeX SVGs are linked in first
    # and the new ones given back after the render (_share_svgs).
    config.tex_dir = str(_seed_svgs(Path(job.tex_dir), work / "tex"))
    config.text_dir = str(work / "texts")
    config.disable_caching = True  # partial movies of one render only; sigsat caches whole chapters
    config.verbosity = "WARNING"
    config.progress_bar = "none"
    config.output_file = job.scene
    config.transparent = job.transparent
    # Transparent movies are QuickTime RLE with alpha already.
    config.format = "mov"
    if not job.transparent:
        config.video_codec, config.pixel_format = MOVIE_CODEC, MOVIE_PIXELS


def _seed_svgs(shared: Path, private: Path) -> Path:
    """`private`, holding links to every finished SVG in `shared` (manim uses an SVG it finds)."""
    from sigsat_core.files import link_or_copy

    private.mkdir(parents=True, exist_ok=True)
    if shared.is_dir():
        for svg in shared.glob("*.svg"):
            try:
                link_or_copy(svg, private / svg.name)
            except (FileNotFoundError, FileExistsError):
                continue
    return private


def _share_svgs(private: Path, shared: Path) -> None:
    """Give the SVGs this render made to `shared`, each whole (a link under a unique name, then
    renamed), for the renders that come after."""
    from sigsat_core.files import link_or_copy

    shared.mkdir(parents=True, exist_ok=True)
    for svg in private.glob("*.svg"):
        dest = shared / svg.name
        if dest.exists():
            continue
        tmp = shared / f".{svg.name}.{uuid.uuid4().hex}.tmp"
        link_or_copy(svg, tmp)
        os.replace(tmp, dest)


def scene_class(job: Job) -> type[Any]:
    """The chapter's Scene class."""
    cls: type[Any] = getattr(importlib.import_module(job.module), job.scene)
    return cls


TO_THE_END = 1 << 30


def run(job: Job) -> None:
    """Plan the job's chapter, render one part of it, or render it whole (see Job.mode)."""
    from scenes.context import ChapterContext
    from sigsat_math.params import build

    work = Path(job.work)
    out = work / job.process
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    params = build(job.params)
    last = job.last if job.last >= 0 else TO_THE_END
    draw: tuple[int, int] | frozenset[int] | None = (
        (0, -1) if job.mode == "plan" else None if job.mode == "whole"
        else frozenset(job.only) if job.only is not None else (job.first, last))
    parts = _Parts(job, work, params)
    # A part leaves the layout check to its chapter's plan (or whole render): it reads the
    # mobjects, which the replay brings to the same state.
    context = ChapterContext(params=params, sidecar=out / "sidecar.json", voice=job.voice,
                             speech_dir=Path(job.speech_dir),
                             recordings=Path(job.recordings) if job.recordings else None,
                             chapter=job.slug, draw=draw, check_layout=job.mode != "part",
                             plan=out / "plan.json", stills=out / STILLS_DIR if job.stills else None,
                             on_sections=None if job.mode == "plan" else parts.sections_closed)
    # Every process of a job has a media folder of its own (parts of a chapter run at once).
    alias = plain_alias(out)
    try:
        started = time.monotonic()
        _manim(job, out, alias, context)
        logger.info("manim %s %s in %.1f s (%s)", "planned" if job.mode == "plan" else "drew",
                    job.scene, time.monotonic() - started, job.mode)
        parts.finish()
        if job.mode != "part" and job.cache is None:
            _export_speech(out, Path(job.speech_dir))
        if job.mode != "plan" and not parts.stored:
            raise RuntimeError(f"sections {job.first}-{job.last} of {job.scene} drew no frames")
    finally:
        parts.close()
        drop_alias(alias)


def _export_speech(out: Path, speech_dir: Path) -> None:
    """The speech of the chapter's beats beside its sidecar, in `out/speech/`: a Dask worker's
    speech cache is its own, and the client joins the chapter's soundtrack (it adopts these)."""
    from sigsat_core.speech.store import SpeechStore

    side = Sidecar.read(out / "sidecar.json")
    store = SpeechStore(speech_dir)
    store.export([b.audio for b in side.beats if b.audio is not None], out / "speech")


def _manim(job: Job, out: Path, alias: Path, context: ChapterContext) -> None:
    """Run the scene; its parts are made as their sections close (`_Parts`)."""
    from scenes.upstream import without_whole_movie

    _configure(job, alias)
    scene = scene_class(job)(context=context)
    # The parts are this process's video, each joined from its own sections' segments; manim's
    # whole movie would be one more copy of every frame, never used.
    without_whole_movie(scene)
    scene.render()
    _share_svgs(alias / "tex", Path(job.tex_dir))
    for scratch in ("tex", "texts", "media"):
        shutil.rmtree(out / scratch, ignore_errors=True)


class _Parts:
    """The parts a process stores as its sections close, in `WORK/part-<first>/entry` and
    published to CACHE/parts/<key>: a "part" job's one part (its drawn sections), or a whole
    render's parts, cut where `sigsat.parts.split` cuts them (forwards, so a cut is known as
    soon as its section ends). Either way a part is its sections' segments joined by manim,
    then encoded alone, so its bytes do not depend on which process drew it. The H.264 encodes
    run beside the drawing, one at a time."""

    def __init__(self, job: Job, work: Path, params: Any) -> None:
        self.job, self.work, self.params = job, work, params
        self.done = 0  # sections already in a stored part (whole renders)
        self.stored: list[str] = []
        self._since = time.monotonic()  # the process's start, then the last cut's
        self._encoder: ThreadPoolExecutor | None = None
        self._pending: list[Future[None]] = []

    def sections_closed(self, scene: Any, closed: int, over: bool) -> None:
        """Sections 0..closed-1 have all their frames; `over`: nothing more is drawn."""
        if self.job.mode == "part":
            if over:
                self._close(scene, 0, closed - 1, self.job.first, self.job.last, self.job.key)
            return
        from .cache import Key, part_key
        from .parts import split

        plan = scene.render_plan()
        for span in split(plan):
            if span.first < self.done or not (over or span.seconds(plan.fps) >= MIN_PART_SECONDS):
                continue
            key = part_key(Key(self.job.key, self.job.inputs), span.name, span.reads, self.params)
            self._close(scene, span.first, span.last, span.first, span.last, key.digest,
                        frames=span.frames)
            self.done = span.last + 1

    def _close(self, scene: Any, first: int, last: int, number: int, last_named: int, key: str,
               frames: int | None = None) -> None:
        """Join sections first..last's segments into the part's lossless movie, and queue its
        encode."""
        movies = scene.section_movies(first, last)
        if not movies:
            return
        folder = self.work / f"part-{number}"
        folder.mkdir(parents=True, exist_ok=True)
        writer = scene.renderer.file_writer
        writer.join_all_encode_jobs()
        lossless = folder / LOSSLESS
        writer.combine_files(movies, lossless)
        background = scene.theme.background
        now = time.monotonic()
        logger.info("part %d-%d of %s: drawn in %.1f s", number, last_named, self.job.scene,
                    now - self._since)
        self._since = now
        if self._encoder is None:
            self._encoder = ThreadPoolExecutor(1, thread_name_prefix="part-encode")
        self._pending.append(self._encoder.submit(
            self._store, folder, lossless, number, last_named, key, frames, background))
        self.stored.append(key)

    def _store(self, folder: Path, movie: Path, first: int, last: int, key: str,
               frames: int | None, background: str) -> None:
        """The part's H.264 video (and its lossless movie where a clip or a test needs it),
        published to CACHE/parts/<key>."""
        from sigsat_core.contract import PartEntry
        from sigsat_core.encode import composite, h264
        from sigsat_core.media import probe

        started = time.monotonic()
        job = self.job
        entry = folder / "entry"
        if entry.exists():
            shutil.rmtree(entry)
        entry.mkdir()
        video = entry / "video.mp4"
        if job.transparent:
            composite(movie, video, background, job.quality)
        else:
            h264(movie, video)
        files = {"video": video}
        if job.keep_lossless or job.format != "mp4" or job.transparent:
            os.replace(movie, entry / LOSSLESS)
            files["lossless"] = entry / LOSSLESS
        else:
            movie.unlink()
        found = probe(video).frames
        if frames is not None and found != frames:
            raise RuntimeError(f"part {first}-{last} of {job.scene} has {found} frames, its "
                               f"sections {frames}")
        PartEntry(key=key, slug=job.slug, first=first, last=last, frames=found,
                  files={role: EntryFile.of(path) for role, path in files.items()}).write(entry / PART_FILE)
        # A Dask worker's parts are not published there: the client publishes what it gets back.
        if job.cache is not None:
            from .cache import Cache

            Cache(Path(job.cache)).parts_store().publish(entry, key)
        logger.info("part %d-%d of %s: %d frames, encoded in %.1f s", first, last, job.scene, found,
                    time.monotonic() - started)

    def finish(self) -> None:
        """Wait for the encodes (re-raising the first failure)."""
        for future in self._pending:
            future.result()

    def close(self) -> None:
        """Stop the encoder thread (after a failure, without waiting for queued encodes)."""
        if self._encoder is not None:
            self._encoder.shutdown(wait=True, cancel_futures=True)


def _where(e: BaseException, module_file: str | None) -> str:
    """The innermost frame of the traceback in the chapter's file (else the innermost)."""
    frames = traceback.extract_tb(e.__traceback__)
    if not frames:
        return ""
    inside = [f for f in frames if module_file and f.filename == module_file]
    f = (inside or frames)[-1]
    return f"{Path(f.filename).name}:{f.lineno} in {f.name}"


def die_with_parent(parent: int | None) -> None:
    """Stop this process when the render that started it dies.

    A render killed outright (SIGKILL, the OOM killer) cannot stop its chapters; they would
    render on for nothing and hold the cache. On Linux the kernel sends SIGKILL when the parent
    goes (prctl PR_SET_PDEATHSIG); elsewhere, and for a parent gone before that call, a thread
    checks the parent's pid twice a second.
    """
    expected = parent if parent is not None else os.getppid()
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):
            pass

    def watch() -> None:
        while True:
            if os.getppid() != expected:
                os.kill(os.getpid(), signal.SIGKILL)
            time.sleep(0.5)

    if os.getppid() != expected:
        os.kill(os.getpid(), signal.SIGKILL)
    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def failure(job: Job, e: BaseException) -> Failure:
    """What to tell the renderer about the exception that ended the job."""
    found = cause_in(e, Path(job.work))
    if found is not None:  # the environment's fault: the cache's folder is where it wrote
        return Failure(kind="environment",
                       error=describe(found, Path(job.cache), "the cache folder")
                       if job.cache else describe(found, Path(job.work), "the job's folder"))
    module = sys.modules.get(job.module)
    message = f"{type(e).__name__}: {e}".strip().splitlines()
    return Failure(kind="chapter", error=message[0] if message else type(e).__name__,
                   where=_where(e, getattr(module, "__file__", None)))


def main(argv: list[str] | None = None) -> int:
    """Run one job; 0 on success, 1 on failure, with the Failure as the last line printed (the
    renderer reads this process's output through a pipe, which a full disk cannot stop) and in
    error.json beside the job when it can be written."""
    args = sys.argv[1:] if argv is None else argv
    job_file = Path(args[0])
    job = Job.read(job_file)
    die_with_parent(job.parent_pid)
    try:
        run(job)
    except Exception as e:  # reported to the parent as this chapter's failure
        traceback.print_exc()
        report = failure(job, e)
        print(FAILURE_LINE + report.model_dump_json(), flush=True)
        try:
            report.write(job_file.parent / "error.json")
        except OSError:
            pass
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
