"""The ``optimizer`` command line. Subcommands are grouped by problem."""

from __future__ import annotations

import atexit
import contextlib
import os
import sys
from importlib.metadata import version
from typing import Annotated

from models.search_processes import warm_up_searches

if sys.argv[1:3] == ["routing", "solve"] and "--solution-limit" not in sys.argv:
    # the search processes' fork server imports the program while this process does: a
    # timed solve's search starts as soon as the instance is read (the limit counts start-up)
    warm_up_searches(("optimizer.cli",))

import typer
from typer.rich_utils import rich_format_error

from optimizer.cli import batch, network, plan, routing, serve, sourcing
from optimizer.cli.common import (
    err_console,
    json_mode,
    json_mode_scope,
    print_error_json,
)
from optimizer.errors import MAX_LISTED_PROBLEMS, ExitCode, InputError, OutputError

app = typer.Typer(
    help="Supply network optimiser: sourcing, routing and network design.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(sourcing.app, name="sourcing")
app.add_typer(routing.app, name="routing")
app.add_typer(network.app, name="network")
app.add_typer(plan.app, name="plan")
app.command("serve")(serve.serve)
app.command("batch")(batch.batch_command)


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"optimizer {version('supply-network-optimizer')}")
        raise typer.Exit()


@app.callback()
def _root(
    show_version: Annotated[bool, typer.Option(
        "--version", callback=_show_version, is_eager=True, help="Show the version and exit.",
    )] = False,
) -> None:
    """Supply network optimiser: sourcing, routing and network design."""


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code.

    Bad input gives code 2 and one line per problem (file, record, field), never a traceback.
    With ``--json`` every failure is also one error object on stdout (``{"code", "error",
    "problems"}``), a usage error too.
    """
    argv = plan.with_default_command(list(sys.argv[1:] if argv is None else argv))
    wants_json = _wants_json(argv)
    with json_mode_scope():
        try:
            # with --json a usage error comes back here, to be printed as an error object too
            code = app(args=argv, prog_name="optimizer", standalone_mode=not wants_json)
        except SystemExit as exc:
            code = exc.code
            return code if isinstance(code, int) else (0 if code is None else 1)
        except typer.TyperException as exc:  # a usage error; only with --json
            rich_format_error(exc)
            print_error_json(exc.exit_code, "invalid usage", [exc.format_message()])
            return exc.exit_code
        except typer.Abort:
            err_console.print("Aborted!")
            return 1
        except InputError as exc:
            return _failed(ExitCode.INVALID_INPUT, "invalid input", exc.problems)
        except OutputError as exc:
            return _failed(ExitCode.OUTPUT_FAILED, "cannot write the output", exc.problems)
        except Exception as exc:  # a bug: say so plainly, keep the traceback for debugging
            if os.environ.get("OPTIMIZER_DEBUG"):
                raise
            err_console.print(f"[bold red]internal error:[/] {type(exc).__name__}: {exc}\n"
                              "Run again with OPTIMIZER_DEBUG=1 for the traceback, and please "
                              "report it.", highlight=False)
            if json_mode():
                print_error_json(ExitCode.INTERNAL_ERROR, "internal error",
                                 [f"{type(exc).__name__}: {exc}"])
            return int(ExitCode.INTERNAL_ERROR)
    return code if isinstance(code, int) else int(ExitCode.OK)


def _wants_json(argv: list[str]) -> bool:
    """True when ``--json`` is among the options (before a ``--``)."""
    return "--json" in (argv[:argv.index("--")] if "--" in argv else argv)


def _failed(code: ExitCode, title: str, problems: list[str]) -> int:
    """List the problems on stderr (and the error object on stdout with ``--json``)."""
    _list_problems(title, problems)
    if json_mode():
        print_error_json(code, title, problems)
    return int(code)


def _list_problems(title: str, problems: list[str]) -> None:
    """The first :data:`MAX_LISTED_PROBLEMS` problems, one per line, and a count of the rest."""
    err_console.print(f"[bold red]{title}[/] ({len(problems)} problem(s)):", highlight=False)
    for problem in problems[:MAX_LISTED_PROBLEMS]:
        err_console.print(f"  {problem}", highlight=False, markup=False, soft_wrap=True)
    if len(problems) > MAX_LISTED_PROBLEMS:
        err_console.print(f"  ... and {len(problems) - MAX_LISTED_PROBLEMS} more problem(s)",
                          highlight=False, markup=False)


def run() -> None:
    """Console-script entry point. Ends the process once the exit handlers have run, without
    the interpreter's tear-down of every loaded module (0.5-1 s with the solvers and pandas
    loaded, which would count against a solve's time limit)."""
    code = main()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code if isinstance(code, int) else 1)
