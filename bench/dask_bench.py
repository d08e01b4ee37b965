"""Dask benchmark: the same lecture rendered cold by the local pool (`--jobs 2`) and by
`--executor dask` on a LocalCluster of 2 single-threaded worker processes (worker caches cold
too), on the same machine: the executor's overhead. The outputs are checked to be the same bytes.

    .venv/bin/python bench/dask_bench.py --quality preview --only learning_goal,sigmoid_curves,5,6

Results: bench/results/dask-<quality>.json.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from render_bench import timed_sigsat  # noqa: E402


def snapshot(folder: Path) -> dict[str, str]:
    """sha256 of every output file but the manifest (it records how the run went)."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != "manifest.json"}


def main() -> None:
    """Local then Dask, each cold; write the results."""
    from distributed import LocalCluster

    parser = argparse.ArgumentParser()
    parser.add_argument("--quality", default="preview")
    parser.add_argument("--only", default="learning_goal,sigmoid_curves,5,6")
    args = parser.parse_args()
    q = args.quality
    results: dict[str, Any] = {"quality": q, "only": args.only, "load_before": os.getloadavg()[0]}
    with tempfile.TemporaryDirectory(prefix="sigsat-dask-bench-") as tmp:
        base = Path(tmp)
        os.environ["SIGSAT_WORKER_CACHE"] = str(base / "worker-cache")
        common = ["render", "-q", q, "--only", args.only]
        results["local_seconds"] = timed_sigsat([*common, "--jobs", "2", "--out", str(base / "local")])
        results["load_after_local"] = os.getloadavg()[0]
        started = time.monotonic()
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                          silence_logs=40) as cluster:
            results["cluster_start_seconds"] = time.monotonic() - started
            results["dask_seconds"] = timed_sigsat([*common, "--executor", "dask", "--scheduler",
                                             cluster.scheduler_address, "--out", str(base / "dask")])
        results["load_after_dask"] = os.getloadavg()[0]
        results["identical"] = snapshot(base / "local" / q) == snapshot(base / "dask" / q)
        m = json.loads((base / "dask" / q / "manifest.json").read_text())
        results["entry_bytes"] = sum(p.stat().st_size for p in (base / "dask" / ".cache" / "entries").rglob("*")
                                     if p.is_file())
        results["chapters"] = [c["slug"] for c in m["chapters"]]
    results["overhead"] = results["dask_seconds"] / results["local_seconds"] - 1
    dest = ROOT / "bench" / "results" / f"dask-{q}.json"
    dest.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
