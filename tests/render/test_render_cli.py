"""The command line without rendering: help, list, params, and bad input (one line, status 2,
nothing written)."""

from __future__ import annotations

import json
import os
import threading
import time
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from sigsat.cli import main
from sigsat.outputs import locked
from sigsat_math.params import DEFAULTS, load, specs


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("command", [[], ["render"], ["list"], ["params"]])
def test_every_command_has_help(command):
    code, out, _ = invoke(*command, "--help")
    assert code == 0 and "Usage: " in out


def test_render_help_names_every_option():
    _, out, _ = invoke("render", "--help")
    for option in ("--quality", "--params", "--set", "--only", "--theme", "--format",
                   "--transparent", "--jobs", "--out", "--quiet", "preview", "hd", "4k"):
        assert option in out


BAD = [
    (["render", "--only", "nope"], "unknown chapter 'nope'; known: learning_goal, ball_on_surfaces, sigmoid_curves"),
    (["render", "--set", "problem9.z=1"], "unknown parameter 'problem9.z'"),
    (["render", "--set", "problem1.z=99"], ": must be a number in [-12, 12]"),
    (["render", "--set", "problem1.z"], "expected key=value"),
    (["render", "--set", "experiment.init=magic"], "experiment.init = 'magic': must be one of"),
    (["render", "--quality", "ultra"], "'ultra' is not one of 'preview', 'hd', '4k'"),
    (["--quality", "ultra"], "'ultra' is not one of 'preview', 'hd', '4k'"),
    (["render", "--theme", "pink"], "'pink' is not one of 'dark', 'light'"),
    (["render", "--format", "avi"], "'avi' is not one of 'mp4', 'webm', 'gif', 'mov'"),
    (["render", "--transparent", "--format", "gif"], "--format gif has no transparency"),
    (["render", "--transparent", "--format", "mp4"], "--format mp4 has no transparency"),
    (["render", "--jobs", "0"], "0 is not in the range x>=1"),
    (["render", "--params", "no-such-file.toml"], "params file 'no-such-file.toml' not found"),
    (["params", "--set", "layers.count=1"], "layers.count = 1: must be an integer in [2, 10]"),
    (["render", "--bogus"], "No such option '--bogus'"),
    (["render", "--set", 'lesson.title=""'], "lesson.title = '': must not be empty"),
    (["render", "--set", 'lesson.goal="   "'], "lesson.goal = '   ': must not be empty"),
    (["render", "--set", 'lesson.title="中文标题"'],
     "lesson.title = '中文标题': '中' (U+4E2D) cannot be shown or said"),
    (["render", "--set", 'lesson.author="محمد"'], "lesson.author = 'محمد': 'م' (U+0645) cannot be shown or said"),
    (["render", "--set", 'lesson.title="bidi \u202e trick"'], "(U+202E) cannot be shown or said"),
]


@pytest.mark.parametrize(("args", "message"), BAD, ids=[" ".join(a) for a, _ in BAD])
def test_bad_input_is_one_line_and_status_2(tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    code, out, err = invoke(*args, *(["--out", "o"] if args[0] != "params" else []))
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert message in lines[0]
    assert list(tmp_path.iterdir()) == []  # no output folder, no cache


def test_malformed_params_file(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[problem1]\nz = = 4\n")
    code, _, err = invoke("render", "--params", str(bad), "--out", str(tmp_path / "o"))
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "is not valid TOML" in err
    assert not (tmp_path / "o").exists()


def test_params_prints_the_effective_parameters_as_toml(tmp_path):
    file = tmp_path / "p.toml"
    file.write_text("[problem1]\nz = 3\n[problem2]\nlayers = 8\n")
    code, out, err = invoke("params", "--params", str(file), "--set", "problem1.z=4",
                            "--theme", "light")
    assert code == 0 and err == ""
    data = tomllib.loads(out)
    assert data["problem1"]["z"] == 4.0 and data["problem2"]["layers"] == 8
    assert data["theme"] == "light"
    assert load(_write(tmp_path / "back.toml", out)) == load(None, ["problem1.z=4",
                                                                    "problem2.layers=8",
                                                                    "theme=light"])


def test_params_comments_say_what_each_key_allows():
    code, out, _ = invoke("params", "--comments")
    assert code == 0
    assert tomllib.loads(out)["problem1"]["z"] == DEFAULTS.problem1.z
    assert "z = 5.0  # a number in [-12, 12]" in out
    commented = [line for line in out.splitlines() if " = " in line and "#" in line]
    assert len(commented) == len(specs())


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_list_names_the_chapters_in_order_with_what_they_read():
    import scenes

    code, out, _ = invoke("list", "--json")
    assert code == 0
    rows = json.loads(out)
    assert [r["slug"] for r in rows] == [c.slug for c in scenes.CHAPTERS]
    by_slug = {r["slug"]: r for r in rows}
    assert by_slug["sigmoid_curves"]["reads"] == ["curves.inclusive", "curves.threshold",
                                                  "curves.z_max", "problem1.z"]
    assert "problem1.z" in by_slug["problem1_sigma_prime"]["reads"]
    for r in rows:
        assert (r["reads"] is None) == ("error" in r)
    code, table, _ = invoke("list")
    assert code == 0 and "sigmoid_curves" in table and "curves.z_max" in table


def test_a_second_render_into_a_busy_folder_refuses(tmp_path):
    out = tmp_path / "out"
    with locked(out / "tiny", wait=False):
        code, _, err = invoke("render", "-q", "tiny", "--only", "sigmoid_curves", "--out", str(out))
    assert code == 2
    assert err.strip() == (f"Error: another render is writing to {out / 'tiny'}; wait for it "
                           "(--wait) or use another --out")
    assert sorted(p.name for p in out.iterdir()) in ([".tiny.lock"], [".cache", ".tiny.lock"])
    assert not (out / ".cache").exists() or list((out / ".cache").iterdir()) == []


def test_wait_waits_for_the_lock(tmp_path):
    folder = tmp_path / "tiny"
    got = []

    def second() -> None:
        with locked(folder, wait=True):
            got.append(time.monotonic())

    with locked(folder, wait=False):
        thread = threading.Thread(target=second)
        thread.start()
        time.sleep(0.3)
        assert got == []
        released = time.monotonic()
    thread.join(5)
    assert got and got[0] >= released


class _Stop(Exception):
    pass


@pytest.fixture
def captured(monkeypatch):
    """The render Options the command line builds (the render itself is not run)."""
    from sigsat import batches

    seen = []

    def render_one(options, executor=None):
        seen.append(options)
        raise _Stop

    monkeypatch.setattr(batches, "render_one", render_one)
    return seen


@pytest.mark.parametrize(("args", "quality"), [([], "hd"), (["render"], "hd"),
                                               (["--quality", "preview"], "preview")])
def test_no_command_is_render_at_hd_with_the_defaults(captured, args, quality):
    import os

    import scenes

    result = CliRunner().invoke(main, args)
    assert isinstance(result.exception, _Stop)
    (o,) = captured
    assert (o.quality.name, o.fmt, o.transparent, o.out, o.params) == (quality, "mp4", False,
                                                                       Path("out"), DEFAULTS)
    assert [c.slug for c in o.chapters] == [c.slug for c in scenes.CHAPTERS]
    assert o.jobs == len(os.sched_getaffinity(0))
    if quality == "hd":
        assert (o.quality.width, o.quality.height, o.quality.fps) == (1920, 1080, 30)


def test_theme_is_sugar_for_set_theme_and_transparent_means_mov(captured):
    CliRunner().invoke(main, ["render", "--theme", "light", "--transparent"])
    assert captured[0].params == load(None, ["theme=light"]) and captured[0].fmt == "mov"


def test_a_params_file_that_is_not_a_regular_file_is_refused(tmp_path):
    fifo = tmp_path / "params.fifo"
    os.mkfifo(fifo)
    for path, kind in ((fifo, "a FIFO"), (tmp_path, "a folder")):
        code, _, err = invoke("render", "--params", str(path), "--out", str(tmp_path / "o"))
        assert code == 2 and len(err.strip().splitlines()) == 1, err
        assert f"params file {str(path)!r} is {kind}, not a regular file" in err
    assert not (tmp_path / "o").exists()


def test_a_params_file_with_a_byte_order_mark_is_read(tmp_path):
    bom = tmp_path / "bom.toml"
    bom.write_bytes(b"\xef\xbb\xbf[problem1]\nz = 3\n")
    code, out, err = invoke("params", "--params", str(bom))
    assert code == 0, err
    assert tomllib.loads(out)["problem1"]["z"] == 3.0


def test_ctrl_c_while_the_parameters_load_exits_130(monkeypatch):
    from sigsat import commons

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(commons, "load", interrupted)
    with pytest.raises(SystemExit) as stopped:
        main.main(["params"])
    assert stopped.value.code == 130


def _readme_only_examples() -> list[list[str]]:
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    found = []
    for line in readme.splitlines():
        command = line.split("#", 1)[0].split()
        if "render" in command and "--only" in command:
            found.append(command[command.index("render"):])
    return found


def test_the_readme_only_examples_work(captured):
    examples = _readme_only_examples()
    assert examples
    for command in examples:
        result = CliRunner().invoke(main, command)
        assert isinstance(result.exception, _Stop), (command, result.output)
    assert [c.slug for c in captured[0].chapters] == ["sigmoid_curves", "problem1_sigma_prime"]
