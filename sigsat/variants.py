"""`sigsat variants`: many versions of the lecture, one per tutorial group (or student, theme...).

Each `[variant.<name>]` table of a TOML file (and each value of `--sweep KEY=V1,V2,...`) sets
parameters over the shared ones (`--params`, `--set`). Every variant is checked before anything
renders: a bad one is one line naming the variant and the key. All variants' chapter jobs go to
one executor together, and a chapter whose key two variants share renders once; a chapter that
reads no parameter a variant changes comes from the cache. Each variant is a complete lecture
folder, `OUT/<quality>/variants/<name>/`, whose clips and posters are hard links to the
cache's files (identical files take their room once). Beside them: `index.html` (the variants
and what differs), `problems.pdf` (each variant's questions) and `answers.pdf` (each variant's
worked answers, numbers from its ledger).
"""

from __future__ import annotations

import dataclasses
import html
import json
import os
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.markup import escape

from sigsat_core.contract import Layout, Manifest
from sigsat_core.units import clock, size
from sigsat_math.params import ParamError, Params, build, flatten, read_table, specs

from .faults import within
from .logger import logger
from .names import BadName, check_plain, shown
from .outputs import locked, write_if_changed

if TYPE_CHECKING:
    from .executors import Executor
    from .present.problems import Sheet
    from .tasks import Options, Result

FOLDER = "variants"
INDEX = "index.html"
PROBLEMS_PDF = "problems.pdf"
ANSWERS_PDF = "answers.pdf"
# Files beside the variants' folders: a variant of one of these names would replace it.
BESIDE = (INDEX, PROBLEMS_PDF, ANSWERS_PDF)
EXAMPLE = "for example problem1.z=3,4,5,6"


@dataclass(frozen=True)
class Variant:
    """A version of the lecture: its name, the parameters it sets itself, and all in force."""

    name: str
    own: dict[str, Any]
    params: Params


def from_file(path: str | Path) -> list[tuple[str, dict[str, Any]]]:
    """The `[variant.<name>]` tables of a TOML file, in order: (name, dotted values)."""
    data = read_table(path, kind="variants file")
    other = [k for k in data if k != "variant"]
    if other:
        raise ParamError(f"variants file {str(path)!r}: {other[0]!r} is not a [variant.<name>] table; "
                         "parameters shared by every variant go in --params or --set")
    tables = data.get("variant", {})
    if not isinstance(tables, dict):
        raise ParamError(f"variants file {str(path)!r}: 'variant' must hold tables [variant.<name>]")
    found = []
    for name, table in tables.items():
        if not isinstance(table, dict):
            raise ParamError(f"variant {shown(name)}: expected a table [variant.<name>] of parameters, "
                             f"found a value {table!r}")
        found.append((name, flatten(table)))
    return found


def from_sweep(item: str) -> list[tuple[str, dict[str, Any]]]:
    """`KEY=V1,V2,...`: one variant per value, named `KEY=V`."""
    if "=" not in item:
        raise ParamError(f"--sweep {item!r}: expected KEY=V1,V2,..., {EXAMPLE}")
    key, raw = (s.strip() for s in item.split("=", 1))
    spec = specs().get(key)
    if spec is None:
        raise ParamError(f"--sweep {item!r}: unknown parameter {key!r}; {EXAMPLE}")
    if spec.type not in (int, float):
        raise ParamError(f"--sweep {key}: not a numeric parameter (it is {spec.allowed()}); "
                         f"a sweep runs over numbers, {EXAMPLE}")
    texts = [v.strip() for v in raw.split(",")]
    if not raw.strip() or any(not t for t in texts):
        raise ParamError(f"--sweep {item!r}: a value is empty; {EXAMPLE}")
    return [(f"{key}={text}", {key: _number(text)}) for text in texts]


def _number(text: str) -> Any:
    """A sweep value as TOML reads it (4, 0.25); anything else stays text, for the check to name."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def check_names(names: Iterable[str]) -> None:
    """Every name can name a folder, and none is given twice (case aside: some disks ignore it)."""
    seen: dict[str, str] = {}
    for name in names:
        # A variant names a folder and a URL: plain characters, as the sweep's `problem1.z=3` has.
        try:
            check_plain(name, "variant", BESIDE, "a variant's name names its folder")
        except BadName as e:
            raise ParamError(str(e)) from None
        first = seen.get(name.lower())
        if first is not None:
            again = "" if first == name else f" (as {first!r})"
            raise ParamError(f"variant {shown(name)} is defined twice{again}: give each variant its own name")
        seen[name.lower()] = name


def build_variants(base: Mapping[str, Any], declared: Sequence[tuple[str, dict[str, Any]]],
                   source: str = "") -> list[Variant]:
    """Each declared variant's parameters over `base`, checked; ParamError names the variant."""
    if not declared:
        raise ParamError(f"{source or 'no variants'}: no variants to render: add [variant.<name>] tables "
                         f"to a TOML file, or --sweep KEY=V1,V2 ({EXAMPLE})")
    check_names(name for name, _ in declared)
    variants = []
    for name, own in declared:
        try:
            params = build({**base, **own})
        except ParamError as e:
            raise ParamError(f"variant {name!r}: {e}") from None
        variants.append(Variant(name, dict(own), params))
    return variants


def differences(variants: Sequence[Variant], base: Params) -> list[str]:
    """The keys variants set whose values are not the same in the base and every variant."""
    keys = sorted({k for v in variants for k in v.own})
    return [k for k in keys if len({json.dumps(p.get(k)) for p in [base, *(v.params for v in variants)]}) > 1]


def disk_use(folders: Iterable[Path]) -> tuple[int, int]:
    """(apparent bytes, bytes on disk) of the files in `folders`: a file with several links
    (in several variants, or in the cache) counts once on the disk."""
    apparent, seen, unique = 0, set(), 0
    for folder in folders:
        for dirpath, _, files in os.walk(folder):
            for name in files:
                st = os.lstat(os.path.join(dirpath, name))
                apparent += st.st_size
                if (st.st_dev, st.st_ino) not in seen:
                    seen.add((st.st_dev, st.st_ino))
                    unique += st.st_size
    return apparent, unique


def root_folder(out: Path, quality: str) -> Path:
    """OUT/<quality>/variants."""
    return out / quality / FOLDER


@dataclass(frozen=True)
class Rendered:
    """A variant's finished lecture folder and its manifest."""

    variant: Variant
    folder: Path
    manifest: Manifest


def write_index(root: Path, rendered: Sequence[Rendered], base: Params, disk: tuple[int, int],
                pdfs: Sequence[str]) -> Path:
    """variants/index.html: every variant, what differs, what it rendered, and links."""
    keys = differences([r.variant for r in rendered], base)
    e = html.escape
    head = "".join(f"<th><code>{e(k)}</code></th>" for k in keys)
    rows = []
    for r in rendered:
        m = r.manifest
        values = "".join(f"<td class=num>{e(json.dumps(r.variant.params.get(k)))}</td>" for k in keys)
        rendered_now = ", ".join(m.run.rendered) or "nothing (all from the cache)"
        rows.append(
            f"<tr><td><a href='{e(r.variant.name)}/{INDEX}'>{e(r.variant.name)}</a></td>{values}"
            f"<td><a href='{e(r.variant.name)}/{Layout.LECTURE}'>{Layout.LECTURE}</a> "
            f"{clock(m.lecture.duration)}, {size(m.lecture.size)}</td><td>{e(rendered_now)}</td></tr>")
    links = " · ".join(f"<a href='{e(p)}'>{e(p)}</a>" for p in pdfs)
    base_note = ", ".join(f"<code>{e(k)}</code> = {e(json.dumps(base.get(k)))}" for k in keys)
    page = f"""<!doctype html>
<html lang=en><head><meta charset=utf-8><meta name=viewport content="width=device-width, initial-scale=1">
<title>{e(str(base.lesson.title))}: {len(rendered)} variants</title>
<style>body{{font:15px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:70rem;padding:0 1rem;color:#182030}}
table{{border-collapse:collapse;width:100%}}td,th{{border-bottom:1px solid #dde;padding:.35rem .6rem;text-align:left}}
.num{{font-variant-numeric:tabular-nums}}.muted{{color:#667}}</style></head><body>
<h1>{e(str(base.lesson.title))}: {len(rendered)} variants</h1>
<p>Each variant is a whole lecture folder. What differs between them: {', '.join(f'<code>{e(k)}</code>' for k in keys)
    or 'nothing'}{f' (shared parameters: {base_note})' if len(rendered) == 1 and keys else ''}.</p>
<p>{links}</p>
<table><thead><tr><th>variant</th>{head}<th>lecture</th><th>rendered in the last run</th></tr></thead>
<tbody>{''.join(rows)}</tbody></table>
<p class=muted>Files: {size(disk[0])} in all; {size(disk[1])} on the disk (identical clips and posters
are hard links to the same file, shared with the cache).</p>
</body></html>
"""
    path = root / INDEX
    write_if_changed(path, page)
    return path


def sheets(rendered: Sequence[Rendered], keys: Sequence[str]) -> list[Sheet]:
    """Each variant's practice problems, with the values of the keys that differ."""
    from .present.problems import Sheet, problems

    return [Sheet(r.variant.name, {k: r.variant.params.get(k) for k in keys}, tuple(problems(r.manifest)))
            for r in rendered]


def render_variants(variants: Sequence[Variant], template: Options, executor: Executor,
                    base: Params) -> list[tuple[Options, Result]]:
    """Render every variant in one batch into OUT/<quality>/variants/<name>/, then the index and
    the problem sheets (when every variant succeeded)."""
    from .batches import render_together
    from .render import Renderer

    out, quality = template.out, template.quality.name
    root = root_folder(out, quality)
    cache = template.cache_dir or out / ".cache"
    options = [dataclasses.replace(template, params=v.params, target=root / v.name, label=v.name,
                                   link=True, cache_dir=cache) for v in variants]
    # The lock of OUT/<quality>: a plain render and a variants run do not write there at once.
    with locked(out / quality, template.wait), within(root, "the output folder"):
        root.mkdir(parents=True, exist_ok=True)
        results = render_together([Renderer(o, executor) for o in options])
        if any(r.failed for r in results):
            return list(zip(options, results, strict=True))
        rendered = [Rendered(v, o.folder, r.manifest) for v, o, r in zip(variants, options, results, strict=True)
                    if r.manifest is not None]
        pdfs = write_sheets(root, rendered, base)
        disk = disk_use(o.folder.resolve() for o in options)
        write_index(root, rendered, base, disk, pdfs)
    done = sum(len(r.manifest.run.rendered) for r in rendered)
    logger.info("%d variants in %s: %d chapter renders, %s of files, %s on the disk (identical files "
                "are links)", len(variants), escape(str(root)), done, size(disk[0]), size(disk[1]))
    return list(zip(options, results, strict=True))


def write_sheets(root: Path, rendered: Sequence[Rendered], base: Params) -> list[str]:
    """problems.pdf and answers.pdf, when the lecture has practice problems; their names."""
    from .present.problems import write_answers, write_problems

    keys = differences([r.variant for r in rendered], base)
    pages = sheets(rendered, keys)
    if not any(s.problems for s in pages):
        logger.info("no practice problems in these chapters: no %s, %s", PROBLEMS_PDF, ANSWERS_PDF)
        return []
    title = str(base.lesson.title)
    for name, write in ((PROBLEMS_PDF, write_problems), (ANSWERS_PDF, write_answers)):
        tmp = root / f".{name}.tmp"
        write(tmp, title, pages)
        os.replace(tmp, root / name)
    return [PROBLEMS_PDF, ANSWERS_PDF]
