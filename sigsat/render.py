"""`sigsat render`: plan which chapters need rendering, render them in parallel processes,
then lay out the output folder (clips, posters, lecture, captions, manifest) in one commit.

The output folder only ever changes to a complete, consistent lecture: when a chapter fails,
the chapters that finished are kept in the cache (the next run does not render them again)
and OUT/<quality>/ is left as it was.
"""

from __future__ import annotations

import functools
import os
import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.markup import escape

from sigsat_core.contract import (
    PART_FILE,
    ChapterRecord,
    ContractError,
    Job,
    Layout,
    PartEntry,
    Plan,
)
from sigsat_core.files import link_or_copy

from .assemble import join_chapter
from .cache import (
    Cache,
    Damaged,
    Key,
    chapter_key,
    damaged_file,
    part_key,
    source_hash,
    verify,
    why_changed,
)
from .chapters import Broken, load
from .executors import LOG, Done, Executor, LocalExecutor, Stopped
from .faults import cause_in, describe, within
from .layout_report import summary
from .logger import logger
from .outputs import recover, remove_stale_tmp
from .parts import PartSpan, split
from .pool import Pool
from .progress import RunProgress
from .publish import Publisher, read_manifest
from .runs import Run, gc_lock, sweep
from .tasks import Options, Result, Task
from .worker import sweep_aliases

MANIFEST = Layout.MANIFEST


class Renderer:
    """One run of `sigsat render`."""

    def __init__(self, options: Options, executor: Executor | None = None) -> None:
        self.options = options
        self.cache = Cache(options.cache_dir or options.out / ".cache")
        self.workspace = Run(self.cache)
        self.executor: Executor = executor or LocalExecutor(options.jobs)
        self._lock = threading.Lock()  # a chapter's count of parts still drawing
        self._stopping = False
        self.on_done: Callable[[Task], None] = lambda task: None  # a chapter is done (batches.Batch)

    # Planning
    def _previous(self) -> dict[str, ChapterRecord]:
        """The last manifest's chapters by slug (to say why one renders again)."""
        path = self.options.folder / MANIFEST
        try:
            old = read_manifest(path)
        except ContractError as e:
            logger.warning("the previous manifest is not used (%s); it will be replaced", e)
            return {}
        return {c.slug: c for c in old.chapters} if old is not None else {}

    def plan(self) -> list[Task]:
        """Every chapter's key, and whether the cache has it (pinned into this run's folder)."""
        previous = self._previous()
        tasks = []
        prefix = f"{self.options.label}/" if self.options.label else ""
        for ref in self.options.chapters:
            task = Task(ref, prefix)
            tasks.append(task)
            loaded = load(ref)
            if isinstance(loaded, Broken):
                task.error, task.detail = loaded.error, loaded.detail
                continue
            task.key = chapter_key(ref, loaded.reads, self.options.params, self.options.quality, self.options.fmt,
                                   self.options.transparent, self.options.voice, self.options.recordings)
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
                elif entry is not None and not self.options.force:
                    task.entry = entry
                elif entry is not None:  # --force: the new render replaces the entry
                    self.cache.discard(digest)
                    task.reason = "--force"
                else:
                    old = previous.get(task.ref.slug)
                    task.reason = (why_changed(old.key_inputs, task.key.inputs) if old else "") or "not in the cache"
        return tasks

    @property
    def _pins(self) -> Path:
        return self.workspace.folder / "pins"

    # Rendering
    def _work(self, task: Task) -> Path:
        return self.workspace.folder / task.ref.slug

    def job(self, task: Task, **fields: Any) -> Job:
        """The job of one of the chapter's processes (its plan, or a part: `fields`)."""
        assert task.key is not None
        q = self.options.quality
        given: dict[str, Any] = {"key": task.key.digest, "inputs": task.key.inputs, **fields}
        return Job(
            module=task.ref.module, scene=task.ref.scene, slug=task.ref.slug, title=task.ref.title,
            quality=self.options.quality,
            format=self.options.fmt, transparent=self.options.transparent, params=self.options.params.flat(),
            work=str(self._work(task).resolve()), tex_dir=str((self.cache.tex / q.name).resolve()),
            speech_dir=str(self.cache.speech.resolve()),
            cache=str(self.cache.root.resolve()), voice=self.options.voice,
            source=source_hash(task.key.inputs),
            recordings=str(self.options.recordings.resolve()) if self.options.recordings else None,
            parent_pid=os.getpid(), **given)

    def _chapter(self, task: Task, progress: RunProgress, pool: Pool) -> None:
        """Render the chapter whole in one process that stores its parts as it goes, or plan it
        (replayed unseen) and queue the parts the cache lacks, each a process of its own."""
        work = self._work(task)
        work.mkdir(parents=True, exist_ok=True)
        progress.started(task.name)
        task.started = time.monotonic()
        task.mode = task.mode or self._choose(task, pool.take_waiting())
        done = self._spawn(task, self.job(task, mode=task.mode))
        if done is None:
            self._done(task, progress)
            return
        folder = done.folder
        if not done.published:  # rendered elsewhere (Dask): its speech joins the soundtrack here
            from sigsat_core.speech.store import SpeechStore

            SpeechStore(self.cache.speech).adopt(folder / "speech")
        plan = Plan.read(folder / "plan.json")
        task.sidecar = folder / "sidecar.json"
        self._save_hint(task, plan)
        assert task.key is not None
        spans = split(plan)
        keys = [part_key(task.key, span.name, span.reads, self.options.params) for span in spans]
        task.part_keys = [k.digest for k in keys]
        with gc_lock(self.cache, exclusive=False):
            self.workspace.uses(task.part_keys)
        task.parts = [None] * len(spans)
        todo: list[tuple[int, PartSpan, Key]] = []
        for slot, (span, key) in enumerate(zip(spans, keys, strict=True)):
            if task.mode == "whole":
                task.parts[slot] = self._own_part(task, span, key.digest, done.published)
            else:
                task.parts[slot] = None if self.options.force else self._pin_part(key.digest)
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
        if self.options.split != "auto":
            return "whole" if self.options.split == "whole" else "plan"
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
            job = self.job(task, mode="part", first=span.first, last=span.last, key=key.digest,
                            inputs=key.inputs)
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
                folder = join_chapter(self.job(task), task.sidecar, parts, task.part_keys,
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
        dest = self.cache.logs / self.options.quality.name / f"{task.ref.stem}.log"
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
            tmp = dest.with_name(f".{dest.name}.{self.workspace.id}.tmp")
            link_or_copy(log_file, tmp)
            os.replace(tmp, dest)
        except OSError:
            return log_file
        return dest

    def prepare(self) -> list[Task]:
        """Mend what a killed render left, then plan."""
        recover(self.options.folder)
        if self.options.folder.is_dir():
            for path in remove_stale_tmp(self.options.folder):
                logger.info("removed %s, left by an interrupted command", path)
        sweep(self.cache)
        sweep_aliases()
        return self.plan()

    def take(self, task: Task, owner: Task) -> None:
        """A chapter of the same key as `owner`'s, which rendered it in this batch: its result."""
        task.entry, task.error, task.fault = owner.entry, owner.error, owner.fault
        task.tail, task.log = owner.tail, owner.log

    def finish(self, tasks: list[Task], progress: RunProgress, started: float) -> Result:
        """The layout check, then the outputs (unless a chapter failed)."""
        self._layout(tasks)
        result = Result(tasks, 0.0)
        if not result.failed:
            progress.phase(f"writing {self.options.label or 'the lecture'}")
            with within(self.options.folder, "the output folder"):
                result.manifest = Publisher(self.options, self.workspace.folder).write(tasks, started)
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
            if self.options.strict:
                t.error = f"layout problems (--strict): {line}"
            else:
                logger.warning("[yellow]⚠[/] %s: %s", t.name, escape(line))

    def submit(self, task: Task, progress: RunProgress, pool: Pool) -> None:
        """Queue a chapter to render: the longest first (by its last plan), as a plan and parts
        when some of its parts are cached already (see _chapter for the rest of the choice)."""
        task.hint = self._read_hint(task)
        if (self.options.split == "auto" and not self.options.force and task.hint is not None
                and self._some_parts_cached(task, task.hint)):
            task.mode = "plan"  # a change some of its parts do not read: draw only the others
        length = task.hint.frames / task.hint.fps if task.hint is not None else 0.0
        pool.submit((0, -round(length), task.ref.number),
                    functools.partial(self._chapter, task, progress, pool))

    def _some_parts_cached(self, task: Task, hint: Plan) -> bool:
        """Whether the cache has a part of the chapter as the hint cuts it, at this run's key."""
        assert task.key is not None
        return any((self.cache.parts / part_key(task.key, span.name, span.reads, self.options.params).digest
                    / PART_FILE).is_file() for span in split(hint))

def _checked_part(folder: Path, digest: str) -> Path | None:
    """`folder` if it holds the part of key `digest` with every file as its part.json says."""
    try:
        entry = PartEntry.read(folder / PART_FILE)
    except ContractError:
        return None
    if entry.key != digest or damaged_file(folder, entry.files):
        return None
    return folder
