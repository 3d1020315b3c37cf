"""Atomic file output: write to a temporary file beside the target, then rename over it.

Files get the user's normal permissions: ``0666`` less the umask (a temporary file from
:func:`tempfile.mkstemp` is ``0600``, which colleagues on a shared drive could not read)."""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path


def umask() -> int:
    """The process umask (set and restored at once: the only portable way to read it)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def file_mode() -> int:
    """Mode of a new file: ``0666`` less the umask."""
    return 0o666 & ~umask()


def folder_mode() -> int:
    """Mode of a new folder: ``0777`` less the umask."""
    return 0o777 & ~umask()


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Call ``write(tmp)`` on a temporary path in ``path``'s folder, then rename it to ``path``.

    A crash or error leaves either the old file or nothing, never a half-written file. The file
    gets the user's normal permissions (``0666`` less the umask)."""
    path = Path(path)
    _refuse_special(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        os.chmod(tmp, file_mode())
        _refuse_special(path)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _refuse_special(path: Path) -> None:
    """Never rename over a device, FIFO or socket (as root, over /dev/full): only a regular
    file (or a link, which is replaced, not followed) is an earlier output."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    if not (stat.S_ISREG(mode) or stat.S_ISLNK(mode)):
        raise FileExistsError(17, "exists and is not a regular file", str(path))


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
