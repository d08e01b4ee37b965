"""`sigsat variants`: many versions of the lecture in one run. A bad variant is one line naming it
and nothing renders; a sweep over problem1.z renders practice problem 1 once per value and
nothing else; every variant is a whole lecture folder whose unchanged files are links; the
problem sheets carry each variant's own numbers, as its ledger has them."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import DRAFT_VOICE
from tests.render.conftest import manifest, sigsat, snapshot

TINY = ("-q", "tiny", "--voice", "none")
# The default value (5: the plain lecture has it) and one new value.
SWEEP = "problem1.z=5,-7.5"
NAMES = ("problem1.z=5", "problem1.z=-7.5")
NEW = "problem1.z=-7.5"
PROBLEM_CHAPTERS = ("problem1_sigma_prime", "problem2_chain_product", "relu_and_variants")


def _file(tmp_path: Path, text: str) -> str:
    path = tmp_path / "variants.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


BAD = [
    ('[variant.group-a]\nproblem1.z = 4\n[variant.group-b]\nproblem1.q = 3\n', (),
     "variant 'group-b': unknown parameter 'problem1.q'"),
    ('[variant.group-b]\nproblem1.z = "x"\n', (),
     "variant 'group-b': problem1.z = 'x': must be a number in [-12, 12]"),
    ('[variant.group-b]\nproblem2.layers = 40\n', (),
     "variant 'group-b': problem2.layers = 40: must be an integer in [1, 12]"),
    ('[variant.Group]\nproblem1.z = 4\n[variant.group]\nproblem1.z = 3\n', (),
     "variant 'group' is defined twice (as 'Group')"),
    ('[variant.group]\nproblem1.z = 4\n[variant.group]\nproblem1.z = 3\n', (), "is not valid TOML"),
    (None, ("--sweep", "problem1.z=3,3"), "variant 'problem1.z=3' is defined twice"),
    ("", (), "no variants to render"),
    ("# nothing yet\n", (), "no variants to render"),
    ('[problem1]\nz = 3\n', (), "'problem1' is not a [variant.<name>] table"),
    ('[variant."a b"]\nproblem1.z = 3\n', (), "variant 'a b': a variant's name names its folder"),
    (None, ("--sweep", "experiment.init=he,xavier"), "--sweep experiment.init: not a numeric parameter"),
    (None, ("--sweep", "lesson.title=a,b"), "--sweep lesson.title: not a numeric parameter"),
    (None, ("--sweep", "problem1.z=3,99"), "variant 'problem1.z=99': problem1.z = 99: must be a number"),
    (None, ("--sweep", "problem1.z=3,,4"), "a value is empty"),
    (None, ("--sweep", "problem1.zz=3"), "unknown parameter 'problem1.zz'"),
    (None, (), "no variants to render"),
]


@pytest.mark.parametrize("text, args, words", BAD)
def test_a_bad_variant_is_one_line_naming_it_and_nothing_renders(tmp_path, text, args, words):
    files = [_file(tmp_path, text)] if text is not None else []
    done = sigsat("variants", *files, *args, *TINY, "--out", str(tmp_path / "out"))
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0], done.stderr
    assert not (tmp_path / "out").exists()


@pytest.fixture(scope="session")
def swept(tiny_out: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A sweep of problem1.z over the session's whole lecture at tiny (its cache shared: what
    the plain lecture rendered is not rendered again), run once for the session."""
    from tests.conftest import once, shared_root

    root = shared_root(tmp_path_factory)
    out = root / "variants" / "out"
    said = root / "variants" / "stderr.txt"

    def sweep() -> str:
        done = sigsat("variants", "--sweep", SWEEP, "-q", "tiny", "--jobs", "2", "--out", str(out), *DRAFT_VOICE,
                      "--cache", str(tiny_out.parent / ".cache"))
        assert done.returncode == 0, done.stderr
        said.write_text(done.stderr, encoding="utf-8")
        return done.stderr

    stderr = once(root, "variants", sweep, lambda: said.read_text(encoding="utf-8"))
    return {"out": out, "root": out / "tiny" / "variants", "stderr": stderr, "plain": tiny_out}


@pytest.mark.slow
def test_a_sweep_renders_the_chapter_that_reads_the_key_once_per_new_value_and_nothing_else(swept):
    from sigsat.chapters import Loaded, load, registry

    readers = [(ref.number, ref.slug) for ref in registry()
               if isinstance(loaded := load(ref), Loaded) and "problem1.z" in loaded.reads]
    assert "problem1_sigma_prime" in [slug for _, slug in readers]
    rendered = {name: manifest(swept["root"] / name)["run"]["rendered"] for name in NAMES}
    # z = 5 is the default: the plain render has it already. A new value renders only chapters
    # that read the key (those another render of this session's cache made already are cached).
    slugs = [slug for _, slug in readers]
    assert rendered["problem1.z=5"] == []
    assert rendered[NEW] and set(rendered[NEW]) <= set(slugs), rendered[NEW]
    assert rendered[NEW] == [slug for slug in slugs if slug in rendered[NEW]]  # in lecture order
    number = dict((slug, n) for n, slug in readers)
    said = re.findall(r"▸ (\S+) \S+ renders", swept["stderr"])
    assert sorted(said) == sorted(f"{NEW}/{number[slug]:02d}" for slug in rendered[NEW])


@pytest.mark.slow
def test_each_variant_is_a_whole_lecture_and_identical_files_are_links(swept):
    root, plain = swept["root"], swept["plain"]
    # The variant with the default z is the plain lecture, file for file (the plain folder has
    # the slides and handout too, made by other tests).
    skip = ("manifest.json", "index.html")
    same = {k: v for k, v in snapshot(root / "problem1.z=5").items() if k not in skip}
    lecture = snapshot(plain)
    assert same == {k: lecture.get(k) for k in same} and len(same) > 40
    assert {c["file"] for c in manifest(plain)["chapters"]} <= set(same)
    for name in NAMES:
        m = manifest(root / name)
        assert m["params"]["problem1.z"] == float(name.split("=")[1])
        assert (root / name / "lecture.mp4").stat().st_size > 0 and (root / name / "index.html").is_file()
    clips = {name: {c["slug"]: root / name / c["file"] for c in manifest(root / name)["chapters"]} for name in NAMES}
    a, b = clips["problem1.z=5"], clips[NEW]
    from sigsat.chapters import Loaded, load, registry

    readers = {ref.slug for ref in registry() if isinstance(loaded := load(ref), Loaded)
               and "problem1.z" in loaded.reads}
    assert "problem1_sigma_prime" in readers
    for slug in a:  # a chapter that does not read the key is one file shared by every variant
        assert os.path.samefile(a[slug], b[slug]) == (slug not in readers), slug
    index = (root / "index.html").read_text(encoding="utf-8")
    assert all(f"href='{name}/index.html'" in index for name in NAMES) and "problem1.z" in index
    assert "on the disk" in swept["stderr"]


def _by_variant(pdf: Path) -> dict[str, str]:
    """The PDF's text, cut at each variant's heading."""
    from pypdf import PdfReader

    text = "\n".join(page.extract_text() for page in PdfReader(pdf).pages)
    parts = re.split(r"^Variant (\S+)$", text, flags=re.M)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts), 2)}


@pytest.mark.slow
def test_the_problem_sheets_carry_each_variants_numbers_from_its_ledger(swept):
    root = swept["root"]
    problems, answers = _by_variant(root / "problems.pdf"), _by_variant(root / "answers.pdf")
    assert sorted(problems) == sorted(answers) == sorted(NAMES)
    for name in NAMES:
        chapters = {c["slug"]: c for c in manifest(root / name)["chapters"]}
        ledger = {row["label"]: row["text"] for row in chapters["problem1_sigma_prime"]["ledger"]}
        question = [b["text"] for b in chapters["problem1_sigma_prime"]["beats"] if b["section"] == "question"][0]
        flat = " ".join(problems[name].split())
        assert " ".join(question.split()) in flat
        assert f"z equals {ledger['z']}" in flat or f"z = {ledger['z']}" in flat
        assert "Pause the video" not in flat and "Practice problem 3" in flat
        worked = " ".join(answers[name].split())
        for slug in PROBLEM_CHAPTERS:
            for row in chapters[slug]["ledger"]:
                assert f"{row['label']} {row['text']}" in worked, (name, row["label"], row["text"])
    # Each variant's own z: the numbers differ where the ledgers do.
    texts = {name: manifest(root / name)["chapters"][4]["ledger"] for name in NAMES}
    assert len({json.dumps(t) for t in texts.values()}) == len(NAMES)


@pytest.mark.slow
def test_clean_keeps_what_the_variants_use_and_a_second_run_renders_nothing(tmp_path):
    from tests.render.conftest import FAKE, fake_env

    args = ("variants", *FAKE, *TINY, "--only", "alpha,beta", "--sweep", "problem1.z=3,4",
            "--out", str(tmp_path / "out"))
    first = sigsat(*args, env=fake_env())
    assert first.returncode == 0, first.stderr
    entries = sorted(p.name for p in (tmp_path / "out" / ".cache" / "entries").iterdir())
    assert len(entries) == 3  # alpha twice, beta once
    cleaned = sigsat("clean", "--out", str(tmp_path / "out"))
    assert cleaned.returncode == 0, cleaned.stderr
    assert sorted(p.name for p in (tmp_path / "out" / ".cache" / "entries").iterdir()) == entries
    again = sigsat(*args, env=fake_env())
    assert again.returncode == 0, again.stderr
    root = tmp_path / "out" / "tiny" / "variants"
    assert [manifest(root / n)["run"]["rendered"] for n in ("problem1.z=3", "problem1.z=4")] == [[], []]
