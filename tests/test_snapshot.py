"""One-off CLI searches answer from a snapshot of a small local index, without chromadb or torch.

The index here is written through the real Store (MiniLM vectors of a few spoken sentences), inside
MomentIndex.writing() as `momentsearch index` does. Checked: the snapshot's exact search returns what
Chroma returns; a later write makes the snapshot stale (and the next search reads Chroma again); a
`momentsearch search` process that finds a current snapshot imports neither chromadb nor torch.
"""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from momentsearch.store.ids import entry_id

TEXTS = ["Let's look at the roadmap for next year: first the design, then a pilot.",
         "Solar panels turn light into electric power with photovoltaic cells.",
         "A database index keeps keys sorted, so a lookup touches only a few pages.",
         "Are there any questions from the audience? Thank you for listening.",
         "Water boils at a lower temperature on a mountain, where the air pressure is lower."]


def _write(db, texts, video_id="00000000000000aa", path="/lectures/talk.mp4"):
    from momentsearch.api import MomentIndex
    from momentsearch.models.text import TextEmbedder
    from momentsearch.types import FileRecord

    index = MomentIndex(str(db))
    text = TextEmbedder()
    with index.writing(create=True):  # only a writer that creates an index may start from no folder
        store = index.store
        store.collection("transcript", model_id=text.model_id, dim=text.dim)
        starts = [10.0 * i for i in range(len(texts))]
        ids = [entry_id(video_id, "chunk", s, s + 9.0) for s in starts]
        metas = [{"video_id": video_id, "video": path, "start": s, "end": s + 9.0, "kind": "chunk"} for s in starts]
        store.upsert("transcript", ids, text.embed_texts(texts), metas, list(texts))
        store.put_file(FileRecord(path=path, video_id=video_id, size=1, mtime=0.0, duration=10.0 * len(texts),
                                  channels=["transcript"], visual_segments=[(0.0, 10.0 * len(texts))],
                                  models={"text": text.model_id}, complete=True))
    return index


@pytest.fixture()
def db(tmp_path):
    path = tmp_path / "db"
    _write(path, TEXTS)
    return path


def test_snapshot_answers_like_chroma_and_goes_stale_on_write(db):
    from momentsearch.api import MomentIndex
    from momentsearch.models.text import TextEmbedder
    from momentsearch.search import snapshot

    live = MomentIndex(str(db))
    reader = MomentIndex(str(db))
    reader.use_snapshot = True
    assert isinstance(reader.reader, snapshot.SnapshotStore)  # made from Chroma on the first read
    assert snapshot.load(str(db), reader._cache_dir) is not None  # and kept for the next process
    assert reader.reader.db_dir == snapshot.load(str(db), reader._cache_dir).db_dir == str(db)  # as Store's
    query = TextEmbedder().embed_texts(["where do they discuss the roadmap"])[0]
    ours = reader.reader.query("transcript", query, 3, metadata=False)
    chroma = live.store.query("transcript", query, 3, metadata=False)
    assert [h.id for h in ours] == [h.id for h in chroma]
    assert np.allclose([h.similarity for h in ours], [h.similarity for h in chroma], atol=1e-4)
    a = [m.to_json() for m in reader.search("roadmap next year", k=3)]
    b = [m.to_json() for m in live.search("roadmap next year", k=3)]
    assert a == b and a and a[0]["start"] == 0.0
    live_col, snap_col = live.store.collection("transcript"), reader.reader.collection("transcript", create=False)
    some = [h.id for h in chroma][:2] + ["no-such-id"]
    got, want = snap_col.get(ids=some, include=["embeddings"]), live_col.get(ids=some, include=["embeddings"])
    assert sorted(got["ids"]) == sorted(want["ids"]) and len(got["embeddings"]) == 2
    _write(db, ["A brand new lecture about volcanoes and lava."], video_id="00000000000000bb", path="/lectures/new.mp4")
    assert snapshot.load(str(db), reader._cache_dir) is None  # written since: stale
    fresh = MomentIndex(str(db))
    fresh.use_snapshot = True
    assert {f.video_id for f in fresh.info().files} == {"00000000000000aa", "00000000000000bb"}


def test_cli_search_with_a_snapshot_imports_no_chromadb_or_torch(db):
    code = ("import sys, json; from momentsearch.cli.main import main; "
            "rc = main(['search', 'solar panels', '--db', sys.argv[1], '--json']); "
            "print(json.dumps({'rc': rc, 'chromadb': 'chromadb' in sys.modules, 'torch': 'torch' in sys.modules,"
            " 'bm25s': 'bm25s' in sys.modules}))")
    runs = [subprocess.run([sys.executable, "-c", code, str(db)], capture_output=True, text=True, timeout=300)
            for _ in range(2)]
    for proc in runs:
        assert proc.returncode == 0, proc.stderr
    first, second = (r.stdout.strip().splitlines() for r in runs)
    assert json.loads(first[0])["results"][0]["text"].startswith("Solar panels")
    assert json.loads(first[0]) == json.loads(second[0])  # the process that made the snapshot and the next one agree
    modules = json.loads(second[-1])
    assert modules == {"rc": 0, "chromadb": False, "torch": False, "bm25s": False}, modules
