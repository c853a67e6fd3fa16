"""Which packets a clip copies: from the one that can start it at or before the span's start (a keyframe of the
picture; for sound alone, the packet that holds the start), up to the span's end, and which to leave out (sound
FFmpeg flags as damaged). Times are on the streams' own clock unless a docstring says otherwise."""

from __future__ import annotations

from momentsearch.media import seek_back

INTERLEAVE_SLACK = 3.0  # seconds; sound may be stored this far after the picture of its time (recorders and
                        # fragmented MP4 write it in chunks): read on this long past the span's end for it


def packets_from(src, streams, lead, need_key: bool, start: float, origin: float):
    """Demuxed packets of `streams` from the `lead` packet that can start a copy (a keyframe when
    `need_key`) at or before `start` (seconds from the file's start); what comes before it is dropped.
    An MPEG-TS seek that lands on a later keyframe is retried further back (`seek_back`)."""
    import itertools

    def can_start(packet) -> bool:  # (a Matroska file's first packets after a seek come without a dts)
        return packet.stream is lead and packet.pts is not None and (packet.is_keyframe or not need_key)

    def read():
        packets = itertools.dropwhile(lambda p: not can_start(p), src.demux(streams))
        return packets if need_key else _from_sound_at(packets, lead, start + origin)

    def found():
        return seek_back(src, lead, start, origin, read, lambda p: float(p.pts * p.time_base))

    return _with_sound_stored_before(src, streams, lead, found, origin) if need_key and len(streams) > 1 else found()


def _with_sound_stored_before(src, streams, lead, found, origin: float):
    """`found()` (packets from the `lead` keyframe that starts a copy), with the other streams' packets timed
    from that keyframe on but stored before it: an MPEG-TS muxer writes the sound of a time up to a second before
    its picture, and a seek lands on the keyframe's bytes, so a clip's first half second was silent. They are
    read from a seek INTERLEAVE_SLACK earlier; where the keyframe is not met again from there, `found()` again."""
    import itertools

    key = next(found(), None)
    if key is None:
        return iter(())
    at, stamp = float(key.pts * key.time_base), key.pts

    def read():
        return itertools.dropwhile(lambda p: p.stream is not lead or p.pts is None, src.demux(streams))

    again = seek_back(src, lead, max(0.0, at - origin - INTERLEAVE_SLACK), origin, read,
                      lambda p: float(p.pts * p.time_base))
    held = []  # the other streams' packets from the keyframe's time on, read before it
    for packet in again:
        if packet.stream is lead and packet.pts is not None and packet.pts >= stamp:
            if packet.pts == stamp and packet.is_keyframe:
                return itertools.chain([packet], held, again)
            break
        if packet.stream is not lead and packet.pts is not None and float(packet.pts * packet.time_base) >= at - 1e-3:
            held.append(packet)
    return found()


def _from_sound_at(packets, lead, start: float):
    """`packets` from the last `lead` packet (sound, where any packet can start a copy) at or before `start` (the
    streams' clock). A seek on a sound stream can land far before it: a Matroska file keeps cues for the picture
    only, and where its sound is stored after the picture FFmpeg's seek on the sound went back to the file's start
    (a .m4a clip of 19-23 s held 0-23 s)."""
    held = []  # the latest lead packet at or before `start`, and what came with it
    for packet in packets:
        if held is not None and packet.stream is lead and packet.pts is not None:
            if float(packet.pts * packet.time_base) <= start:
                held = [packet]
                continue
            yield from held
            held = None
        if held is None:
            yield packet
        elif held:
            held.append(packet)
    yield from held or ()


def reached(packet, lead, end: float, lead_only: bool = False) -> bool:
    """Whether `packet` is at or past `end` (source seconds, the streams' clock), so its stream has given
    all it has before then: the lead (the picture) in decode order, as every frame shown before `end` is
    decoded before one decoded after it; another stream (unless `lead_only`) by its own time, when that is
    within INTERLEAVE_SLACK of `end`: a time far past it is a wild one (an MPEG-TS clock that wrapped), skipped."""
    if packet.stream is lead:
        return packet.dts is not None and float(packet.dts * packet.time_base) >= end
    return not lead_only and end <= float(packet.pts * packet.time_base) < end + INTERLEAVE_SLACK


def damaged_sound(packet) -> bool:
    """Sound FFmpeg flags as damaged: the last packet of a recording cut short (a crash, a copy interrupted)
    ends early, and in a clip it stops players at its end. A damaged picture is kept (decoders hide it)."""
    return packet.is_corrupt and packet.stream.type == "audio"
