"""The variants' problem sheets say nothing while they are written: fontTools, which fpdf2 uses
to subset the fonts, logged about 256 lines of every table it pruned once a handler existed
(a render installs one), even under --quiet."""

from __future__ import annotations

import logging

import pytest

from sigsat.present.problems import Problem, Sheet, write_answers, write_problems


@pytest.mark.parametrize("write", [write_problems, write_answers])
def test_writing_the_sheets_logs_nothing_below_an_error(tmp_path, write, caplog):
    logging.getLogger("fontTools").setLevel(logging.NOTSET)  # as a fresh process has it
    problem = Problem("Practice problem 1", "What is σ′(5)? ≥ 0.25 × 2", ("σ(5) = 0.993",), ())
    sheets = [Sheet("group-a", {"problem1.z": 5}, (problem,)), Sheet("group-b", {"problem1.z": 4}, (problem,))]
    with caplog.at_level(logging.DEBUG):
        path = write(tmp_path / "sheet.pdf", "Sigmoid Saturation", sheets)
    assert path.read_bytes().startswith(b"%PDF")
    chatter = [r for r in caplog.records if r.name.startswith("fontTools") and r.levelno < logging.ERROR]
    assert chatter == [], f"{len(chatter)} lines, e.g. {chatter[0].getMessage()!r}"
