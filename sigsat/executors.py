"""Where chapter jobs run: a local process pool (the default), or a Dask distributed cluster.

The renderer's unit of work is one job (sigsat_core.contract.Job) of a chapter: its plan, one of
its parts, or the whole chapter, run by `python -m sigsat.worker`. An Executor runs one job and
says how it ended: the files in the job's process folder, WORK/<plan|whole|part-N> (`Done`), a
`Failure`, or `Stopped` (Ctrl-C). The renderer checks what came (`sigsat.cache.verify`) the same
way whichever executor ran it. A chapter's processes share its work folder and its log.

`LocalExecutor` starts the worker process on this machine: its output into the job's log, its
Failure line read, stop() on Ctrl-C, the worker dying with its render. The Dask executor is
`sigsat.dask_executor`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Protocol

from sigsat_core.contract import FAILURE_LINE, ContractError, Failure, Job

from .faults import describe, said

LOG = "log.txt"
KILL_GRACE = 5.0
RETRIES = 2  # a job whose worker raised is tried again (a killed worker's job always is)
LOG_BYTES = 1 << 20  # the end of a remote log that travels back
CONNECT_GRACE = 2.0  # seconds past --scheduler-timeout before a silent handshake is given up
CONNECT_TIMEOUT = 10.0
WORKER_CACHE = "SIGSAT_WORKER_CACHE"  # a Dask worker's own LaTeX and speech caches


@dataclass(frozen=True)
class Done:
    """The job's files are in `folder`, WORK/<process> (its parts published to the cache already
    when `published`)."""

    folder: Path
    published: bool


@dataclass(frozen=True)
class Stopped:
    """The job was stopped on purpose (Ctrl-C, SIGTERM): not a chapter's failure."""


Outcome = Done | Failure | Stopped
STOPPED = Stopped()


class ExecutorError(RuntimeError):
    """An executor that cannot be used (no dask, no scheduler); the message is one line."""


class Executor(Protocol):
    """Runs chapter jobs; `slots` is how many at once (None: as many as there are)."""

    name: str
    slots: int | None

    @property
    def cores(self) -> int:
        """How many jobs run side by side at most (a chapter is split when cores would idle)."""
        ...

    def run(self, job: Job, tail: deque[str]) -> Outcome:
        """Run one job (its work folder exists); its log's last lines go to `tail`."""
        ...

    def stop(self) -> None:
        """Stop every running job (Ctrl-C)."""
        ...

    def close(self) -> None:
        """Release what the executor holds."""
        ...


def local_cores() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def worker_env() -> dict[str, str]:
    """The chapter process's environment."""
    # One BLAS thread per chapter process: the chapters already fill the cores, and the
    # measured network's small matrices run slower with more threads fighting for them.
    # One string hash for every process: manim's TransformMatchingTex walks sets of tex strings,
    # so each process's own hash seed drew a derivation its own way (the same key, other bytes).
    return {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", **os.environ, "PYTHONUNBUFFERED": "1",
            "PYTHONHASHSEED": "0"}


def follow(lines: Iterable[bytes], log_file: Path, tail: deque[str]) -> Failure | None:
    """Read a chapter process's output to its end: into its log while the disk takes it, its last
    lines kept in `tail` whatever the disk does, and its Failure report if any."""
    log: IO[bytes] | None
    try:
        log = open(log_file, "ab")  # a chapter's processes (plan, parts) share its log
    except OSError:
        log = None
    report = None
    try:
        for raw in lines:
            line = raw.decode("utf-8", errors="replace").rstrip("\n")
            if line.startswith(FAILURE_LINE):
                try:
                    report = Failure.parse(json.loads(line[len(FAILURE_LINE):]))
                except (ValueError, ContractError):
                    pass  # a garbled report: the exit status still tells
                continue
            tail.append(line)
            if log is not None:
                try:
                    log.write(raw)
                except OSError:  # a full disk: the tail in memory still tells
                    log.close()
                    log = None
    finally:
        if log is not None:
            try:
                log.close()
            except OSError:
                pass  # the tail in memory still tells
    return report


def ended(code: int, report: Failure | None, folder: Path, published: bool, tail: Iterable[str] = ()) -> Outcome:
    """How a chapter process that exited with `code` ended (its files in `folder`; `tail`: its
    last lines, which may name the machine's fault when it died before it could report)."""
    if code == 0:
        return Done(folder, published)
    if report is not None:
        return report
    if (fault := said(tail)) is not None:  # e.g. OpenBLAS out of memory, which exits at once
        return Failure(kind="environment", error=describe(fault))
    if code < 0:
        return Failure(kind="chapter", error=f"the chapter's process was killed by signal {-code}")
    return Failure(kind="chapter", error=f"the chapter's process exited with status {code}")


@dataclass
class LocalExecutor:
    """Each job in its own `python -m sigsat.worker` process on this machine."""

    slots: int | None = None
    name: str = "local"
    _procs: set[subprocess.Popen[bytes]] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stopping: bool = False

    @property
    def cores(self) -> int:
        """The pool's size."""
        return self.slots or local_cores()

    def run(self, job: Job, tail: deque[str]) -> Outcome:
        """Run the job in a worker process; its output goes to the chapter's log."""
        work = Path(job.work)
        job_file = work / f"job-{job.process}.json"
        job.write(job_file)
        with self._lock:
            if self._stopping:
                return STOPPED
            proc = subprocess.Popen([sys.executable, "-m", "sigsat.worker", str(job_file)],
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, env=worker_env())
            self._procs.add(proc)
        try:
            assert proc.stdout is not None
            report = follow(proc.stdout, work / LOG, tail)
            code = proc.wait()
        finally:
            with self._lock:
                self._procs.discard(proc)
        if self._stopping:
            return STOPPED
        return ended(code, report, work / job.process, published=job.cache is not None, tail=tail)

    def stop(self) -> None:
        """Terminate every worker process, killing those that outlive the grace period."""
        with self._lock:
            self._stopping = True
            procs = list(self._procs)
        for p in procs:
            p.terminate()
        deadline = time.monotonic() + KILL_GRACE
        for p in procs:
            try:
                p.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()

    def close(self) -> None:
        """Nothing is held between runs."""
