"""The Dask executor: each chapter job submitted to a Dask distributed cluster.

The worker machine runs `python -m sigsat.worker` in a private temporary folder (its LaTeX and
speech caches in a worker-local folder) and sends the entry's files back as bytes (its plan,
sidecar and parts), which the client writes into the job's work folder. A worker whose code
differs from the client's refuses the job, naming itself. dask is imported only when asked for.
"""

from __future__ import annotations

import gc
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
from collections import deque
from concurrent.futures import CancelledError
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sigsat_core.contract import Failure, Job

from .cache import changed_code, source_hash
from .executors import (
    CONNECT_GRACE,
    CONNECT_TIMEOUT,
    LOG,
    LOG_BYTES,
    RETRIES,
    STOPPED,
    WORKER_CACHE,
    ExecutorError,
    Outcome,
    ended,
    follow,
    worker_env,
)

if TYPE_CHECKING:
    from distributed import Client, Future


class CodeMismatch(RuntimeError):
    """A Dask worker whose code differs from the client's: it refuses the job (one line)."""


@dataclass(frozen=True)
class Returned:
    """What a Dask worker sends back: who ran the job, the exit status, the log's end and the
    files its process left (path in the work folder -> bytes; empty unless the job succeeded)."""

    worker: str
    code: int
    log: bytes
    files: dict[str, bytes]


def own_source(module: str) -> dict[str, Any]:
    """The source parts of this installation's copy of a chapter module."""
    import importlib.util

    from .cache import source_of

    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        raise CodeMismatch(f"the chapter module {module} is not installed")
    return source_of(Path(spec.origin))


def check_source(job: Job, worker: str) -> None:
    """Refuse a job whose code differs from this installation's, naming the worker and what differs."""
    try:
        mine = own_source(job.module)
    except CodeMismatch as e:
        raise CodeMismatch(f"Dask worker {worker} cannot run {job.slug}: {e}") from None
    if source_hash(mine) == job.source:
        return
    differ = changed_code(job.inputs, mine) or ["the source hash"]
    raise CodeMismatch(f"Dask worker {worker} runs other code than this client ({', '.join(differ)} "
                       "differ): install the same sigsat on every worker")


def _worker_address() -> str:
    """This Dask worker's address (the host name outside a worker)."""
    try:
        from distributed import get_worker

        return str(get_worker().address)
    except (ImportError, ValueError):
        return socket.gethostname()


def worker_cache() -> Path:
    """The worker machine's own LaTeX and speech caches ($SIGSAT_WORKER_CACHE, or in the system's
    temporary folder): shared by the jobs it runs, never by the client."""
    folder = os.environ.get(WORKER_CACHE)
    return Path(folder) if folder else Path(tempfile.gettempdir()) / "sigsat-worker-cache"


def run_on_worker(job_json: str, recordings: dict[str, bytes]) -> Returned:
    """On a Dask worker: check the code, render the job in a private temporary folder with
    `python -m sigsat.worker`, and return its log and the files it left."""
    worker = _worker_address()
    job = Job.parse(json.loads(job_json))
    check_source(job, worker)
    base = worker_cache()
    with tempfile.TemporaryDirectory(prefix="sigsat-job-") as tmp:
        root = Path(tmp)
        work = root / job.slug
        work.mkdir()
        own_recordings = None
        if recordings:
            own_recordings = root / "recordings"
            (own_recordings / job.slug).mkdir(parents=True)
            for name, data in recordings.items():
                (own_recordings / job.slug / Path(name).name).write_bytes(data)
        local = job.model_copy(update={
            "work": str(work), "tex_dir": str(base / "tex" / job.quality.name),
            "speech_dir": str(base / "speech"), "cache": None, "parent_pid": None,
            "recordings": str(own_recordings) if own_recordings else None})
        job_file = root / "job.json"
        local.write(job_file)
        with open(root / LOG, "wb") as log:
            done = subprocess.run([sys.executable, "-m", "sigsat.worker", str(job_file)],
                                  stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                  env=worker_env(), check=False)
        # The plan, the sidecar and the parts (the worker's scratch is gone already).
        files = ({p.relative_to(work).as_posix(): p.read_bytes() for p in sorted(work.rglob("*"))
                  if p.is_file()} if done.returncode == 0 else {})
        with open(root / LOG, "rb") as f:
            f.seek(max(0, (root / LOG).stat().st_size - LOG_BYTES))
            text = f.read()
    return Returned(worker, done.returncode, text, files)


def recordings_of(job: Job) -> dict[str, bytes]:
    """The chapter's own recordings (`DIR/<slug>/*`), to send with the job."""
    if job.recordings is None:
        return {}
    folder = Path(job.recordings) / job.slug
    if not folder.is_dir():
        return {}
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


class DaskExecutor:
    """Each job submitted to a Dask cluster; the files come back and are written here."""

    name = "dask"
    slots: int | None = None  # every job is submitted; the scheduler queues them

    def __init__(self, client: Client, address: str) -> None:
        self.client = client
        self.address = address
        self._futures: set[Future[Returned]] = set()
        self._lock = threading.Lock()
        self._stopping = False

    def run(self, job: Job, tail: deque[str]) -> Outcome:
        """Submit the job, wait for it, and write what comes back into its work folder."""
        from distributed.scheduler import KilledWorker

        work = Path(job.work)
        job.write(work / f"job-{job.process}.json")
        with self._lock:
            if self._stopping:
                return STOPPED
            future: Future[Returned] = self.client.submit(
                run_on_worker, job.model_dump_json(), recordings_of(job),
                key=f"sigsat-{job.slug}-{job.process}-{job.key[:12]}-{os.urandom(4).hex()}", pure=False,
                retries=RETRIES)
            self._futures.add(future)
        try:
            returned = future.result()
        except CancelledError:
            return STOPPED if self._stopping else Failure(kind="chapter", error="the Dask job was cancelled")
        except CodeMismatch as e:
            return Failure(kind="environment", error=str(e))
        except KilledWorker as e:
            return Failure(kind="chapter", error=f"every Dask worker that ran it died ({e})")
        except OSError as e:  # the scheduler went away
            return Failure(kind="environment", error=f"lost the Dask scheduler at {self.address}: {e}")
        except Exception as e:  # raised on the worker outside the chapter process: its failure
            first = (str(e).splitlines() or [""])[0]
            return Failure(kind="chapter", error=f"on a Dask worker: {type(e).__name__}: {first}")
        finally:
            with self._lock:
                self._futures.discard(future)
        if self._stopping:
            return STOPPED
        return self._receive(returned, work, job.process, tail)

    @staticmethod
    def _receive(returned: Returned, work: Path, process: str, tail: deque[str]) -> Outcome:
        """Write the log and the files into `work`, as a local worker leaves them."""
        head = f"{process} rendered on Dask worker {returned.worker}\n".encode()
        report = follow([head, *returned.log.splitlines(keepends=True)], work / LOG, tail)
        if returned.code == 0:
            for name, data in returned.files.items():
                path = work / name
                if ".." in Path(name).parts or Path(name).is_absolute():
                    return Failure(kind="chapter", error=f"the Dask worker sent back a file outside "
                                                         f"its folder: {name!r}")
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
        if report is not None:
            report = report.model_copy(update={"error": f"{report.error} (on {returned.worker})"})
        return ended(returned.code, report, work / process, published=False)

    @property
    def cores(self) -> int:
        """The cluster's worker threads now."""
        return max(1, int(sum(self.client.nthreads().values())))

    def stop(self) -> None:
        """Cancel every submitted job."""
        with self._lock:
            self._stopping = True
            futures = list(self._futures)
        if futures:
            self.client.cancel(futures)

    def close(self) -> None:
        """Disconnect from the scheduler."""
        self.client.close()


SCHEMES = ("tcp", "tls", "ws", "wss", "ucx", "inproc")


def check_address(address: str) -> None:
    """A scheduler address Dask can dial (`tcp://HOST:PORT`); else ExecutorError in one line
    (`tcp://[::1` left an unclosed client behind it, and a traceback at exit)."""
    from urllib.parse import urlsplit

    shown = repr(address if len(address) <= 80 else address[:80] + "...")
    try:
        parts = urlsplit(address if "://" in address else f"tcp://{address}")
        _ = parts.port  # a port out of range raises here
    except ValueError as e:
        raise ExecutorError(f"--scheduler {shown}: not an address ({e}); e.g. tcp://HOST:8786") from None
    if parts.scheme not in SCHEMES or (not parts.hostname and parts.scheme != "inproc"):
        raise ExecutorError(f"--scheduler {shown}: not an address; e.g. tcp://HOST:8786 "
                            f"(schemes: {', '.join(SCHEMES)})")


def _client_within(client_class: Any, address: str, timeout: float) -> Any:
    """A Client connected to `address`, or ExecutorError once `timeout` has passed (and a few
    seconds' grace): a service that is not Dask (a web server) can accept the connection and
    never answer the handshake, or answer bytes Dask reads as a huge frame length."""
    box: dict[str, Any] = {}

    def dial() -> None:
        try:
            box["client"] = client_class(address, timeout=timeout, set_as_default=False)
        except BaseException as e:  # reported below, in one line
            plain = isinstance(e, (OSError, TimeoutError, ValueError, TypeError))
            box["error"] = (type(e).__name__, (str(e).splitlines() or [""])[0][:200], plain)
            # The traceback holds the half-made Client: let it go now, while its event loop runs,
            # not at exit, where its __del__ times out and prints a traceback of its own.
            e.__traceback__ = None
            del e
            gc.collect()

    thread = threading.Thread(target=dial, name="sigsat-dask-connect", daemon=True)
    thread.start()
    thread.join(timeout + CONNECT_GRACE)
    if thread.is_alive():
        raise ExecutorError(f"no Dask scheduler answered at {address} within {timeout:g} s (something "
                            "accepted the connection but did not speak Dask): check --scheduler")
    if "error" in box:
        kind, first, plain = box["error"]
        first = first or kind
        if not plain:
            first = f"{kind}: {first}; it may not be a Dask scheduler"
        raise ExecutorError(f"cannot reach the Dask scheduler at {address} within {timeout:g} s ({first}): "
                            "start it (dask scheduler) or check --scheduler")
    return box["client"]


def connect(address: str, timeout: float = CONNECT_TIMEOUT) -> DaskExecutor:
    """A DaskExecutor on the scheduler at `address` with at least one worker, within `timeout`
    seconds; else ExecutorError in one line."""
    try:
        from distributed import Client
    except ImportError:
        raise ExecutorError("--executor dask needs dask[distributed]: pip install -e '.[cluster]'") from None
    check_address(address)
    client = _client_within(Client, address, timeout)
    try:
        client.wait_for_workers(1, timeout=timeout)
    except (OSError, TimeoutError) as e:
        client.close()
        raise ExecutorError(f"the Dask scheduler at {address} has no workers after {timeout:g} s: "
                            "start some (dask worker " + address + ")") from e
    return DaskExecutor(client, address)
