"""Finding ffmpeg and ffprobe, and running them with a timeout so a hung process never blocks a worker.

Commands are built with ffmpeg-python (``ffmpeg.get_args``); its own ``run()`` has no timeout, so
they are run here with ``subprocess`` and killed when they take too long.
"""

from __future__ import annotations

import ctypes
import functools
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import ffmpeg as ffmpeg_python

from archive.jobs.reasons import MESSAGES
from archive.jobs.reasons import failure as failed
from archive.media.errors import MediaError

# Every process gets at least this long, whatever the film's length: start-up, probing, seeking.
MIN_TIMEOUT = 60.0
GLOBAL_ARGS = ("-nostdin", "-hide_banner", "-y")
_STDERR_TAIL = 40


@dataclass(frozen=True)
class Tools:
    """Paths of the binaries to run; ``ffprobe`` is None when only ffmpeg is available."""

    ffmpeg: str
    ffprobe: str | None = None


@dataclass(frozen=True)
class Result:
    """What a finished process left behind: its exit status and the last lines it wrote to stderr."""

    returncode: int
    stderr_tail: list[str]


def _executable(path: str) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)


def find_tools(ffmpeg: str | None = None, ffprobe: str | None = None) -> Tools:
    """Locate ffmpeg and ffprobe: the given paths, else the system's on PATH, else the pip-installed ffmpeg."""
    if ffmpeg:
        if not _executable(ffmpeg):
            raise failed(MediaError, "tool_not_at_path", tool="ffmpeg", path=ffmpeg)
        ffmpeg_path = ffmpeg
    else:
        ffmpeg_path = shutil.which("ffmpeg") or _pip_ffmpeg()
        if not ffmpeg_path:
            raise failed(MediaError, "no_ffmpeg")
    if ffprobe:
        if not _executable(ffprobe):
            raise failed(MediaError, "tool_not_at_path", tool="ffprobe", path=ffprobe)
        return Tools(ffmpeg_path, ffprobe)
    # An ffprobe beside the chosen ffmpeg matches its version; then PATH; else probe through `ffmpeg -i`.
    sibling = os.path.join(os.path.dirname(ffmpeg_path), "ffprobe")
    if _executable(sibling):
        return Tools(ffmpeg_path, sibling)
    return Tools(ffmpeg_path, None if ffmpeg else shutil.which("ffprobe"))


def _pip_ffmpeg() -> str | None:
    try:
        import imageio_ffmpeg
    except ImportError:
        return None
    try:
        return imageio_ffmpeg.get_ffmpeg_exe()
    except RuntimeError:
        return None


@functools.cache
def default_tools() -> Tools:
    """The tools found with no configured paths, looked up once per process."""
    return find_tools()


def timeout_for(duration: float | None, speed: float) -> float:
    """Seconds to allow a process over a film of ``duration`` that should run at least ``speed``× real time."""
    return MIN_TIMEOUT + (duration or 0.0) / speed


def command(stream, tools: Tools, *extra_global: str) -> list[str]:
    """The full command line for an ffmpeg-python output stream, with global options first."""
    return [tools.ffmpeg, *GLOBAL_ARGS, *extra_global, *ffmpeg_python.get_args(stream)]


def run(
    args: Sequence[str],
    timeout: float,
    *,
    failure: str,
    failure_values: dict | None = None,
    on_stdout_line: Callable[[str], None] | None = None,
    on_stderr_line: Callable[[str], None] | None = None,
    check: bool = True,
) -> Result:
    """Run ffmpeg or ffprobe, killing it after ``timeout`` seconds; raise a ``MediaError`` when it fails.

    ``failure`` is the step's message key in ``jobs.reasons.MESSAGES`` (``failure_values`` the values
    it names): the error says it, then ffmpeg's own last error line, or that the time ran out.
    """
    if failure not in MESSAGES:  # a mistyped step fails where it is written, not only when ffmpeg does
        raise ValueError(f"no job failure message for the step {failure!r}")
    values = failure_values or {}
    name = os.path.basename(args[0])
    try:
        process = subprocess.Popen(  # noqa: S603 - arguments are a list built by us, never a shell string
            list(args),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE if on_stdout_line else subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            errors="replace",
            start_new_session=True,  # its own process group, so a kill also stops anything it started
            preexec_fn=_die_with_parent(),  # noqa: PLW1509 - only a prctl call, prepared before the fork
        )
    except FileNotFoundError as exc:
        raise failed(MediaError, "tool_missing", tool=_tool_name(name), path=args[0]) from exc
    except PermissionError as exc:
        raise failed(MediaError, "tool_not_executable", tool=_tool_name(name), path=args[0]) from exc

    tail: deque[str] = deque(maxlen=_STDERR_TAIL)
    readers = [threading.Thread(target=_pump, args=(process.stderr, tail, on_stderr_line), daemon=True)]
    if on_stdout_line:
        readers.append(threading.Thread(target=_pump, args=(process.stdout, None, on_stdout_line), daemon=True))
    for reader in readers:
        reader.start()
    started = time.monotonic()
    try:
        returncode = process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill(process)
        raise failed(MediaError, "timeout", **values, step=failure, tool=_tool_name(name),
                     seconds=round(timeout)) from None
    finally:
        if process.poll() is None:  # interrupted from outside: never leave an orphan behind
            _kill(process)
        for reader in readers:
            reader.join(timeout=max(1.0, timeout - (time.monotonic() - started)))
    result = Result(returncode, list(tail))
    if check and returncode != 0:
        raise failed(MediaError, failure, detail=last_error_line(result.stderr_tail, args), **values)
    return result


def collect_out_time(line: str, into: list[float]) -> None:
    """Add the seconds of an ``out_time_us=`` line of ``-progress`` output to ``into`` (other lines: nothing)."""
    if line.startswith("out_time_us=") and line[12:].strip().lstrip("-").isdigit():
        into.append(max(0, int(line[12:])) / 1e6)


def encode(
    args: Sequence[str],
    partial: str,
    target: str,
    *,
    duration: float | None,
    timeout: float,
    failure: str,
    progress: Callable[[float], None] | None = None,
) -> str:
    """Run one encode that writes ``partial`` (a file, or a folder it fills) and move it to ``target`` when it succeeds.

    ``args`` must ask for ``-progress pipe:1`` when there is a ``progress`` callback: it gets the
    share of ``duration`` written so far, 0 to 100. ``target`` appears whole, by one rename (a folder
    already there is replaced), or not at all; ``partial`` is gone afterwards either way.
    """

    def on_stdout(line: str) -> None:
        times: list[float] = []
        collect_out_time(line, times)
        if times and duration and progress:
            progress(max(0.0, min(100.0, times[0] * 100 / duration)))

    try:
        run(args, timeout, failure=failure, on_stdout_line=on_stdout if progress else None)
        if os.path.isdir(partial) and os.path.isdir(target):
            shutil.rmtree(target)
        os.replace(partial, target)
    finally:
        if os.path.isdir(partial):
            shutil.rmtree(partial, ignore_errors=True)
        elif os.path.lexists(partial):
            os.remove(partial)
    return target


PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


@functools.cache
def _libc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None


def _die_with_parent() -> Callable[[], None] | None:
    """A pre-exec step that has the kernel SIGKILL the child when the thread that started it dies.

    A worker killed with SIGKILL runs no cleanup, so without this its ffmpeg would keep encoding
    as an orphan. The kernel ties the signal to the starting *thread*: fine here, since the thread
    that starts ffmpeg waits for it. Linux only; elsewhere the timeout and process group remain.
    """
    libc = _libc()
    if libc is None:
        return None
    prctl = libc.prctl
    parent = os.getpid()

    def arrange() -> None:
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before the request took effect
            os._exit(1)

    return arrange


def _kill(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()


def _tool_name(name: str) -> str:
    return "ffprobe" if "ffprobe" in name else "ffmpeg"


def _pump(stream, tail: deque[str] | None, callback: Callable[[str], None] | None) -> None:
    for line in stream:
        line = line.rstrip("\r\n")
        if tail is not None:
            tail.append(line)
        if callback:
            callback(line)
    stream.close()


# Lines that say only that something failed, not what: the line before them is the useful one.
_GENERIC = ("Conversion failed!", "Error opening output files", "Exiting normally", "Press [q]")


def last_error_line(lines: Sequence[str], args: Sequence[str] = ()) -> str:
    """The last line of ffmpeg's stderr that explains the failure, with local paths reduced to file names."""
    for line in reversed(lines):
        text = line.strip()
        if not text or text.startswith(_GENERIC) or text.startswith("[showinfo"):
            continue
        for arg in args:
            if os.path.isabs(arg) and arg in text:
                text = text.replace(arg, os.path.basename(arg))
        return text
    return "no explanation was given"
