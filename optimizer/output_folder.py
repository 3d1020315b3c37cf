"""``--out`` paths: checked before any solve, written whole in a temporary sibling, swapped in.

Rules (docs/sourcing-format.md and docs/routing-format.md, "Outputs"):

- An output **folder** must be absent, empty, or a folder an earlier run of the same kind
  wrote (recognised by its marker file: ``plan.json`` for a plan, ``frontier.json`` for a
  frontier, the required tables for an instance written as a CSV folder). A folder holding
  anything else is refused: it is replaced as a whole, and other files of the user would go.
- An output (folder or file) that is, or holds, an input of the run is refused.
- The nearest existing ancestor must be a writable folder; a path through a file, a name too
  long or with a NUL byte, is refused. All these refusals are :class:`InputError` (exit 2),
  raised before the run reads or solves anything.
- The run writes everything into a hidden sibling ``.<name>.<random>.partial`` and then swaps
  it in: the old folder is renamed away, the new one renamed into place, the old one deleted.
  An interruption (Ctrl-C, kill -9, a full disk) therefore leaves either the old folder or the
  new one, never a mix; at most a hidden ``.partial`` / ``.old`` sibling remains after kill -9.
- Files and folders get the user's normal permissions (``0666`` / ``0777`` less the umask).
- An :class:`OSError` while writing becomes :class:`OutputError` (exit 6) naming the path.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import stat
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from optimizer.atomic import file_mode, folder_mode
from optimizer.errors import InputError, OutputError

#: Marker files by which an earlier result folder is recognised.
PLAN_MARKERS = ("plan.json",)
FRONTIER_MARKERS = ("frontier.json",)


def _resolved(path: Path) -> Path:
    return Path(os.path.abspath(path)).resolve()


def _overlaps(out: Path, inputs: Iterable[Path | str]) -> Path | None:
    """The first input that ``out`` is or holds."""
    target = _resolved(out)
    for item in inputs:
        source = _resolved(Path(item))
        if source == target or source.is_relative_to(target):
            return Path(item)
    return None


def _check_path(out: Path) -> None:
    """The parts of a path that make it unusable whatever it is for."""
    text = os.fspath(out)
    if "\0" in text:
        raise InputError([f"{text!r}: not a valid path (it holds a NUL byte)"])
    if not text.strip():
        raise InputError(["--out: the path is empty"])
    absolute = Path(os.path.abspath(out))
    try:
        limit = os.pathconf(_existing_ancestor(absolute), "PC_NAME_MAX")
    except (OSError, ValueError):
        limit = 255
    for part in absolute.parts[1:]:
        if len(os.fsencode(part)) > limit - 24:  # leave room for the .partial sibling's name
            raise InputError([f"{out}: not a valid path (the name {part[:40]!r}... is longer "
                              f"than {limit - 24} bytes)"])
    # The output itself (an earlier result) is replaced, so its parent is what must be usable.
    ancestor = _existing_ancestor(absolute.parent)
    if not ancestor.is_dir():
        raise InputError([f"{out}: cannot be created: {ancestor} is a file, not a folder"])
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise InputError([f"{out}: cannot be written: the folder {ancestor} is not writable"])
    try:  # a real probe: read-only file systems and ACLs that os.access does not see
        probe = tempfile.mkdtemp(prefix=".probe-", dir=ancestor)
        os.rmdir(probe)
    except OSError as exc:
        raise InputError([f"{out}: cannot be written in {ancestor}: "
                          f"{exc.strerror or exc}"]) from None


def _existing_ancestor(path: Path) -> Path:
    for candidate in (path, *path.parents):
        if os.path.lexists(candidate):
            return candidate
    return Path("/")


def check_output_folder(out: Path | str, inputs: Iterable[Path | str] = (),
                        markers: tuple[str, ...] = PLAN_MARKERS) -> Path:
    """Check an output folder before the run (see the module rules); :class:`InputError`
    (exit 2) names the path and what is wrong. Returns ``out`` as a :class:`Path`."""
    out = Path(out)
    _check_path(out)
    if (source := _overlaps(out, inputs)) is not None:
        raise InputError([f"{out}: the output folder is or holds the input {source}; "
                          f"choose another --out (it would be replaced)"])
    if out.is_symlink():
        raise InputError([f"{out}: is a symbolic link; give the folder it points to (the "
                          f"output replaces the path as a whole)"])
    if out.exists():
        if not out.is_dir():
            raise InputError([f"{out}: --out must be a folder, and this is a file"])
        _check_replaceable(out, markers)
    return out


def check_output_file(out: Path | str, inputs: Iterable[Path | str] = ()) -> Path:
    """Check an output file (a JSON or Excel instance) before the run: not an input, not a
    folder, in a writable folder. Returns ``out`` as a :class:`Path`."""
    out = Path(out)
    _check_path(out)
    if (source := _overlaps(out, inputs)) is not None:
        raise InputError([f"{out}: the output is the input {source}; choose another path"])
    if out.is_dir():
        raise InputError([f"{out}: is a folder; give a file name"])
    if os.path.lexists(out) and not (out.is_symlink() or stat.S_ISREG(os.lstat(out).st_mode)):
        raise InputError([f"{out}: exists and is not a regular file (a device, FIFO or "
                          f"socket); give a file name"])
    return out


def _check_replaceable(out: Path, markers: tuple[str, ...]) -> None:
    try:
        entries = [entry.name for entry in os.scandir(out)]
    except OSError as exc:
        raise InputError([f"{out}: cannot be read: {exc.strerror or exc}"]) from None
    if not entries or (markers and all((out / m).is_file() for m in markers)):
        return
    shown = ", ".join(sorted(entries)[:5]) + (", ..." if len(entries) > 5 else "")
    need = f" (no {' and '.join(markers)})" if markers else ""
    raise InputError([f"{out}: the folder holds other files ({shown}) and is not the result "
                      f"of an earlier run{need}; --out is replaced as a whole, so give "
                      f"a new or empty folder"])


def _output_error(out: Path, exc: OSError) -> OutputError:
    reason = exc.strerror or str(exc)
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        reason += " (no room left for the output)"
    where = f" ({exc.filename})" if exc.filename else ""
    return OutputError([f"{out}: could not be written: {reason}{where}; nothing was changed"])


@contextlib.contextmanager
def staged_folder(out: Path | str, inputs: Iterable[Path | str] = (),
                  markers: tuple[str, ...] = PLAN_MARKERS) -> Iterator[Path]:
    """Yield an empty temporary sibling of ``out`` to write into; on success it replaces
    ``out`` as a whole, on any error or interruption it is deleted and ``out`` is untouched.
    ``OSError`` becomes :class:`OutputError` naming ``out``."""
    out = check_output_folder(out, inputs, markers)
    parent = Path(os.path.abspath(out)).parent
    try:
        _make_folders(parent)
        stage = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".partial", dir=parent))
        os.chmod(stage, folder_mode())
    except OSError as exc:
        raise _output_error(out, exc) from None
    try:
        yield stage
        _swap_in(stage, out)
    except OSError as exc:
        shutil.rmtree(stage, ignore_errors=True)
        raise _output_error(out, exc) from None
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise


def _make_folders(folder: Path) -> None:
    """Create ``folder`` and missing parents with the user's normal permissions."""
    folder.mkdir(parents=True, exist_ok=True)  # mkdir applies the umask itself


def _swap_in(stage: Path, out: Path) -> None:
    """Rename ``out`` away (if present), ``stage`` into place, delete the old folder."""
    if not os.path.lexists(out):
        os.rename(stage, out)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".old", dir=stage.parent))
    os.rmdir(old)
    os.rename(out, old)
    try:
        os.rename(stage, out)
    except BaseException:
        os.rename(old, out)  # put the earlier result back
        raise
    shutil.rmtree(old, ignore_errors=True)


@contextlib.contextmanager
def staged_file(out: Path | str, inputs: Iterable[Path | str] = ()) -> Iterator[Path]:
    """Yield a temporary path beside the output file ``out``; on success it is renamed over
    ``out`` (with the user's normal permissions), else deleted."""
    out = check_output_file(out, inputs)
    parent = Path(os.path.abspath(out)).parent
    try:
        _make_folders(parent)
        fd, name = tempfile.mkstemp(prefix=f".{out.stem}.", suffix=f".partial{out.suffix}",
                                    dir=parent)
        os.close(fd)
        os.chmod(name, file_mode())
    except OSError as exc:
        raise _output_error(out, exc) from None
    tmp = Path(name)
    try:
        yield tmp
        os.replace(tmp, out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise _output_error(out, exc) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def is_folder_form(path: Path | str, form: str) -> bool:
    """True when an instance in ``form`` is written as a folder (CSV)."""
    return form == "csv"


@contextlib.contextmanager
def staged_output(out: Path | str, form: str, inputs: Iterable[Path | str] = (),
                  markers: tuple[str, ...] = ()) -> Iterator[Path]:
    """:func:`staged_folder` for a CSV folder, :func:`staged_file` for JSON and Excel."""
    if is_folder_form(out, form):
        with staged_folder(out, inputs, markers) as stage:
            yield stage
    else:
        with staged_file(out, inputs) as tmp:
            yield tmp


def check_output(out: Path | str, form: str, inputs: Iterable[Path | str] = (),
                 markers: tuple[str, ...] = ()) -> Path:
    """:func:`check_output_folder` for a CSV folder, :func:`check_output_file` otherwise."""
    if is_folder_form(out, form):
        return check_output_folder(out, inputs, markers)
    return check_output_file(out, inputs)
