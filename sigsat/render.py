"""`sigsat render`: plan which chapters need rendering, render them in parallel processes,
then lay out the output folder (clips, posters, lecture, captions, manifest) in one commit.

The output folder only ever changes to a complete, consistent lecture: when a chapter fails,
the chapters that finished are kept in the cache (the next run does not render them again)
and OUT/<quality>/ is left as it was.
"""

from __future__ import annotations

import functools
import heapq
import itertools
import os
import shutil
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.markup import escape
from rich.table import Table

from sigsat_math.params import Params

from . import __version__
from .assemble import Part, join, lecture_key, marks
from .cache import ENTRY as ENTRY_FILE
from .cache import (
    Cache,
    Damaged,
    Key,
    Stored,
    chapter_key,
    damaged_file,
    link_or_copy,
    part_key,
    sha256_file,
    tool_versions,
    verify,
    why_changed,
)
from .captions import shifted, srt, vtt
from .chapters import Broken, ChapterRef, is_chapter_stem, load
from .contract import (
    ChapterMark,
    ChapterRecord,
    ContractError,
    Cue,
    Entry,
    Job,
    Layout,
    LectureRecord,
    Manifest,
    PartEntry,
    Plan,
    QualitySpec,
    RunRecord,
    VoiceSpec,
)
from .executors import LOG, Done, Executor, LocalExecutor, Stopped, local_cores, source_hash
from .faults import cause_in, describe, within
from .layout_report import summary
from .logger import console, is_quiet, logger
from .narration import script_csv, script_markdown
from .outputs import Version, locked, recover, remove_stale_tmp
from .parts import PartSpan, split
from .progress import RunProgress
from .qualities import FORMATS, Quality
from .runs import Run, gc_lock, live_keys, sweep
from .units import clock, size
from .worker import PART_FILE, join_chapter, sweep_aliases

MANIFEST = Layout.MANIFEST
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


class _Pool:
    """`workers` threads, each taking the most urgent job first (the smallest priority); a job
    may queue more. `run` returns when nothing is queued or running, and re-raises a job's error."""

    def __init__(self, workers: int, waiting: int = 0) -> None:
        self.workers = max(1, workers)
        self.waiting = waiting  # chapters not started yet (the choice to split reads it)
        self._heap: list[tuple[tuple[int, ...], int, Callable[[], None]]] = []
        self._cond = threading.Condition()
        self._order = itertools.count()
        self._running = 0
        self._closed = False
        self._errors: list[BaseException] = []

    def take_waiting(self) -> int:
        """A chapter starts: how many were waiting, itself included."""
        with self._cond:
            waiting = self.waiting
            self.waiting -= 1
        return waiting

    def submit(self, priority: tuple[int, ...], job: Callable[[], None]) -> None:
        """Queue a job."""
        with self._cond:
            heapq.heappush(self._heap, (priority, next(self._order), job))
            self._cond.notify()

    def _work(self) -> None:
        while True:
            with self._cond:
                while not self._heap and self._running and not self._closed:
                    self._cond.wait()
                if self._closed or not self._heap:
                    self._cond.notify_all()
                    return
                _, _, job = heapq.heappop(self._heap)
                self._running += 1
            try:
                job()
            except BaseException as e:  # handed to run(), which re-raises it
                with self._cond:
                    self._errors.append(e)
                    self._closed = True
            finally:
                with self._cond:
                    self._running -= 1
                    self._cond.notify_all()

    def run(self) -> None:
        """Run the queue to its end."""
        threads = [threading.Thread(target=self._work, name=f"job-{i}", daemon=True)
                   for i in range(self.workers)]
        for t in threads:
            t.start()
        try:
            for t in threads:
                while t.is_alive():
                    t.join(0.5)
        except BaseException:
            with self._cond:
                self._closed = True
                self._heap.clear()
                self._cond.notify_all()
            raise
        if self._errors:
            raise self._errors[0]


class Renderer:
    """One run of `sigsat render`."""

    def __init__(self, options: Options, executor: Executor | None = None) -> None:
        self.o = options
        self.cache = Cache(options.cache_dir or options.out / ".cache")
        self.workspace = Run(self.cache)
        self.executor: Executor = executor or LocalExecutor(options.jobs)
        self._lock = threading.Lock()  # a chapter's count of parts still drawing
        self._stopping = False
        self.on_done: Callable[[Task], None] = lambda task: None  # a chapter is done (_Batch)

    # Planning
    def _previous(self) -> dict[str, ChapterRecord]:
        """The last manifest's chapters by slug (to say why one renders again)."""
        path = self.o.folder / MANIFEST
        if not path.is_file():
            return {}
        try:
            return {c.slug: c for c in Manifest.read(path).chapters}
        except ContractError as e:
            logger.warning("the previous manifest is not used (%s); it will be replaced", e)
            return {}

    def plan(self) -> list[Task]:
        """Every chapter's key, and whether the cache has it (pinned into this run's folder)."""
        previous = self._previous()
        tasks = []
        prefix = f"{self.o.label}/" if self.o.label else ""
        for ref in self.o.chapters:
            task = Task(ref, prefix)
            tasks.append(task)
            loaded = load(ref)
            if isinstance(loaded, Broken):
                task.error, task.detail = loaded.error, loaded.detail
                continue
            task.key = chapter_key(ref, loaded.reads, self.o.params, self.o.quality, self.o.fmt,
                                   self.o.transparent, self.o.voice, self.o.recordings)
        keyed = [t for t in tasks if t.key is not None]
        with gc_lock(self.cache, exclusive=False):
            self.workspace.uses(t.key.digest for t in keyed if t.key is not None)
            for task in keyed:
                assert task.key is not None
                digest = task.key.digest
                entry, damage = self.cache.pin(digest, self._pins / digest)
                if damage:
                    logger.warning("%s: cache entry damaged (%s); rendering it again", task.name,
                                   damage)
                    self.cache.discard(digest)
                    task.reason = "cache entry damaged"
                elif entry is not None and not self.o.force:
                    task.entry = entry
                elif entry is not None:  # --force: the new render replaces the entry
                    self.cache.discard(digest)
                    task.reason = "--force"
                else:
                    old = previous.get(task.ref.slug)
                    task.reason = (why_changed(old.key_parts, task.key.parts) if old else "") or "not in the cache"
        return tasks

    @property
    def _pins(self) -> Path:
        return self.workspace.folder / "pins"

    # Rendering
    def _work(self, task: Task) -> Path:
        return self.workspace.folder / task.ref.slug

    def _job(self, task: Task, **fields: Any) -> Job:
        """The job of one of the chapter's processes (its plan, or a part: `fields`)."""
        assert task.key is not None
        q = self.o.quality
        given: dict[str, Any] = {"key": task.key.digest, "parts": task.key.parts, **fields}
        return Job(
            module=task.ref.module, scene=task.ref.scene, slug=task.ref.slug, title=task.ref.title,
            quality=QualitySpec(name=q.name, width=q.width, height=q.height, fps=q.fps),
            format=self.o.fmt, transparent=self.o.transparent, params=self.o.params.flat(),
            work=str(self._work(task).resolve()), tex_dir=str((self.cache.tex / q.name).resolve()),
            speech_dir=str(self.cache.speech.resolve()),
            entry_final=str(self.cache.folder(task.key.digest).resolve()), voice=self.o.voice,
            source=source_hash(task.key.parts),
            recordings=str(self.o.recordings.resolve()) if self.o.recordings else None,
            parent_pid=os.getpid(), **given)

    def _chapter(self, task: Task, progress: RunProgress, pool: _Pool) -> None:
        """Render the chapter whole in one process that stores its parts as it goes, or plan it
        (replayed unseen) and queue the parts the cache lacks, each a process of its own."""
        work = self._work(task)
        work.mkdir(parents=True, exist_ok=True)
        progress.started(task.name)
        task.started = time.monotonic()
        task.mode = task.mode or self._choose(task, pool.take_waiting())
        done = self._spawn(task, self._job(task, mode=task.mode))
        if done is None:
            self._done(task, progress)
            return
        folder = done.folder
        if not done.published:  # rendered elsewhere (Dask): its speech joins the soundtrack here
            from .speech.store import SpeechStore

            SpeechStore(self.cache.speech).adopt(folder / "speech")
        plan = Plan.read(folder / "plan.json")
        task.sidecar = folder / "sidecar.json"
        self._save_hint(task, plan)
        assert task.key is not None
        spans = split(plan)
        keys = [part_key(task.key, span.name, span.reads, self.o.params) for span in spans]
        task.part_keys = [k.digest for k in keys]
        with gc_lock(self.cache, exclusive=False):
            self.workspace.uses(task.part_keys)
        task.parts = [None] * len(spans)
        todo: list[tuple[int, PartSpan, Key]] = []
        for slot, (span, key) in enumerate(zip(spans, keys, strict=True)):
            if task.mode == "whole":
                task.parts[slot] = self._own_part(task, span, key.digest, done.published)
            else:
                task.parts[slot] = None if self.o.force else self._pin_part(key.digest)
                if task.parts[slot] is None:
                    todo.append((slot, span, key))
        task.drawn = [span.name for span in spans] if task.mode == "whole" else [s.name for _, s, _ in todo]
        task.remaining = len(todo)
        if not todo:
            self._join(task, progress)
            return
        for slot, span, key in todo:
            # Longest first: the chapters' parts fill the cores, and the long ones end last.
            pool.submit((1, -span.frames, task.ref.number, span.first),
                        functools.partial(self._part, task, slot, span, key, progress))

    def _choose(self, task: Task, waiting: int) -> str:
        """"whole" unless cores would idle: with fewer chapters waiting (this one included)
        than jobs, a chapter an earlier render saw cut into parts is split among the cores."""
        if self.o.split != "auto":
            return "whole" if self.o.split == "whole" else "plan"
        hint = task.hint
        if waiting < self.executor.cores and hint is not None and len(split(hint)) > 1:
            return "plan"
        return "whole"

    def _own_part(self, task: Task, span: PartSpan, digest: str, published: bool) -> Path | None:
        """A part this run's process stored in its work folder (checked, and published unless
        its process did), else the task's error."""
        found = _checked_part(self._work(task) / f"part-{span.first}" / "entry", digest)
        if found is None and not task.error:
            task.error = f"part {span.name} left no usable cache entry"
        elif found is not None and not published:
            self.cache.parts_store().publish(found, digest)
        return found

    def _part(self, task: Task, slot: int, span: PartSpan, key: Key, progress: RunProgress) -> None:
        """Draw one part of the chapter in its own process."""
        if not task.error and not self._stopping:
            job = self._job(task, mode="part", first=span.first, last=span.last, key=key.digest,
                            parts=key.parts)
            done = self._spawn(task, job)
            if done is not None:
                task.parts[slot] = self._own_part(task, span, key.digest, done.published)
        with self._lock:
            task.remaining -= 1
            last = task.remaining == 0
        if last:
            self._join(task, progress)

    def _join(self, task: Task, progress: RunProgress) -> None:
        """The chapter's entry from its sidecar and parts (when none failed)."""
        assert task.key is not None
        if not task.error and not self._stopping:
            parts = [p for p in task.parts if p is not None]
            assert task.sidecar is not None
            try:
                folder = join_chapter(self._job(task), task.sidecar, parts, task.part_keys,
                                      self._work(task) / "join")
                task.entry, task.rendered = verify(folder, task.key.digest), True
            except Damaged as e:
                task.error = f"the render left no usable cache entry ({e})"
            except (OSError, RuntimeError) as e:  # ffmpeg, or the machine (a full disk...)
                found = cause_in(e, self.cache.root)
                task.fault = found is not None
                task.error = (describe(found, self.cache.root, "the cache folder") if found is not None
                              else f"joining the chapter's parts failed: {str(e).splitlines()[0]}")
        self._done(task, progress)

    def _hint_file(self, task: Task) -> Path:
        return self.cache.plans / f"{task.ref.slug}.json"

    def _read_hint(self, task: Task) -> Plan | None:
        """The chapter's plan as its last render (at any quality) saw it, if any: its sections'
        lengths and reads are what the choice of path needs (a guess; the render plans anew)."""
        try:
            return Plan.read(self._hint_file(task))
        except ContractError:
            return None

    def _save_hint(self, task: Task, plan: Plan) -> None:
        """Keep the chapter's plan for the next render's choice (without it, the next render
        of the chapter is whole)."""
        try:
            plan.write(self._hint_file(task))
        except OSError as e:
            logger.warning("%s: its plan was not kept for the next render (%s)", task.name, e)

    def _done(self, task: Task, progress: RunProgress) -> None:
        task.seconds = time.monotonic() - task.started
        progress.finished(task.name)
        try:
            self._said(task)
        finally:
            self.on_done(task)

    def _said(self, task: Task) -> None:
        """The chapter's log kept, and one line on how it ended."""
        if self._stopping:
            task.error = "stopped"
            return
        task.log = self._keep_log(self._work(task) / LOG, task)
        if task.fault:  # said once, at the end (sigsat.cli), as the run's error
            logger.info("[red]✗ %s stopped[/] after %.1f s: %s", task.name, task.seconds,
                        escape(task.error))
        elif task.error:
            logger.error("[red]✗ %s failed[/] after %.1f s: %s", task.name, task.seconds,
                         escape(task.error))
        else:
            logger.info("[green]✓[/] %s rendered in %.1f s (%s, %d of %d parts drawn)", task.name,
                        task.seconds, "whole" if task.mode == "whole" else "split", len(task.drawn),
                        len(task.parts))

    def _pin_part(self, digest: str) -> Path | None:
        """A cached part, its files hard-linked into this run's folder and checked there."""
        store = self.cache.parts_store()
        if not (store.folder(digest) / PART_FILE).is_file():
            return None
        into = self._pins / "parts" / digest
        if into.exists():
            shutil.rmtree(into)
        if not store.link_in(digest, into):  # removed by a clean-up as we linked: a miss
            return None
        found = _checked_part(into, digest)
        if found is None:
            logger.warning("cached part %s damaged; rendering it again", digest)
            shutil.rmtree(into)
        return found

    def _spawn(self, task: Task, job: Job) -> Done | None:
        """Run one of the chapter's processes on the executor to its end; None (and the task's
        error, unless another of its processes failed first) on failure."""
        outcome = self.executor.run(job, task.tail)
        if isinstance(outcome, Stopped):  # stopped on purpose: not a chapter's failure
            self._stopping = True
            return None
        if isinstance(outcome, Done):
            return None if self._stopping else outcome
        with self._lock:
            if not task.error:
                task.error = outcome.error + (f" ({outcome.where})" if outcome.where else "")
                task.fault = outcome.kind == "environment"
        return None

    def stop(self) -> None:
        """Stop every chapter job (on Ctrl-C or SIGTERM)."""
        self._stopping = True
        self.executor.stop()

    def _keep_log(self, log_file: Path, task: Task) -> Path:
        """The chapter's log, moved to CACHE/logs/<quality>/NN_slug.log (whole: the last render
        of the chapter's wins), or left in the run's folder if that fails."""
        dest = self.cache.logs / self.o.quality.name / f"{task.ref.stem}.log"
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
            tmp = dest.with_name(f".{dest.name}.{self.workspace.id}.tmp")
            link_or_copy(log_file, tmp)
            os.replace(tmp, dest)
        except OSError:
            return log_file
        return dest

    def run(self) -> Result:
        """Plan, render what is missing, and write the outputs (unless a chapter failed)."""
        return render_together([self])[0]

    def _prepare(self) -> list[Task]:
        """Mend what a killed render left, then plan."""
        recover(self.o.folder)
        if self.o.folder.is_dir():
            for path in remove_stale_tmp(self.o.folder):
                logger.info("removed %s, left by an interrupted command", path)
        sweep(self.cache)
        sweep_aliases()
        return self.plan()

    def _take(self, task: Task, owner: Task) -> None:
        """A chapter of the same key as `owner`'s, which rendered it in this batch: its result."""
        task.entry, task.error, task.fault = owner.entry, owner.error, owner.fault
        task.tail, task.log = owner.tail, owner.log

    def _finish(self, tasks: list[Task], progress: RunProgress, started: float) -> Result:
        """The layout check, then the outputs (unless a chapter failed)."""
        self._layout(tasks)
        result = Result(tasks, 0.0)
        if not result.failed:
            progress.phase(f"writing {self.o.label or 'the lecture'}")
            with within(self.o.folder, "the output folder"):
                result.manifest = self._write_outputs(tasks, started)
        return result

    def _layout(self, tasks: list[Task]) -> None:
        """Say what the layout check found in each chapter (cached ones too); with --strict, a
        chapter with problems fails."""
        from sigsat_math.params import DEFAULTS

        for t in tasks:
            if t.entry is None:
                continue
            side = t.entry.sidecar
            sections = {s.name: s.layout for s in side.sections if s.layout}
            if not sections:
                continue
            line = summary(sections, side.params, DEFAULTS.subset(side.params))
            if self.o.strict:
                t.error = f"layout problems (--strict): {line}"
            else:
                logger.warning("[yellow]⚠[/] %s: %s", t.name, escape(line))

    def submit(self, task: Task, progress: RunProgress, pool: _Pool) -> None:
        """Queue a chapter to render: the longest first (by its last plan), as a plan and parts
        when some of its parts are cached already (see _chapter for the rest of the choice)."""
        task.hint = self._read_hint(task)
        if (self.o.split == "auto" and not self.o.force and task.hint is not None
                and self._some_parts_cached(task, task.hint)):
            task.mode = "plan"  # a change some of its parts do not read: draw only the others
        length = task.hint.frames / task.hint.fps if task.hint is not None else 0.0
        pool.submit((0, -round(length), task.ref.number),
                    functools.partial(self._chapter, task, progress, pool))

    def _some_parts_cached(self, task: Task, hint: Plan) -> bool:
        """Whether the cache has a part of the chapter as the hint cuts it, at this run's key."""
        assert task.key is not None
        return any((self.cache.parts / part_key(task.key, span.name, span.reads, self.o.params).digest
                    / PART_FILE).is_file() for span in split(hint))

    # Outputs
    def _write_outputs(self, tasks: list[Task], started: float) -> Manifest:
        """Build the next version of the output folder, then commit it in one rename."""
        version = Version(self.o.folder).begin()
        try:
            manifest = self._fill(version, tasks, started)
            version.commit()
        except BaseException:
            version.abort()
            raise
        return manifest

    def _fill(self, version: Version, tasks: list[Task], started: float) -> Manifest:
        layout = Layout(version.root)
        ext = FORMATS[self.o.fmt].ext
        rows: list[ChapterRecord] = []
        parts: list[Part] = []
        cues: list[Cue] = []
        offset = 0.0
        for t in tasks:
            assert t.entry is not None and t.key is not None
            e, ref = t.entry, t.ref
            side = e.sidecar
            clip, poster = layout.clip(ref.stem, ext), layout.poster(ref.stem)
            put = version.link if self.o.link else version.copy
            put(e.path("clip"), clip, e.sha256("clip"))
            put(e.path("poster"), poster, e.sha256("poster"))
            # Frames, rate and duration as the master has them (verified against entry.json).
            parts.append(Part(e.path("master"), ref.title, e.info.frames, e.info.fps,
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
                key_parts=t.key.parts, status="rendered" if t.rendered else "cached",
                captions={x: layout.rel(layout.chapter_captions(ref.stem, x)) for x in own},
                reads=side.reads, params=side.params, ledger=side.ledger,
                sections=side.sections, beats=side.beats, cues=side.cues, loops=side.loops))
            offset += duration
        title = str(self.o.params.lesson.title)
        lecture = self._lecture(parts, title, srt(cues), version)
        version.text(srt(cues), version.root / Layout.SRT)
        version.text(vtt(cues, title), version.root / Layout.VTT)
        q = self.o.quality
        manifest = Manifest(
            sigsat=__version__, title=title, quality=q.name, width=q.width, height=q.height,
            fps=q.fps, format=self.o.fmt, transparent=self.o.transparent,
            theme=self.o.params.theme, voice=self.o.voice, tools=tool_versions(),
            params=self.o.params.flat(), lecture=lecture, chapters=rows,
            run=RunRecord(rendered=[t.ref.slug for t in tasks if t.rendered],
                          cached=[t.ref.slug for t in tasks if not t.rendered],
                          jobs=self.o.jobs, seconds=round(time.monotonic() - started, 3)),
            extras=_previous_extras(self.o.folder / MANIFEST))
        version.text(script_markdown(manifest), version.root / Layout.SCRIPT_MD)
        version.text(script_csv(manifest), version.root / Layout.SCRIPT_CSV)
        version.text(manifest.dumps(), layout.manifest)
        self._remove_stale(version, tasks, ext)
        # The browsing page is part of the version (slides and handout refresh it later too).
        from .present.index import write_index
        from .present.lecture import load_lecture

        write_index(load_lecture(version.root))
        return manifest

    def _lecture(self, parts: list[Part], title: str, captions: str, version: Version) -> LectureRecord:
        dest = version.root / Layout.LECTURE
        key = lecture_key(parts, title, captions)
        old = _previous_lecture(self.o.folder / MANIFEST)
        chapter_marks = None
        if not (old is not None and old.key == key and dest.is_file()
                and sha256_file(dest) == old.sha256):
            chapter_marks = join(parts, title, captions, version.file(dest),
                                 self.workspace.folder / "lecture")
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


def _checked_part(folder: Path, digest: str) -> Path | None:
    """`folder` if it holds the part of key `digest` with every file as its part.json says."""
    try:
        entry = PartEntry.read(folder / PART_FILE)
    except ContractError:
        return None
    if entry.key != digest or damaged_file(folder, entry.files):
        return None
    return folder


def render_together(renderers: Sequence[Renderer]) -> list[Result]:
    """Render several lectures (variants) as one batch: each folder locked, every lecture planned,
    each chapter job missing from the cache run once on the shared executor (a key two lectures
    share renders once), then each lecture's outputs written."""
    started = time.monotonic()
    with ExitStack() as stack:
        for r in renderers:
            # A full disk, a read-only folder...: one line naming the folder (sigsat.faults).
            stack.enter_context(within(r.o.folder, "the output folder"))
            stack.enter_context(locked(r.o.folder, r.o.wait))
            stack.enter_context(within(r.cache.root, "the cache folder"))
            stack.enter_context(r.workspace)
        results = _together_locked(renderers, started)
    for result in results:
        result.seconds = time.monotonic() - started
    return results


def _together_locked(renderers: Sequence[Renderer], started: float) -> list[Result]:
    plans = [(r, r._prepare()) for r in renderers]
    todo: list[tuple[Renderer, Task]] = []
    owners: dict[str, Task] = {}
    shared: list[tuple[Renderer, Task, Task]] = []
    for r, tasks in plans:
        for t in tasks:
            if t.key is None or t.entry is not None or t.error:
                if t.entry is not None:
                    logger.info("[dim]· %s cached[/]", t.name)
                continue
            owner = owners.get(t.key.digest)
            if owner is None:
                owners[t.key.digest] = t
                todo.append((r, t))
                logger.info("[cyan]▸[/] %s renders: %s", t.name, escape(t.reason))
            else:
                shared.append((r, t, owner))
                logger.info("[dim]· %s is the same render as %s[/]", t.name, owner.name)
    total = sum(len(tasks) for _, tasks in plans)
    with RunProgress(total, enabled=not is_quiet()) as progress:
        for _ in range(total - len(todo) - len(shared)):
            progress.finished(None)
        return _Batch(plans, todo, shared, progress, started).run()


class _Batch:
    """The chapter jobs of several lectures on one executor, and each lecture's outputs written
    as soon as its own chapters are done, beside the jobs still running: the assembly of one
    variant (joining lecture.mp4...) overlaps the renders of the others, on the client's cores."""

    def __init__(self, plans: list[tuple[Renderer, list[Task]]], todo: list[tuple[Renderer, Task]],
                 shared: list[tuple[Renderer, Task, Task]], progress: RunProgress, started: float) -> None:
        self.plans, self.todo, self.progress, self.started = plans, todo, progress, started
        self.shared = shared
        # What each lecture still waits for: the keys of its chapters being rendered (by it or
        # by another lecture that shares them).
        self.waiting = [{t.key.digest for t in tasks if t.key is not None and t.entry is None and not t.error}
                        for _, tasks in plans]
        self.results: list[Result | None] = [None] * len(plans)
        self.writing: list[Future[Result] | None] = []
        self.lectures: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    def run(self) -> list[Result]:
        """Render, and write each lecture when it can; the results in the lectures' order."""
        executor = self.plans[0][0].executor
        # Each chapter queues its parts on the pool; with a Dask cluster, every job is submitted
        # (its scheduler queues them) up to the cluster's cores again.
        width = executor.slots or max(1, len(self.todo), 2 * executor.cores)
        writers = max(1, min(len(self.plans), local_cores()))  # the lectures are written here
        pool = _Pool(width, waiting=len(self.todo))
        with ThreadPoolExecutor(max_workers=writers, thread_name_prefix="lecture") as lectures:
            self.writing = [None] * len(self.plans)
            self.lectures = lectures
            for r, _ in self.plans:
                r.on_done = self._chapter_done
            try:
                for i in range(len(self.plans)):
                    if not self.waiting[i]:
                        self._start_writing(i)
                for r, t in self.todo:
                    r.submit(t, self.progress, pool)
                pool.run()
                for i, future in enumerate(self.writing):
                    assert future is not None, "a lecture was never written"
                    self.results[i] = future.result()
            except BaseException:
                for r, _ in self.plans:
                    r.stop()
                for g in self.writing:
                    if g is not None:
                        g.cancel()
                raise
        assert all(r is not None for r in self.results)
        return [r for r in self.results if r is not None]

    def _chapter_done(self, task: Task) -> None:
        """A chapter rendered (or failed): the lectures that waited only for it are written."""
        assert task.key is not None
        with self._lock:
            ready = []
            for i, keys in enumerate(self.waiting):
                if task.key.digest in keys:
                    keys.discard(task.key.digest)
                    if not keys:
                        ready.append(i)
        for i in ready:
            self._start_writing(i)

    def _start_writing(self, i: int) -> None:
        self.writing[i] = self._write(self.lectures, i)

    def _write(self, pool: ThreadPoolExecutor | None, i: int) -> Future[Result]:
        """Lecture i's chapters are all done: take the renders it shares, then write it."""
        r, tasks = self.plans[i]
        for rr, t, owner in self.shared:
            if rr is r:
                rr._take(t, owner)
                self.progress.finished(None)
        assert pool is not None
        return pool.submit(r._finish, tasks, self.progress, self.started)


def _previous_manifest(path: Path) -> Manifest | None:
    if not path.is_file():
        return None
    try:
        return Manifest.read(path)
    except ContractError:
        return None


def _previous_lecture(path: Path) -> LectureRecord | None:
    old = _previous_manifest(path)
    return old.lecture if old is not None else None


def _previous_extras(path: Path) -> dict[str, str]:
    """What other commands registered in the last manifest and still exists."""
    old = _previous_manifest(path)
    if old is None:
        return {}
    return {role: rel for role, rel in old.extras.items() if (path.parent / rel).exists()}


def clean_cache(out: Path, cache_dir: Path | None, everything: bool) -> tuple[tuple[int, int], int]:
    """Remove the cache entries no manifest in OUT uses (all with `everything`), and the parts
    no entry kept was joined from, holding every quality folder's lock; what a live render
    (into any folder) uses always stays, and so does its work. ((entries and parts removed,
    bytes), entries and parts kept)."""
    cache = Cache(cache_dir or out / ".cache")
    if not cache.root.is_dir():
        return (0, 0), 0
    # The lectures in OUT/<quality>/ and the variants in OUT/<quality>/variants/<name>/.
    found = [*out.glob(f"*/{MANIFEST}"), *out.glob(f"*/variants/*/{MANIFEST}")] if out.is_dir() else []
    folders = sorted(p.parent for p in found)
    with ExitStack() as stack:
        for folder in folders:
            stack.enter_context(locked(folder, wait=False))
        used = set() if everything else _used_keys(folders)
        with gc_lock(cache, exclusive=True):
            used |= live_keys(cache)
            sweep(cache)
            (removed, freed), kept, parts_used = _clean_store(cache, used)
            parts = cache.parts_store()
            (p_removed, p_freed), p_kept, _ = _clean_store(parts, used | parts_used)
            if everything:
                for folder in (cache.logs, cache.plans):
                    if folder.is_dir():
                        shutil.rmtree(folder)
    return (removed + p_removed, freed + p_freed), kept + p_kept


def _clean_store(store: Cache, used: set[str]) -> tuple[tuple[int, int], int, set[str]]:
    """Remove a store's entries whose keys are not in `used`: ((removed, bytes), kept, the
    parts the kept entries were joined from)."""
    removed, freed, kept = 0, 0, 0
    parts: set[str] = set()
    if not store.entries.is_dir():
        return (0, 0), 0, parts
    for entry in sorted(store.entries.iterdir()):
        if entry.name.startswith("."):
            continue  # being published or removed by a live render
        if entry.name in used:
            kept += 1
            parts.update(_part_keys(entry))
            continue
        freed += sum(p.stat().st_size for p in entry.rglob("*") if p.is_file())
        store.discard(entry.name)
        removed += 1
    return (removed, freed), kept, parts


def _part_keys(entry: Path) -> list[str]:
    """The parts a chapter's entry was joined from (none for a part, or an unreadable entry:
    its parts then go, and are drawn again when needed)."""
    try:
        return Entry.read(entry / ENTRY_FILE).part_keys
    except ContractError:
        return []


def _used_keys(folders: list[Path]) -> set[str]:
    """The cache keys the manifests in these folders use (an unreadable one keeps them all)."""
    used: set[str] = set()
    for folder in folders:
        try:
            used.update(c.cache_key for c in Manifest.read(folder / MANIFEST).chapters)
        except ContractError as e:
            raise ContractError(f"{e}; not cleaning, since its chapters' renders are unknown") from None
    return used


def _warn_rmtree(func: Any, path: str, exc: Any) -> None:
    logger.warning("could not remove %s: %s", path, exc[1] if isinstance(exc, tuple) else exc)


def report(result: Result, options: Options) -> None:
    """The end of a run: failures with their log's tail, or what was written."""
    for t in result.failed:
        if t.fault:
            continue  # one line for the whole run (sigsat.cli)
        logger.error("[red bold]chapter %s failed:[/] %s", escape(t.name), escape(t.error))
        tail = _tail(t.tail) if t.tail else t.detail.strip().splitlines()[-LOG_TAIL:]
        if tail:
            console.print("\n".join("    " + line for line in tail), markup=False,
                          highlight=False, style="dim")
        if t.log:
            logger.error("    full log: %s", escape(str(t.log)))
    if any(not t.fault for t in result.failed):
        done = [t for t in result.tasks if t.entry is not None]
        logger.error("[red]%d of %d chapters failed[/]; %s was left as it was%s",
                     len(result.failed), len(result.tasks), escape(str(options.folder)),
                     f" ({len(done)} finished chapters are cached)" if done else "")
        return
    if is_quiet() or result.failed:
        return
    rendered = sum(t.rendered for t in result.tasks)
    table = Table(box=None, pad_edge=False, show_header=True, header_style="bold")
    for col in ("#", "chapter", "", "duration", "size"):
        table.add_column(col, justify="right" if col in ("#", "duration", "size") else "left")
    assert result.manifest is not None
    for row in result.manifest.chapters:
        table.add_row(f"{row.number:02d}", row.slug, row.status, clock(row.duration), size(row.size))
    console.print(table)
    lecture = result.manifest.lecture
    console.print(f"[bold]{escape(str(options.folder / Layout.LECTURE))}[/]  "
                  f"{clock(lecture.duration)}, {len(result.tasks)} chapters, "
                  f"{size(lecture.size)}; captions {Layout.SRT}, {Layout.VTT}; {MANIFEST}")
    console.print(f"{rendered} rendered, {len(result.tasks) - rendered} cached, "
                  f"{result.seconds:.1f} s")


def _tail(lines: Iterable[str]) -> list[str]:
    return [line.rstrip() for line in lines if line.strip()][-LOG_TAIL:]
