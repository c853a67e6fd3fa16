"""Fakes for tests that exercise the pipeline and the store, not the models (deterministic, cheap and thread-safe:
the visual side runs in a second thread), and a base for fake indexes that the front doors search."""

from __future__ import annotations

import hashlib

import numpy as np

from momentsearch.api_notes import WhyNothing


def hashed_vector(key: str, dim: int = 8) -> np.ndarray:
    """A unit vector fixed by `key` (the same text always gets the same vector)."""
    seed = int.from_bytes(hashlib.sha1(key.encode()).digest()[:8], "little")
    v = np.random.default_rng(seed).normal(size=dim).astype(np.float32)
    return v / np.linalg.norm(v)


class FakeText:
    model_id = "fake:text"
    dim = 8

    def embed_texts(self, texts):
        return np.stack([hashed_vector(t, self.dim) for t in texts]) if texts else np.zeros((0, self.dim), np.float32)


class FakeClip(FakeText):
    """Image vectors from the mean grey of the picture; counts the images it embedded."""

    model_id = "fake:clip"
    model_name, pretrained = "fake", "fake"

    def __init__(self):
        self.images = 0

    def load(self):
        return self

    def embed_images(self, images):
        self.images += len(images)
        return np.stack([hashed_vector(str(int(np.asarray(im).mean() * 100)), self.dim) for im in images])


class FakeIndex(WhyNothing):
    """Enough of MomentIndex's public API for a front door (CLI, server) to search: one channel, every file finished,
    no typos, no file records; a subclass gives what its test reads. Why a search found nothing is MomentIndex's own
    `why_nothing`, asking these methods, as the front doors ask it."""

    use_snapshot = False
    chroma_url, db = None, "/nonexistent/db"  # nobody writes into it (no lock file)
    warnings: list[str] = []  # every file finished, every channel searched

    def channels(self):
        return {"transcript"}

    def searchable_channels(self):
        return self.channels()

    def videos(self):
        return []

    def video(self, video_id):
        return None  # no record: no file to find moved or changed

    def spelled(self, query, video=None, in_=None, everywhere=False):  # no typos here: searched as typed
        from momentsearch.search.spelling import Spelling

        return Spelling(query)

    def search(self, query, k=10, kind=None, video=None, in_=None, everywhere=False):
        return []


def counting_video(path, seconds: float = 24.0, fps: int = 5, gop: int = 25, size: tuple[int, int] = (320, 192)) -> None:
    """An H.264 video whose frame i is grey level 4 * (i % 60) (the picture says which frame it is), with a
    keyframe every `gop` frames exactly (none added at scene changes)."""
    import av

    width, height = size
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.codec_context.gop_size = gop
        stream.options = {"preset": "ultrafast", "keyint_min": str(gop), "sc_threshold": "0"}
        for i in range(int(seconds * fps)):
            frame = av.VideoFrame.from_ndarray(np.full((height, width, 3), 4 * (i % 60), dtype=np.uint8), format="rgb24")
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)


def slide_store(folder, slides, near=(), video: str = "s" * 16):
    """A real store (in `folder`) holding one video's slide-text entries, 20 s each: `slides` is a list of
    [(line text, weight), ...] per slide (the first line its title). The query's vector is axis 0; slide i's
    is near it (cosine 0.3) where `near[i]` is true, orthogonal to it elsewhere."""
    import json

    from momentsearch.store.client import make_client
    from momentsearch.store.ids import entry_id
    from momentsearch.store.store import Store
    from momentsearch.types import FileRecord

    path = f"/{video[0]}.mp4"
    store = Store(make_client(str(folder)))
    store.collection("ocr", model_id=FakeText.model_id, dim=FakeText.dim)
    spans = [(20.0 * i, 20.0 * (i + 1)) for i in range(len(slides))]
    metas = [{"video_id": video, "video": path, "start": s, "end": e, "kind": "slide", "title": lines[0][0],
              "lines": json.dumps([[t, w, ""] for t, w in lines])} for (s, e), lines in zip(spans, slides)]
    vectors = np.zeros((len(slides), FakeText.dim), np.float32)
    vectors[:, 1] = 1.0
    if len(near):
        vectors[np.asarray(near, dtype=bool), 0] = 0.3
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    store.upsert("ocr", [entry_id(video, "slide", s, e) for s, e in spans], vectors, metas,
                 [" · ".join(t for t, _ in lines) for lines in slides])
    store.put_file(FileRecord(path=path, video_id=video, size=1, mtime=0.0, duration=20.0 * len(slides),
                              channels=["ocr"], complete=True))
    return store


def in_process_ray(sent: list[str]):
    """A RayIndexer class whose 'workers' run in this process: each file the driver sends to one is appended to
    `sent` and indexed by the driver's own Indexer (what goes to a worker, without starting Ray)."""
    from momentsearch.pipeline.ray import RayIndexer

    class InProcessWorkers(RayIndexer):
        def _run(self, remote, infos, order, total):
            sent.extend(remote)
            for path in remote:
                self._remote_results[path] = self.indexer.index_file(path, infos[path], False)

    return InProcessWorkers
