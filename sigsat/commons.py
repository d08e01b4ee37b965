"""Options shared by commands, as decorators, and the one-line usage error."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from sigsat_math.params import ParamError, Params, load, specs

if TYPE_CHECKING:
    from .executors import Executor

F = TypeVar("F", bound=Callable[..., Any])


class UsageProblem(click.ClickException):
    """Bad input from the command line or a params file: one line, exit status 2."""

    exit_code = 2


def params_options(func: F) -> F:
    """--params FILE, --set key=value (repeatable), --theme."""
    theme_choices = specs()["theme"].choices
    func = click.option(
        "--theme", type=click.Choice(theme_choices), default=None,
        help="The colour theme (the same as --set theme=...).")(func)
    func = click.option(
        "--set", "overrides", multiple=True, metavar="KEY=VALUE",
        help="Set one parameter, e.g. --set problem1.z=4 (repeatable; wins over --params).")(func)
    func = click.option(
        "--params", "params_file", metavar="FILE", default=None,
        help="A TOML file of parameters (see `sigsat params`); defaults for what it leaves out.")(func)
    return func


def effective_params(params_file: str | None, overrides: tuple[str, ...], theme: str | None) -> Params:
    """Defaults, then the file, then --set, then --theme; a bad one is a UsageProblem."""
    items = [*overrides, *([f"theme={theme}"] if theme else [])]
    try:
        return load(params_file, items)
    except ParamError as e:
        raise UsageProblem(str(e)) from None


def registry_option(func: F) -> F:
    """--registry PACKAGE (hidden): the package whose CHAPTERS are the lecture (tests use it)."""
    from .chapters import DEFAULT_REGISTRY

    return click.option("--registry", "registry_package", default=DEFAULT_REGISTRY, hidden=True)(func)


SCHEDULER_TIMEOUT_MAX = 3600.0  # seconds; longer is a typo, and inf or nan no time at all


def _timeout(ctx: click.Context, param: click.Parameter, value: float) -> float:
    """A finite number of seconds (click's FloatRange lets inf and nan through)."""
    if not math.isfinite(value) or not 0 < value <= SCHEDULER_TIMEOUT_MAX:
        raise click.BadParameter(f"{value!r} is not a number of seconds in (0, {SCHEDULER_TIMEOUT_MAX:g}]")
    return value


def executor_options(func: F) -> F:
    """--executor local|dask, --scheduler ADDRESS (or $DASK_SCHEDULER_ADDRESS), --scheduler-timeout."""
    from .executors import CONNECT_TIMEOUT

    func = click.option(
        "--scheduler-timeout", type=float, callback=_timeout, default=CONNECT_TIMEOUT,
        show_default=True, metavar="SECONDS",
        help="How long to try to reach the Dask scheduler (and find a worker) before giving up.")(func)
    func = click.option(
        "--scheduler", metavar="ADDRESS", envvar="DASK_SCHEDULER_ADDRESS", default=None,
        help="The Dask scheduler for --executor dask, e.g. tcp://HOST:8786 "
             "[default: $DASK_SCHEDULER_ADDRESS].")(func)
    func = click.option(
        "--executor", type=click.Choice(["local", "dask"]), default="local", show_default=True,
        help="Where chapter jobs run: local processes (--jobs at once), or a Dask cluster "
             "(needs pip install -e '.[cluster]').")(func)
    return func


def make_executor(kind: str, scheduler: str | None, jobs: int, timeout: float) -> Executor:
    """The executor asked for; connected within `timeout` seconds, else a UsageProblem."""
    from .dask_executor import connect
    from .executors import ExecutorError, LocalExecutor

    if kind == "local":
        return LocalExecutor(jobs)
    if not scheduler:
        raise UsageProblem("--executor dask needs --scheduler tcp://HOST:8786 (or DASK_SCHEDULER_ADDRESS)")
    try:
        return connect(scheduler, timeout)
    except ExecutorError as e:
        raise UsageProblem(str(e)) from None
