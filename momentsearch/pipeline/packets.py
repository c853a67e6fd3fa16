"""Decoding past the packets a decoder refuses.

One damaged packet in the middle of a recording (a bad sector, a bit flipped in a copy, a glitch in the
recorder) makes FFmpeg's decoder refuse that packet alone; PyAV's `container.decode` then raised and
stopped, and everything after it was lost: a lecture's last 50 minutes of speech and slides after one bad
packet at 10, without a word. Decoding packet by packet skips the refused one, as FFmpeg's own command line
does, so what comes after is read, and stays where it is heard and seen.
"""

from __future__ import annotations

from typing import Iterator


def iter_decoded(container, stream) -> Iterator:
    """Lazily yields `stream`'s decoded frames (sound or picture) from where `container` stands, and for each
    packet the decoder refuses after the first frame, its length in seconds (a float: for sound, silence to
    keep in its place). A refused packet before any frame, and any error reading the file (a truncated one),
    pass to the caller."""
    import av

    decoded = False
    for packet in container.demux(stream):
        try:
            frames = packet.decode()
        except av.error.InvalidDataError:
            if not decoded:
                raise
            if packet.duration and packet.time_base:
                yield float(packet.duration * packet.time_base)
            continue
        for frame in frames:
            decoded = True
            yield frame
