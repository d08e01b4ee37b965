"""Rendering several lectures (variants) as one batch on one executor: a chapter two lectures share
renders once, and each lecture is written as soon as its own chapters are done."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack

from rich.markup import escape

from .executors import Executor, local_cores
from .faults import within
from .logger import is_quiet, logger
from .outputs import locked
from .pool import Pool
from .progress import RunProgress
from .render import Renderer
from .tasks import Options, Result, Task


def render_one(options: Options, executor: Executor | None = None) -> Result:
    """Plan, render what is missing, and write the outputs (unless a chapter failed)."""
    return render_together([Renderer(options, executor)])[0]


def render_together(renderers: Sequence[Renderer]) -> list[Result]:
    """Render several lectures (variants) as one batch: each folder locked, every lecture planned,
    each chapter job missing from the cache run once on the shared executor (a key two lectures
    share renders once), then each lecture's outputs written."""
    started = time.monotonic()
    with ExitStack() as stack:
        for r in renderers:
            # A full disk, a read-only folder...: one line naming the folder (sigsat.faults).
            stack.enter_context(within(r.options.folder, "the output folder"))
            stack.enter_context(locked(r.options.folder, r.options.wait))
            stack.enter_context(within(r.cache.root, "the cache folder"))
            stack.enter_context(r.workspace)
        results = _together_locked(renderers, started)
    for result in results:
        result.seconds = time.monotonic() - started
    return results


def _together_locked(renderers: Sequence[Renderer], started: float) -> list[Result]:
    plans = [(r, r.prepare()) for r in renderers]
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
        return Batch(plans, todo, shared, progress, started).run()


class Batch:
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
        pool = Pool(width, waiting=len(self.todo))
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
                rr.take(t, owner)
                self.progress.finished(None)
        assert pool is not None
        return pool.submit(r.finish, tasks, self.progress, self.started)
