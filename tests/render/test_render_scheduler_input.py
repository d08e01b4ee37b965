"""A Dask scheduler address that is bad, or points at a service that is not Dask, and a timeout
that is no number of seconds: one line, exit 2, within --scheduler-timeout (and a little grace)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest

from tests.render.conftest import FAKE, fake_env, sigsat

RENDER = ("render", *FAKE, "-q", "tiny", "--voice", "none", "--only", "alpha", "--executor", "dask")


@pytest.fixture(params=["silent", "http"])
def not_dask(request: pytest.FixtureRequest) -> Iterator[str]:
    """A TCP service that accepts and never answers, or answers as a web server does."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    stop = threading.Event()
    held = []

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            held.append(conn)
            if request.param == "http":
                conn.sendall(b"HTTP/1.0 400 Bad Request\r\nContent-Length: 0\r\n\r\n" * 64)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"tcp://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


def test_a_service_that_is_not_dask_is_given_up_within_the_timeout(tmp_path, not_dask):
    started = time.monotonic()
    done = sigsat(*RENDER, "--scheduler", not_dask, "--scheduler-timeout", "3", "--out", str(tmp_path / "o"),
                  env=fake_env(), timeout=60)
    took = time.monotonic() - started
    assert done.returncode == 2, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert not_dask in done.stderr
    assert took < 3 + 15, took  # the timeout, the grace, and starting Python twice


@pytest.mark.parametrize("address", ["tcp://[::1", "tcp://host:99999", "http://", "::::"])
def test_an_address_that_is_none_is_one_line(tmp_path, address):
    done = sigsat(*RENDER, "--scheduler", address, "--scheduler-timeout", "2", "--out", str(tmp_path / "o"),
                  env=fake_env(), timeout=60)
    assert done.returncode == 2, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "Exception ignored" not in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("seconds", ["inf", "nan", "-1", "0", "1e9"])
def test_a_timeout_that_is_no_number_of_seconds_is_one_line(tmp_path, seconds):
    done = sigsat(*RENDER, "--scheduler", "tcp://127.0.0.1:1", "--scheduler-timeout", seconds,
                  "--out", str(tmp_path / "o"), env=fake_env(), timeout=60)
    assert done.returncode == 2, done.stderr
    assert "--scheduler-timeout" in done.stderr and "Traceback" not in done.stderr
