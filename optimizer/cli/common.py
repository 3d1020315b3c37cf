"""What every command shares: the consoles and the way a command fails."""

from __future__ import annotations

from typing import NoReturn

import typer
from rich.console import Console

from optimizer.errors import ExitCode

console = Console()
err_console = Console(stderr=True)


def fail(code: ExitCode, message: str) -> NoReturn:
    """Print ``message`` on stderr and exit with ``code``."""
    err_console.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(int(code))
