"""A long lecture for the device bench: the 10-minute one N times over, remuxed (no re-encoding)."""
import sys, av
src, n, dst = sys.argv[1], int(sys.argv[2]), sys.argv[3]
with av.open(dst, "w") as out:
    with av.open(src) as probe:
        streams = {s.index: out.add_stream_from_template(s) for s in probe.streams if s.type in ("audio", "video")}
    offsets = {}
    for k in range(n):
        with av.open(src) as inp:
            dur = {s.index: None for s in inp.streams}
            last = {}
            for packet in inp.demux(*[s for s in inp.streams if s.index in streams]):
                if packet.dts is None:
                    continue
                i = packet.stream.index
                shift = offsets.get(i, 0)
                end = max(packet.pts, packet.dts) + 4 * (packet.duration or 1)  # room for B-frames' early dts
                last[i] = max(last.get(i, 0), end)
                packet.pts += shift; packet.dts += shift
                packet.stream = streams[i]
                out.mux(packet)
            for i, e in last.items():
                offsets[i] = offsets.get(i, 0) + e
print(dst)
