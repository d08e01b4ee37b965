"""Scaling on paper: from the measured per-chapter costs, the wall time of 30 lectures x 4
variants on 1, 8 and 32 machines of 2 cores, and what bounds it at each size.

Inputs (bench/results/): variants-<quality>.json (each chapter's render seconds and entry bytes,
the client's assembly seconds per lecture) and, if there, dask-<quality>.json (the executor's
measured overhead). Each of the 30 lectures is taken to be this one; its 4 variants differ in
a practice problem's numbers (problem1.z: 9 + 3 chapter jobs a lecture) or in everything (a
theme, a course: 4 x 9 jobs). The chapter jobs are placed longest first on the least loaded
core (LPT); the client writes each of the 120 lecture folders as soon as its chapters are
done, two at a time on its 2 cores, beside the renders (as `render_together` does), and
receives every entry over its network link (1 Gbit/s assumed, overlapping the renders). The
wall time is the longest of the three, plus the last lecture's assembly.

    .venv/bin/python bench/scaling.py --quality preview
"""

from __future__ import annotations

import argparse
import heapq
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LECTURES, VARIANTS, CORES = 30, 4, 2
MACHINES = (1, 8, 32)
LINK = 125e6  # bytes/s: 1 Gbit/s into the client


def makespan(jobs: list[float], slots: int) -> float:
    """Longest-first list scheduling of `jobs` (seconds) on `slots` cores."""
    loads = [0.0] * slots
    heapq.heapify(loads)
    for job in sorted(jobs, reverse=True):
        heapq.heappush(loads, heapq.heappop(loads) + job)
    return max(loads)


def table(quality: str) -> str:
    """The markdown table for both kinds of variants."""
    bench = json.loads((ROOT / "bench" / "results" / f"variants-{quality}.json").read_text())
    dask_file = ROOT / "bench" / "results" / f"dask-{quality}.json"
    overhead = max(0.0, json.loads(dask_file.read_text())["overhead"]) if dask_file.is_file() else 0.0
    costs = bench["chapters"]
    seconds = {slug: c["seconds"] * (1 + overhead) for slug, c in costs.items()}
    size = {slug: c["bytes"] for slug, c in costs.items()}
    assembly = bench["assembly_seconds"]
    kinds = {
        "4 variants of problem1.z": [s for s in seconds] + ["problem1_sigma_prime"] * (VARIANTS - 1),
        "4 variants of everything (theme, course)": [s for s in seconds] * VARIANTS,
    }
    lines = [f"Per-chapter costs at {quality} (render seconds, one job per core, Dask overhead "
             f"{overhead:.0%} added): " + ", ".join(f"{k} {v:.0f}" for k, v in seconds.items())
             + f"; client assembly {assembly:.1f} s per lecture.", "",
             "| variants | machines (2 cores) | chapter jobs | renders (LPT) | longest chapter | "
             "client assembly | network | wall | bound |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    for kind, per_lecture in kinds.items():
        jobs = [seconds[s] for s in per_lecture] * LECTURES
        received = sum(size[s] for s in per_lecture) * LECTURES
        for machines in MACHINES:
            render = makespan(jobs, machines * CORES)
            longest = max(jobs)
            client = assembly * LECTURES * VARIANTS / CORES
            network = received / LINK if machines > 1 else 0.0
            wall = max(render, network, client) + assembly
            terms = {"render": render, "client": client, "network": network}
            top = max(terms, key=lambda k: terms[k])
            if top == "client":
                bound = "the client's assembly"
            elif top == "network":
                bound = "the network"
            elif render <= longest * 1.05:
                bound = "the longest chapter"
            else:
                bound = "the cores (total chapter work)"
            lines.append(f"| {kind} | {machines} | {len(jobs)} | {render / 60:.1f} min | {longest:.0f} s | "
                         f"{client / 60:.1f} min | {network:.0f} s | {wall / 60:.1f} min | {bound} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    """Print the table and keep it in bench/results/scaling-<quality>.md."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--quality", default="preview")
    args = parser.parse_args()
    text = table(args.quality)
    (ROOT / "bench" / "results" / f"scaling-{args.quality}.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
