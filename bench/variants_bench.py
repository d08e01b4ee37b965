"""Variants benchmark: 10 versions of the lecture (`--sweep problem1.z=3..12`) in one
`sigsat variants` run, beside 10 plain renders, one per value; then the scaling on paper.

1. plain: `sigsat render --set problem1.z=V` for each value into its own folder, sharing one
   cache (the first renders all chapters, the next nine only practice problem 1); the first
   one's wall time, times ten, is what 10 full renders without a shared cache take;
2. variants: `sigsat variants --sweep problem1.z=3,...,12` with a cold cache of its own;
3. assembly: a plain render whose chapters are all cached, into a new folder: the client's
   work per lecture (joining lecture.mp4, captions, manifest, index).

Per-chapter render seconds come from the cache entries (entry.json's render_seconds) and the
entries' sizes from the disk. Results: bench/results/variants-<quality>.json; the scaling table
(bench/scaling.py) is printed after.

    .venv/bin/python bench/variants_bench.py --quality preview
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from render_bench import timed_sigsat  # noqa: E402

VALUES = ("3", "4", "5", "6", "7", "8", "9", "10", "11", "12")


def load() -> float:
    """The 1-minute load average (the machine is shared)."""
    return os.getloadavg()[0]


def chapter_costs(cache: Path, manifest: Path) -> dict[str, dict[str, float]]:
    """Each chapter's render seconds and entry bytes, from the cache entries the manifest names."""
    m = json.loads(manifest.read_text())
    costs = {}
    for c in m["chapters"]:
        entry = cache / "entries" / c["cache_key"]
        record = json.loads((entry / "entry.json").read_text())
        costs[c["slug"]] = {"seconds": record["render_seconds"],
                            "bytes": sum(p.stat().st_size for p in entry.iterdir() if p.is_file())}
    return costs


def main() -> None:
    """Run the three measurements and write the results."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--quality", default="preview")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    q, jobs = args.quality, str(args.jobs)
    results: dict[str, Any] = {"quality": q, "jobs": args.jobs, "values": list(VALUES),
                               "cores": os.cpu_count(), "load_before": load()}
    with tempfile.TemporaryDirectory(prefix="sigsat-bench-") as tmp:
        base = Path(tmp)
        plain_cache = base / "plain-cache"
        plain = []
        for v in VALUES:
            plain.append(timed_sigsat(["render", "-q", q, "--jobs", jobs, "--set", f"problem1.z={v}",
                                "--out", str(base / f"plain-{v}"), "--cache", str(plain_cache)]))
            print(f"plain z={v}: {plain[-1]:.1f} s (load {load():.1f})", file=sys.stderr)
        results["plain_seconds"] = plain
        results["plain_full_first"] = plain[0]
        results["plain_10_full_estimate"] = 10 * plain[0]
        results["plain_10_shared_cache"] = sum(plain)
        results["load_after_plain"] = load()
        out = base / "variants"
        results["variants_seconds"] = timed_sigsat(["variants", "-q", q, "--jobs", jobs, "--out", str(out),
                                             "--sweep", "problem1.z=" + ",".join(VALUES)])
        print(f"variants: {results['variants_seconds']:.1f} s (load {load():.1f})", file=sys.stderr)
        results["load_after_variants"] = load()
        vroot = out / q / "variants"
        rendered = {v: json.loads((vroot / f"problem1.z={v}" / "manifest.json").read_text())["run"]["rendered"]
                    for v in VALUES}
        results["variants_rendered"] = rendered
        results["variants_renders"] = sum(len(r) for r in rendered.values())
        results["assembly_seconds"] = timed_sigsat(["render", "-q", q, "--jobs", jobs, "--set", "problem1.z=3",
                                             "--out", str(base / "assembly"), "--cache", str(out / ".cache")])
        results["chapters"] = chapter_costs(out / ".cache", vroot / "problem1.z=3" / "manifest.json")
        apparent = unique = 0
        seen: set[tuple[int, int]] = set()
        for folder in (vroot / f"problem1.z={v}" for v in VALUES):
            for p in folder.resolve().rglob("*"):
                if p.is_file():
                    st = p.stat()
                    apparent += st.st_size
                    if (st.st_dev, st.st_ino) not in seen:
                        seen.add((st.st_dev, st.st_ino))
                        unique += st.st_size
        results["variants_bytes_apparent"], results["variants_bytes_on_disk"] = apparent, unique
    dest = ROOT / "bench" / "results" / f"variants-{q}.json"
    dest.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps({k: v for k, v in results.items() if k not in ("chapters", "variants_rendered")}, indent=2))


if __name__ == "__main__":
    main()
