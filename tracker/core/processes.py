"""Processes of this machine named in the database ("host:pid…"), so a lease or a parse held by a killed one is
known to be no one's."""

from __future__ import annotations

import os
import socket

HOST = socket.gethostname()


def holder_name(pid: int | None = None) -> str:
    """This machine and a process of it: "host:pid"."""
    return f"{HOST}:{pid if pid is not None else os.getpid()}"


def process_gone(holder: str) -> bool:
    """Whether ``holder`` ("host:pid" or "host:pid:more") was a process of this machine that no longer runs (killed,
    or ended and not yet reaped by its parent). Another machine's process is never said to be gone."""
    host, _, rest = holder.partition(":")
    pid = rest.partition(":")[0]
    if host != HOST or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # alive, another user's
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            return stat.read().rpartition(")")[2].split()[0] == "Z"  # a zombie: ended, waiting for its parent
    except (OSError, IndexError):
        return False
