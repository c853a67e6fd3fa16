"""Property tests (Hypothesis): visual segments and transcript chunks cover the media without gaps
or overlaps beyond the configured overlap, times stay in [0, duration]; the store keeps ids unique
and counts invariant when the same file is indexed again."""

from __future__ import annotations

import itertools
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from momentsearch.options import ChunkOptions, Config, KeyframeOptions
from momentsearch.pipeline.keyframes import detect_segments
from momentsearch.pipeline.segment import build_chunks
from momentsearch.store.ids import entry_id
from momentsearch.types import SampledFrame, TranscriptSegment, Word

EPS = 1e-6
# CI runs the same examples every time (a failure there is reproducible); locally each run explores anew.
# MOMENTSEARCH_PROP_SCALE=10 runs ten times more examples.
SCALE = int(os.environ.get("MOMENTSEARCH_PROP_SCALE", "1"))
DERANDOMIZE = bool(os.environ.get("CI"))
PALETTE = [20, 90, 160, 230]

# -- visual segments ---------------------------------------------------------------------------------


def slide(colour: int) -> np.ndarray:
    img = np.full((18, 32, 3), colour, np.uint8)
    img[2:6, 2 + colour % 20: 10 + colour % 20] = 255 - colour
    return img


@st.composite
def frame_runs(draw):
    n = draw(st.integers(1, 40))
    gaps = draw(st.lists(st.floats(0.05, 3.0), min_size=n, max_size=n))  # variable frame rate
    colours = draw(st.lists(st.sampled_from(PALETTE), min_size=n, max_size=n))
    first = draw(st.floats(0.0, 1.0))
    times = list(itertools.accumulate(gaps, initial=first))[:n]
    tail = draw(st.floats(0.0, 5.0))
    min_segment = draw(st.floats(0.2, 3.0))
    max_segment = draw(st.floats(min_segment + 0.5, 20.0))
    options = KeyframeOptions(cut_share=draw(st.floats(0.05, 0.9)), min_segment=min_segment,
                              max_segment=max_segment)
    return times, colours, times[-1] + tail, options


# CI found it (2 Dec): a slide change 1.75 s after a forced split at min_segment 2 moves that split onto
# the change, so the segment before runs max_segment + 2.25 s
SPLIT_ONTO_CHANGE = ([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 12.5, 13, 14, 15, 16, 17],
                     [20] * 7 + [90] * 2 + [20] * 5 + [90] * 2 + [20] * 3, 17.0,
                     KeyframeOptions(cut_share=0.5, min_segment=2.0, max_segment=4.0))


@settings(max_examples=100 * SCALE, deadline=None, derandomize=DERANDOMIZE)
@given(frame_runs())
@example(SPLIT_ONTO_CHANGE)
def test_visual_segments_tile_the_video(run):
    times, colours, duration, options = run
    segs = detect_segments((SampledFrame(t, slide(c)) for t, c in zip(times, colours)), duration, options)
    assert segs, "a video with frames has at least one segment"
    assert segs[0].start == 0.0
    from momentsearch.pipeline.keyframes import LAST_FRAME_SPAN

    end = max(duration, times[-1])  # the whole video, and a last frame alone gets a frame's span
    assert end - EPS <= segs[-1].end <= end + LAST_FRAME_SPAN + EPS
    for a, b in zip(segs, segs[1:]):
        assert a.end == b.start  # no gap, no overlap
    max_gap = max([b - a for a, b in zip(times, times[1:])], default=0.0)
    for s in segs:
        assert s.start < s.end
        assert s.start - EPS <= s.keyframe_time <= s.end + EPS  # its keyframe is inside it
        assert s.keyframe_time in times
    for s in segs[:-1]:  # forced splits cut a stable stretch at the first frame past max_segment (a
        # segment opened half way back to the previous sample can run one more gap); a change less than
        # min_segment after a split moves that split onto the change instead of leaving a sliver
        assert s.end - s.start <= max(options.max_segment, times[0]) + options.min_segment + 2 * max_gap + EPS


# -- transcript chunks ---------------------------------------------------------------------------------


@st.composite
def speech(draw):
    n = draw(st.integers(0, 80))
    t = draw(st.floats(0.0, 3.0))
    words = []
    for i in range(n):
        t += draw(st.one_of(st.just(0.05), st.floats(0.0, 0.6), st.floats(0.6, 6.0)))
        length = draw(st.floats(0.05, 1.5))
        end_mark = draw(st.sampled_from(["", "", "", ".", "?", "!", ","]))
        words.append(Word(round(t, 3), round(t + length, 3), f"w{i}{end_mark}"))
        t += length
    duration = (words[-1].end if words else 0.0) + draw(st.floats(0.0, 5.0))
    # whisper gives segments of a few words; the chunker re-splits by sentence anyway
    cuts = sorted(set(draw(st.lists(st.integers(0, n), max_size=6))) | {0, n})
    segments = [TranscriptSegment(words[a].start, words[b - 1].end, " ".join(w.word for w in words[a:b]),
                                  words[a:b]) for a, b in zip(cuts, cuts[1:]) if b > a]
    min_s = draw(st.floats(1.0, 15.0))
    options = ChunkOptions(min_seconds=min_s, max_seconds=draw(st.floats(min_s, 40.0)),
                           overlap_seconds=draw(st.floats(0.0, min_s * 0.9)))
    breaks = draw(st.lists(st.floats(0.0, max(duration, 0.1)), max_size=6))
    return words, segments, duration, options, breaks


@settings(max_examples=120 * SCALE, deadline=None, derandomize=DERANDOMIZE)
@given(speech())
def test_chunks_cover_speech_without_gaps_or_extra_overlap(sample):
    words, segments, duration, options, breaks = sample
    chunks = build_chunks(segments, options, breaks=breaks)
    if not words:
        assert chunks == []
        return
    for c in chunks:
        assert 0.0 <= c.start <= c.end <= duration + EPS  # times within [0, duration]
        assert c.text.strip()
    for a, b in zip(chunks, chunks[1:]):
        assert a.start <= b.start and a.end <= b.end  # in order
        assert a.end - b.start <= options.overlap_seconds + EPS  # overlap at most the configured one
    for w in words:  # every spoken word is in some chunk: nothing lost between chunks
        assert any(c.start - EPS <= w.start and w.end <= c.end + EPS and w.word in c.text.split() for c in chunks), w
    for a, b in zip(chunks, chunks[1:]):  # a gap between chunks holds no speech
        if b.start > a.end:
            assert not any(w.start > a.end + EPS and w.end < b.start - EPS for w in words)
    ids = [entry_id("v", "chunk", c.start, c.end) for c in chunks]
    assert len(ids) == len(set(ids))  # one file's chunk ids never collide


# -- the store: ids unique, counts invariant under re-indexing -----------------------------------------


class _Fake:
    model_id = "fake:model"
    dim = 4


@pytest.fixture(scope="module")
def client():
    """An in-memory Chroma (same code paths as on disk, without the fsyncs); one prefix per example."""
    import chromadb
    from chromadb.config import Settings

    return chromadb.EphemeralClient(settings=Settings(anonymized_telemetry=False))


@st.composite
def corpora(draw):
    """Files, each a content id and a set of (kind, start, end) entries."""
    n_files = draw(st.integers(1, 3))
    files = []
    for i in range(n_files):
        spans = draw(st.lists(st.tuples(st.sampled_from(["chunk", "keyframe"]),
                                        st.integers(0, 600), st.integers(1, 60)), min_size=1, max_size=25))
        files.append((f"{i:02d}" + draw(st.text("0123456789abcdef", min_size=14, max_size=14)),
                      sorted({(k, s / 10, (s + d) / 10) for k, s, d in spans})))
    return files


_prefix = itertools.count()


def _entries(path: str, video_id: str, spans):
    from momentsearch.pipeline.process import FileEntries, entry_meta

    out = FileEntries(path=path, video_id=video_id, duration=max(e for _, _, e in spans))
    rng = np.random.default_rng(len(spans))
    for kind in ("chunk", "keyframe"):
        mine = [(s, e) for k, s, e in spans if k == kind]
        if not mine:
            continue
        ids = [entry_id(video_id, kind, s, e) for s, e in mine]
        metas = [entry_meta(video_id, path, s, e, kind) for s, e in mine]
        vectors = rng.normal(size=(len(mine), 4)).astype(np.float32)
        out.add("transcript" if kind == "chunk" else "keyframes", ids, vectors, metas,
                [f"text {s}" for s, _ in mine] if kind == "chunk" else None)
    return out


def _index(indexer, path: str, video_id: str, spans) -> None:
    from momentsearch.types import FileRecord

    old = indexer.store.get_file(path)
    record = FileRecord(path=path, video_id=video_id, size=len(spans), mtime=0.0, models=indexer.report.models)
    indexer._begin(record, old)
    indexer._write(_entries(path, video_id, spans), record)


def _state(store) -> dict[str, list[str]]:
    return {name: sorted(i for i, _, _ in store.iter_all(name, documents=False))
            for name in ("files", "transcript", "keyframes")}


@settings(max_examples=12 * SCALE, deadline=None, derandomize=DERANDOMIZE,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(corpora(), st.data())
def test_store_ids_unique_and_counts_invariant_under_reindexing(client, files, data):
    from momentsearch.pipeline.indexer import Indexer
    from momentsearch.store.store import Store

    config = Config()
    config.models.ocr = False
    store = Store(client, prefix=f"p{next(_prefix)}")
    indexer = Indexer(store, config, _Fake(), _Fake(), None)  # models.ocr off: no OCR model
    paths = [f"/media/file{i}.mp4" for i in range(len(files))]
    for path, (vid, spans) in zip(paths, files):
        _index(indexer, path, vid, spans)
    first = _state(store)
    expected = sum(len(spans) for vid, spans in files)
    assert len(first["transcript"]) + len(first["keyframes"]) == expected
    for name, ids in first.items():
        assert len(ids) == len(set(ids)) == store.count(name), name

    again = data.draw(st.lists(st.sampled_from(range(len(files))), min_size=1, max_size=3))
    for i in again:  # the same content again, any number of times: nothing changes
        _index(indexer, paths[i], *files[i])
    assert _state(store) == first

    i = data.draw(st.sampled_from(range(len(files))))  # one file's content changes
    new_vid = "ff" + files[i][0][2:]
    new_spans = data.draw(st.lists(st.tuples(st.just("chunk"), st.integers(0, 50).map(lambda s: s / 10),
                                             st.just(9.9)), min_size=1, max_size=5, unique=True))
    _index(indexer, paths[i], new_vid, new_spans)
    after = _state(store)
    assert not any(x.startswith(files[i][0]) for x in after["transcript"] + after["keyframes"])
    assert len(after["transcript"]) + len(after["keyframes"]) == expected - len(files[i][1]) + len(new_spans)
    owners = {r.video_id for r in store.files()}
    for name in ("transcript", "keyframes"):
        assert all(m["video_id"] in owners for _, _, m in store.iter_all(name, documents=False))


def test_a_row_deleted_while_a_query_runs_is_no_hit(tmp_path):
    """Chroma finds ids in its vector index, then fetches their rows: a writer that deleted a row in
    between (a re-index taking a file's old entries out) leaves None for its metadata. Searching during a
    re-index crashed on it (AttributeError, HTTP 500); such a hit is dropped."""
    from momentsearch.store.client import make_client
    from momentsearch.store.store import Store

    class Racing:
        def query(self, **_):
            return {"ids": [["gone", "kept"]], "distances": [[0.1, 0.2]], "metadatas": [[None, {"video_id": "v"}]],
                    "documents": [[None, "text"]]}

    store = Store(make_client(str(tmp_path / "db")))
    store._collections["ocr"] = Racing()
    hits = store.query("ocr", np.ones(8, np.float32), 5)
    assert [(h.id, h.metadata, h.document) for h in hits] == [("kept", {"video_id": "v"}, "text")]


def test_two_writers_on_one_server_never_leave_a_reader_on_a_stale_generation(tmp_path):
    """Two teachers index into one Chroma server at once: there is no write lock, so one writer's commit
    can fall between the other's read of the generation and its write. Counting up, both wrote the same
    number: a `serve` that had read it after the first commit kept its corpus, and the second teacher's
    file stayed out of its searches until some later write. Every commit leaves a number no reader saw."""
    from momentsearch.store.client import make_client
    from momentsearch.store.store import Store

    client = make_client(str(tmp_path / "db"))
    teacher_b, reader = Store(client), Store(client)
    teacher_b.commit()
    teacher_a = Store(client)
    teacher_a.collection("files")  # opened before: its commit's one read of the server is the fresh metadata
    seen = []

    class BCommitsInBetween:  # teacher A's client: B's whole commit, and a reader's look, after A's read
        def __getattr__(self, name):
            return getattr(client, name)

        def get_collection(self, *args, **kwargs):
            col = client.get_collection(*args, **kwargs)
            if not seen:
                teacher_b.commit()
                seen.append(reader.generation())
            return col

    teacher_a.client = BCommitsInBetween()
    teacher_a.commit()
    assert seen and reader.generation() != seen[0]


def test_a_reader_follows_an_index_deleted_and_built_again_on_the_server(tmp_path):
    """The admin starts the Chroma server on a fresh path (or deletes the collections) and a teacher
    indexes again while `serve` runs. The reader kept its handles of the old collections: every search
    was a 500 (NotFoundError: Collection [...] does not exist) and /api/health kept the old picture, until
    `serve` was restarted. The generation check notices collections made again and drops the handles."""
    from momentsearch.store.client import make_client
    from momentsearch.store.store import Store
    from momentsearch.types import FileRecord

    client = make_client(str(tmp_path / "db"))
    teacher, reader = Store(client), Store(client)
    teacher.put_file(FileRecord(path="/old.mp4", video_id="a" * 16, size=1, mtime=0.0, complete=True))
    assert [r.path for r in reader.files()] == ["/old.mp4"] and reader.generation()
    for name in reader.collection_names():  # the server's index gone: what a fresh `chroma run --path` shows
        client.delete_collection(f"ms_{name}")
    assert reader.generation() == 0 and reader.files() == []
    Store(client).put_file(FileRecord(path="/new.mp4", video_id="b" * 16, size=1, mtime=0.0, complete=True))
    reader.generation()  # what a reader checks (at most every second) before it reads again
    assert [r.path for r in reader.files()] == ["/new.mp4"]
