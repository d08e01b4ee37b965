"""Each chapter at the ends of every parameter range it reads: what the layout check finds.

For every chapter and every key it reads (but theme), the chapter is built at each end of the
key's range (an open end a hair inside it; both values of a flag, every choice; texts at a few
lengths), the others at their defaults, last frame only at 1920x1080 (animations skipped,
but each one ends in its final state and the layout check sees every one of them), with the
silent voice's timing. The counts and the worst problem of each case go to stdout (markdown)
and bench/results/range_ends.json.

    .venv/bin/python bench/range_ends.py                       # every chapter
    .venv/bin/python bench/range_ends.py --only problem1_sigma_prime --only learning_goal
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sigsat.chapters import Loaded, load, registry, select  # noqa: E402
from sigsat.layout_report import summary  # noqa: E402
from sigsat_math.params import DEFAULTS, ParamError, Spec, build, specs  # noqa: E402

WORDS = ("the gradient fades as each sigmoid layer saturates and the signal reaching the first "
         "layers becomes vanishingly small ").split()
TINY = 1e-300


def _text(length: int) -> str:
    """Words, `length` characters of them (a last word cut short, dots after a last space)."""
    out: list[str] = []
    while len(" ".join(out)) < length:
        out.append(WORDS[len(out) % len(WORDS)])
    return " ".join(out)[:length].rstrip().capitalize().ljust(length, ".")


def ends(key: str, spec: Spec) -> list[Any]:
    """The values at the ends of a key's range."""
    if spec.type is bool:
        return [False, True]
    if spec.choices:
        return list(spec.choices)
    if spec.type is str:  # a text: one letter, and as long as it may be
        return [_text(1), _text(spec.max_len or 120)]
    assert spec.lo is not None and spec.hi is not None
    if spec.type is int:
        return [int(spec.lo) + int(spec.lo_open), int(spec.hi) - int(spec.hi_open)]
    hair = (spec.hi - spec.lo) * 1e-9
    lo = spec.lo + hair if spec.lo_open else spec.lo
    hi = spec.hi - hair if spec.hi_open else spec.hi
    tiny = [TINY] if lo < TINY < hi else []  # a number near 0: the longest to write (1e-300)
    return [lo, *tiny, hi]


def build_chapter(module: str, scene: str, values: dict[str, Any], folder: Path, tex: Path) -> dict[str, Any]:
    """The chapter's sidecar, built at these parameters (last frame only)."""
    import importlib

    from manim import tempconfig

    from scenes.context import use_params
    from sigsat_core.contract import VoiceSpec

    cls = getattr(importlib.import_module(module), scene)
    sidecar = folder / "sidecar.json"
    options = {"pixel_width": 1920, "pixel_height": 1080, "frame_rate": 5, "media_dir": str(folder),
               "tex_dir": str(tex), "disable_caching": True, "verbosity": "ERROR",
               "progress_bar": "none", "output_file": scene, "save_last_frame": True,
               "write_to_movie": False}
    with tempconfig(options), use_params(build(values), sidecar=sidecar, voice=VoiceSpec(kind="none"),
                                         speech_dir=folder / "speech"):
        cls().render()
    data: dict[str, Any] = json.loads(sidecar.read_text(encoding="utf-8"))
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", default=[], help="a chapter (repeatable)")
    parser.add_argument("--key", action="append", default=[], help="a parameter (repeatable; default: all)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "range_ends.json")
    args = parser.parse_args()
    known = specs()
    cases = []
    with tempfile.TemporaryDirectory(prefix="sigsat-range-ends-") as tmp:
        tex = Path(tmp) / "tex"
        for ref in select(args.only, registry()):
            loaded = load(ref)
            if not isinstance(loaded, Loaded):
                continue
            for key in (k for k in loaded.reads if k != "theme" and (not args.key or k in args.key)):
                for value in ends(key, known[key]):
                    folder = Path(tmp) / f"case{len(cases)}"
                    folder.mkdir()
                    started = time.monotonic()
                    try:
                        data = build_chapter(ref.module, ref.scene, {key: value}, folder, tex)
                        sections = {s["name"]: s["layout"] for s in data["sections"] if s["layout"]}
                        found = sum(len(v) for v in sections.values())
                        line = summary(sections, {key: value}, DEFAULTS.subset([key])) if found else ""
                        error = ""
                    except ParamError as e:  # refused with one line: it needs another key moved too
                        found, line, error = 0, "", f"refused: {e}"
                    except Exception as e:  # a chapter that does not even build at this end
                        found, line, error = -1, "", f"{type(e).__name__}: {e}".splitlines()[0]
                    shown = f"{len(value)} characters" if known[key].text else value
                    cases.append({"chapter": ref.slug, "key": key, "value": shown, "problems": found,
                                  "summary": line, "error": error,
                                  "seconds": round(time.monotonic() - started, 1)})
                    print(f"| {ref.slug} | {key} | {shown} | {found if found >= 0 else 'fails'} | "
                          f"{error or line} |", flush=True)
    args.out.write_text(json.dumps({"cases": cases}, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    held = sum(1 for c in cases if c["problems"] == 0)
    print(f"\n{held} of {len(cases)} range ends render with no layout problem")


if __name__ == "__main__":
    main()
