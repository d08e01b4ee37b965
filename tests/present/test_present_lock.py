"""The presenting commands hold the output folder's render lock while they write: while a render
holds it they stop at once in one line (exit 2) and change nothing, so a deck or a handout is
never cut from one version and written into the next."""

from __future__ import annotations

import fcntl

import pytest

from tests.render.conftest import fake_copy, fake_out, sigsat, snapshot  # noqa: F401 (fixtures)

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("command", [["slides"], ["handout"], ["embed"], ["index"], ["script"]])
def test_a_presenting_command_waits_for_no_render_it_says_so_and_writes_nothing(fake_copy, command):  # noqa: F811
    folder = fake_copy / "tiny"
    before = snapshot(folder)
    with open(fake_copy / ".tiny.lock", "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # as a render committing into the folder does
        done = sigsat(*command, "--out", str(fake_copy), "-q", "tiny", timeout=120)
    assert done.returncode == 2, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "is writing to" in lines[0], done.stderr
    assert snapshot(folder) == before


def test_the_lock_is_free_again_after_a_presenting_command(fake_copy):  # noqa: F811
    done = sigsat("index", "--out", str(fake_copy), "-q", "tiny", timeout=120)
    assert done.returncode == 0, done.stderr
    with open(fake_copy / ".tiny.lock", "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)  # raises if a command left it held
