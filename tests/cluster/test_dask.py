"""`--executor dask`: chapter jobs on a Dask cluster (a LocalCluster of two worker processes
started here), with the same bytes as a local render; a worker killed mid-job costs a retry,
not the render; a worker with other code refuses, naming itself; an unreachable scheduler is
one line and exit status 2, within a bounded time."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.render.conftest import FAKE, FIXTURES, fake_env, manifest, sigsat, snapshot

distributed = pytest.importorskip("distributed")
pytestmark = pytest.mark.slow
TINY = ("-q", "tiny")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Two single-threaded worker processes that can import the fake chapters; a gate file the
    `gate` chapter waits for; the workers' temporary folders in a folder of the test's own."""
    from distributed import Client, LocalCluster

    root = tmp_path_factory.mktemp("cluster")
    gate, tmp = root / "gate-open", root / "tmp"
    tmp.mkdir()
    saved = {k: os.environ.get(k) for k in ("PYTHONPATH", "SIGSAT_TEST_GATE", "TMPDIR", "SIGSAT_WORKER_CACHE")}
    os.environ.update(fake_env(), SIGSAT_TEST_GATE=str(gate), TMPDIR=str(tmp),
                      SIGSAT_WORKER_CACHE=str(root / "worker-cache"))
    sys.path.insert(0, str(FIXTURES))  # spawned workers start with this process's sys.path
    try:
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                          silence_logs=40) as lc, Client(lc) as client:
            yield {"address": lc.scheduler_address, "client": client, "gate": gate, "tmp": tmp}
    finally:
        sys.path.remove(str(FIXTURES))
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _render(out: Path, *extra: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return sigsat("render", *FAKE, *TINY, "--out", str(out), *extra, env={**fake_env(), **(env or {})})


def _same_lecture(a: Path, b: Path) -> None:
    """Two output folders hold the same bytes (the manifest: all but how the run went)."""
    left, right = snapshot(a), snapshot(b)
    assert {k: v for k, v in left.items() if k != "manifest.json"} == \
        {k: v for k, v in right.items() if k != "manifest.json"}
    ma, mb = manifest(a), manifest(b)
    for m in (ma, mb):
        m.pop("run")
        for c in m["chapters"]:
            c.pop("status")
    assert ma == mb


def test_a_dask_render_has_the_bytes_of_a_local_one(cluster, tmp_path):
    local = _render(tmp_path / "local", "--only", "alpha,words", "--jobs", "2")
    assert local.returncode == 0, local.stderr
    dask = _render(tmp_path / "dask", "--only", "alpha,words", "--executor", "dask",
                   "--scheduler", cluster["address"])
    assert dask.returncode == 0, dask.stderr
    _same_lecture(tmp_path / "local" / "tiny", tmp_path / "dask" / "tiny")
    assert manifest(tmp_path / "dask" / "tiny")["run"]["rendered"] == ["alpha", "words"]
    # The client wrote what came back into its own cache and logs: a second run renders nothing.
    logs = (tmp_path / "dask" / ".cache" / "logs" / "tiny")
    assert all("rendered on Dask worker tcp://" in (logs / f"{s}.log").read_text()
               for s in ("01_alpha", "05_words"))
    again = _render(tmp_path / "dask", "--only", "alpha,words", "--executor", "dask",
                    "--scheduler", cluster["address"])
    assert again.returncode == 0, again.stderr
    assert manifest(tmp_path / "dask" / "tiny")["run"]["rendered"] == []


def test_a_worker_killed_mid_job_costs_a_retry_not_the_render(cluster, tmp_path):
    client, gate = cluster["client"], cluster["gate"]
    gate.unlink(missing_ok=True)
    proc = subprocess.Popen(
        [sys.executable, "-m", "sigsat", "render", *FAKE, *TINY, "--only", "alpha,gate", "--voice", "none",
         "--out", str(tmp_path / "dask"), "--executor", "dask", "--scheduler", cluster["address"]],
        env={**os.environ, **fake_env()}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # Wait until the gate's chapter process runs on a worker (its job folder is there), then kill
    # that worker process outright.
    deadline = time.monotonic() + 120
    victim = None
    while victim is None:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the gate job never started"
        running = {w: keys for w, keys in client.processing().items()
                   if any(str(k).startswith("sigsat-gate-") for k in keys)}
        if running and list(cluster["tmp"].glob("sigsat-job-*/gate")):
            victim = next(iter(running))
        time.sleep(0.2)
    pid = client.run(os.getpid, workers=[victim])[victim]
    time.sleep(1.0)  # inside the chapter's render, not at its start
    os.kill(pid, 9)
    time.sleep(1.0)
    gate.touch()  # the retry, wherever it runs, goes through
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    assert manifest(tmp_path / "dask" / "tiny")["run"]["rendered"] == ["alpha", "gate"]
    # It ran again elsewhere (the killed worker's replacement has another address).
    log = (tmp_path / "dask" / ".cache" / "logs" / "tiny" / "06_gate.log").read_text()
    assert "rendered on Dask worker tcp://" in log and f"rendered on Dask worker {victim}\n" not in log
    local = _render(tmp_path / "local", "--only", "alpha,gate", "--voice", "none", "--jobs", "2",
                    env={"SIGSAT_TEST_GATE": str(gate)})
    assert local.returncode == 0, local.stderr
    _same_lecture(tmp_path / "local" / "tiny", tmp_path / "dask" / "tiny")


def test_a_worker_with_other_code_refuses_naming_itself(cluster, tmp_path):
    # The client sees a changed chapter file; the workers have the original.
    changed = tmp_path / "changed"
    shutil.copytree(FIXTURES / "fake_chapters", changed / "fake_chapters")
    alpha = changed / "fake_chapters" / "alpha.py"
    alpha.write_text(alpha.read_text() + "\n# changed on the client only\n")
    done = sigsat("render", *FAKE, *TINY, "--only", "alpha", "--voice", "none", "--out", str(tmp_path / "out"),
                  "--executor", "dask", "--scheduler", cluster["address"],
                  env={"PYTHONPATH": os.pathsep.join([str(changed), os.environ.get("PYTHONPATH", "")])})
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    line = done.stderr.strip().splitlines()[-1]
    assert "Dask worker tcp://127.0.0.1:" in line and "the chapter's code" in line, line
    assert not (tmp_path / "out" / "tiny").exists()


def test_a_dask_variants_run_renders_each_changed_chapter_once(cluster, tmp_path):
    done = sigsat("variants", *FAKE, *TINY, "--only", "alpha,beta", "--voice", "none",
                  "--sweep", "problem1.z=3,4", "--out", str(tmp_path / "out"),
                  "--executor", "dask", "--scheduler", cluster["address"], env=fake_env())
    assert done.returncode == 0, done.stderr
    root = tmp_path / "out" / "tiny" / "variants"
    runs = {name: manifest(root / name)["run"] for name in ("problem1.z=3", "problem1.z=4")}
    rendered = sorted(slug for run in runs.values() for slug in run["rendered"])
    assert rendered == ["alpha", "alpha", "beta"]  # beta reads no problem1.z: rendered once, shared
    z = {name: json.loads((root / name / "manifest.json").read_text())["params"]["problem1.z"]
         for name in runs}
    assert z == {"problem1.z=3": 3.0, "problem1.z=4": 4.0}


@pytest.mark.parametrize("args, words", [
    (("--scheduler", "tcp://127.0.0.1:1"), "cannot reach the Dask scheduler at tcp://127.0.0.1:1"),
    ((), "--executor dask needs --scheduler"),
])
def test_no_scheduler_is_one_line_and_status_2_in_bounded_time(tmp_path, args, words):
    started = time.monotonic()
    done = sigsat("render", *TINY, "--only", "alpha", *FAKE, "--out", str(tmp_path / "out"),
                  "--executor", "dask", "--scheduler-timeout", "3", *args,
                  env={**fake_env(), "DASK_SCHEDULER_ADDRESS": ""})
    assert done.returncode == 2, done.stderr
    assert time.monotonic() - started < 30
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0], done.stderr
    assert not (tmp_path / "out" / "tiny").exists()
