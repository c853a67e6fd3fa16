"""What the Ray driver (pipeline/ray.py) needs to reach its cluster: a Ray head that answers, and the queue its
workers report progress through. Ray is imported by the caller: nothing here imports it."""

from __future__ import annotations

from momentsearch.errors import MomentSearchError


def _progress_queue(ray):
    """A queue the workers put their progress within a file into (an actor that takes no CPU); None when Ray
    cannot make one (the bars then move as files end)."""
    try:
        from ray.util.queue import Queue

        return Queue(actor_options={"num_cpus": 0})
    except Exception:  # progress is a nicety, never a reason to fail a batch
        return None


REACH_SECONDS = 5.0  # a Ray head that does not accept a connection in this time is taken as not there


def _check_reachable(address: str) -> None:
    """A MomentSearchError when nothing accepts a TCP connection at a Ray address ("HOST:6379",
    "ray://HOST:10001"); "auto" and other forms are left to Ray."""
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(address if "://" in address else f"ray://{address}")
    try:
        host, port = parts.hostname, parts.port
    except ValueError:  # a port that is not a number: Ray says what is wrong with it
        return
    if not host or port is None or address == "auto":
        return
    try:
        socket.create_connection((host, port), timeout=REACH_SECONDS).close()
    except OSError as exc:
        raise MomentSearchError(f"cannot join Ray at {address}: nothing answers at {host}:{port} ({exc}); "
                                "start the head there (ray start --head), or use --ray alone for a local "
                                "instance") from exc
