"""The process's resident memory, without psutil."""

from __future__ import annotations

import os
import sys

__all__ = ["resident_bytes"]


def resident_bytes() -> int | None:
    """Resident set size now (Linux: /proc/self/statm); elsewhere the peak from getrusage; None if unknown."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        pass
    try:
        import resource
    except ImportError:  # Windows
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024  # bytes on macOS, KiB elsewhere
