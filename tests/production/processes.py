"""The processes a process started, read from /proc: for the fault tests, which kill a worker whole."""

from __future__ import annotations

from pathlib import Path


def children(parent: int) -> list[tuple[int, str]]:
    """(pid, command name) of every process whose parent is `parent`."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            command, rest = stat.read_text().rsplit(")", 1)
            if int(rest.split()[1]) == parent:
                found.append((int(stat.parent.name), command.split("(", 1)[1]))
        except (OSError, IndexError, ValueError):
            continue  # ended while we read
    return found
