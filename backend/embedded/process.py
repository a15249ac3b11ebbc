"""Child processes that never outlive the process that started them.

The demo's servers and workers are children of `manage.py demo` (or of a test). Each
runs in a process group of its own, so that Ctrl-C reaches only the parent, which then
stops them in order; and on Linux each is told to stop (SIGTERM) if the parent dies
without doing so (`kill -9`, a test run cut short), so no worker is left holding the
database or a port.
"""

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from typing import Any

_PR_SET_PDEATHSIG = 1
_prctl: Callable[..., int] | None = None
if sys.platform == "linux":
    # Resolved here, not in the child: between fork and exec the child runs only this call.
    _prctl = ctypes.CDLL(None, use_errno=True).prctl


def _die_with_parent() -> None:
    if _prctl is not None:
        _prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def popen(argv: list[str], **kwargs: Any) -> subprocess.Popen[str]:
    """Start `argv` in a process group of its own, stopped by Linux if we die first."""
    return subprocess.Popen(  # noqa: S603 - our own interpreter and programs, no shell
        argv, process_group=0, preexec_fn=_die_with_parent, text=True, **kwargs
    )


def stop(process: subprocess.Popen[str], *, timeout: float = 30) -> None:
    """SIGTERM (a Celery worker finishes the tasks it holds), then SIGKILL after
    `timeout`; then whatever is left of its process group (a worker's pool) goes too."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    with contextlib.suppress(ProcessLookupError, PermissionError):  # the group is empty
        os.killpg(process.pid, signal.SIGKILL)
