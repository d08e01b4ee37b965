"""The renderer's scheduler: a few threads taking the most urgent chapter job first."""

from __future__ import annotations

import heapq
import itertools
import threading
from collections.abc import Callable


class Pool:
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
