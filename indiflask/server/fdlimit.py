"""The open-files limit a server needs for its clients.

Every client is one file descriptor, so a server allowing ``max_connections``
clients needs at least that many descriptors beyond the ones it uses itself
(drivers' pipes, log files, the listening sockets). :func:`ensure_fd_limit`
raises the process's soft limit towards the hard one at start, and logs when
even the hard limit is too small.
"""

from __future__ import annotations

import logging

try:
    import resource
except ImportError:  # pragma: no cover - not on Linux or macOS
    resource = None  # type: ignore[assignment]

__all__ = ["FD_RESERVE", "ensure_fd_limit"]

log = logging.getLogger("indiflask.server")

#: Descriptors kept for the server itself (drivers' pipes, logs, listeners).
FD_RESERVE = 64


def ensure_fd_limit(max_connections: int) -> int | None:
    """Make room for ``max_connections`` clients; returns the soft limit (None: unknown).

    The soft ``RLIMIT_NOFILE`` is raised (up to the hard limit) only when it
    is smaller than ``max_connections`` plus :data:`FD_RESERVE`; a warning says
    how many clients fit when even the hard limit is smaller.
    """
    if resource is None:
        return None
    want = max_connections + FD_RESERVE
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    except (OSError, ValueError):
        return None
    if soft != resource.RLIM_INFINITY and soft < want:
        target = want if hard == resource.RLIM_INFINITY else min(want, hard)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (OSError, ValueError) as exc:
            log.debug("cannot raise the open-files limit to %d: %s", target, exc)
    if soft != resource.RLIM_INFINITY and soft < want:
        log.warning(
            "the open-files limit is %d: about %d clients fit, not the %d that "
            "max_connections allows (raise it with 'ulimit -n')",
            soft,
            max(0, soft - FD_RESERVE),
            max_connections,
        )
    return int(soft)
