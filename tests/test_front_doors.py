"""The front doors agree: one index, one query, the same moments and scores from `momentsearch search --json`,
`MomentIndex.search` and /api/search.

The CLI answers from a snapshot of the index (search/snapshot.py), the Python API and the server from the live
store; all three search the vectors exactly (search/exact.py). The index holds a few thousand chunks: enough
that Chroma's HNSW, which the server and the Python API asked before, misses some of the true nearest ones.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from momentsearch.store.ids import entry_id

VIDEOS = 30
CHUNKS = 120  # per video: 3,600 rows, where HNSW (ef 10) misses a good part of the true top 50
TOPICS = ["the learning rate and momentum of gradient descent", "dropout and weight decay against overfitting",
          "eigenvalues and eigenvectors of a symmetric matrix", "precision and recall of a classifier"]
FILLER = "so then here we see that this one goes there and after that we look at the next".split()
QUERIES = ["how fast should the learning rate be", "regularising a network that overfits",
           "eigenvectors of a matrix"]


def _write(db) -> None:
    """Chunks whose vectors lie near one of TOPICS (MiniLM's) at random angles, so that many compete for the
    top; their words are filler, so the dense channel decides."""
    from momentsearch.api import MomentIndex
    from momentsearch.models.text import TextEmbedder
    from momentsearch.types import FileRecord

    rng = np.random.default_rng(7)
    text = TextEmbedder()
    topics = text.embed_texts(TOPICS)
    index = MomentIndex(str(db))
    with index.writing(create=True):
        store = index.store
        store.collection("transcript", model_id=text.model_id, dim=text.dim)
        for v in range(VIDEOS):
            video_id, path = f"{v + 1:016x}", f"/lectures/week{v + 1:02d}.mp4"
            starts = [15.0 * i for i in range(CHUNKS)]
            ids = [entry_id(video_id, "chunk", s, s + 14.0) for s in starts]
            metas = [{"video_id": video_id, "video": path, "start": s, "end": s + 14.0, "kind": "chunk"}
                     for s in starts]
            near = topics[rng.integers(0, len(TOPICS), CHUNKS)] * rng.uniform(0.4, 0.9, (CHUNKS, 1))
            vectors = (near + 0.04 * rng.standard_normal((CHUNKS, text.dim))).astype(np.float32)
            texts = [" ".join(rng.choice(FILLER, 10)) for _ in starts]
            store.upsert("transcript", ids, vectors / np.linalg.norm(vectors, axis=1, keepdims=True), metas, texts)
            end = 15.0 * CHUNKS
            store.put_file(FileRecord(path=path, video_id=video_id, size=1, mtime=0.0, duration=end,
                                      channels=["transcript"], visual_segments=[(0.0, end)],
                                      models={"text": text.model_id}, complete=True,
                                      sections=[(s, s + 60.0) for s in np.arange(0.0, end, 60.0).tolist()]))
        store.commit()


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("doors") / "db"
    _write(path)
    return path


def _essentials(results: list[dict]) -> list[tuple]:
    return [(r["video_id"], r["start"], r["end"], r["score"], r["channels"]) for r in results]


def test_cli_python_api_and_http_api_return_the_same_moments_and_scores(db, capsys):
    from fastapi.testclient import TestClient

    from momentsearch.api import MomentIndex
    from momentsearch.cli.main import main
    from momentsearch.search import snapshot
    from momentsearch.server.app import create_app

    live = MomentIndex(str(db))
    with TestClient(create_app(live, warm=False), base_url="http://127.0.0.1:8000") as client:
        for query in QUERIES:
            capsys.readouterr()
            assert main(["search", query, "--db", str(db), "--json"]) == 0
            cli_answer = json.loads(capsys.readouterr().out)
            cli = cli_answer["results"]
            api = [m.to_json() for m in live.search(query)]
            http_answer = client.get("/api/search", params={"q": query}).json()
            http = http_answer["results"]
            assert len(cli) >= 5, query
            assert _essentials(api) == _essentials(cli), query
            assert _essentials(http) == _essentials(cli), query
            # the files are not on this disk: both say so of the results (--json said nothing)
            assert cli_answer["warnings"] == http_answer["warnings"]
            assert "not where indexed" in cli_answer["warnings"][0]
    assert snapshot.load(str(db), live._search_cache) is not None  # the CLI's answers came from its snapshot


def test_info_lists_files_by_path_whatever_order_they_were_indexed_in(tmp_path, capsys):
    from momentsearch.api import MomentIndex
    from momentsearch.cli.main import main
    from momentsearch.types import FileRecord

    db = tmp_path / "db"
    paths = ["/lectures/week10.mp4", "/lectures/week02.mp4", "/archive/intro.mp4"]  # as three runs indexed them
    index = MomentIndex(str(db))
    with index.writing(create=True):
        for i, path in enumerate(paths):
            index.store.put_file(FileRecord(path=path, video_id=f"{i + 1:016x}", size=1, mtime=0.0, duration=60.0,
                                            channels=["transcript"], complete=True))
            index.store.commit()
    assert [f.path for f in MomentIndex(str(db)).info().files] == sorted(paths)
    capsys.readouterr()
    assert main(["info", "--db", str(db), "--json"]) == 0
    assert [f["path"] for f in json.loads(capsys.readouterr().out)["files"]] == sorted(paths)


def test_why_an_everywhere_search_found_nothing_is_told_of_that_search(tmp_path, monkeypatch, capsys):
    """The note blames a query's -words when its words alone find something: that check searched without
    `everywhere`, so in the one lecture the query names, where its words find nothing, and said "no results above
    the relevance floor" of a query whose -word alone emptied an everywhere search (CLI and HTTP API alike)."""
    import importlib

    from fastapi.testclient import TestClient

    from momentsearch.server.app import create_app
    from test_result_pages import _RankedIndex, _record

    cli_main = importlib.import_module("momentsearch.cli.main")

    class NamedLecture(_RankedIndex):
        use_snapshot = False

        def search(self, query, k=10, kind=None, video=None, everywhere=False, in_=None):
            return self._ranked(k) if everywhere and "-" not in query else []  # not in the lecture it names

    index = NamedLecture(_record(tmp_path))
    query = "gradient descent in week 3 -momentum"
    monkeypatch.setattr(cli_main, "_index_for", lambda args: index)
    capsys.readouterr()
    assert cli_main.main(["search", query, "--everywhere", "--json"]) == 0
    cli = json.loads(capsys.readouterr().out)["empty_note"]
    with TestClient(create_app(index, warm=False), base_url="http://127.0.0.1:8000") as client:
        http = client.get("/api/search", params={"q": query, "everywhere": "true"}).json()["empty_note"]
    assert cli == http and "-words not at all" in cli, (cli, http)


def test_every_front_door_says_why_nothing_was_found_in_the_index_s_words(tmp_path, monkeypatch, capsys):
    """Why nothing was found was written twice, in the CLI (text, --json, --queries) and in /api/search, and a
    change to it had to edit both side by side; each now asks the index (`MomentIndex.why_nothing`), with the
    search's own kind and scope."""
    import importlib
    import io

    from fastapi.testclient import TestClient
    from rich.console import Console

    from fakes import FakeIndex
    from momentsearch.cli import output
    from momentsearch.server.app import create_app

    class Explains(FakeIndex):
        asked: list = []

        def why_nothing(self, query, kind=None, video=None, in_=None, everywhere=False):
            self.asked.append((query, kind, video, in_, everywhere))
            return f"the index's word on {query}"

    cli_main, index = importlib.import_module("momentsearch.cli.main"), Explains()
    monkeypatch.setattr(cli_main, "_index_for", lambda args: index)
    monkeypatch.setattr(output, "out", Console(file=io.StringIO(), width=200))
    assert cli_main.main(["search", "volcano", "--kind", "photo", "--in", "/talks"]) == 0
    assert "the index's word on volcano" in output.out.file.getvalue()
    capsys.readouterr()
    assert cli_main.main(["search", "volcano", "--json", "--everywhere"]) == 0
    assert json.loads(capsys.readouterr().out)["empty_note"] == "the index's word on volcano"
    (queries := tmp_path / "q.jsonl").write_text('{"qid": 1, "query": "lava"}\n', encoding="utf-8")
    assert cli_main.main(["search", "--queries", str(queries)]) == 0
    assert json.loads(capsys.readouterr().out)["empty_note"] == "the index's word on lava"
    with TestClient(create_app(index, warm=False), base_url="http://127.0.0.1:8000") as client:
        http = client.get("/api/search", params={"q": "ash", "kind": "photo", "everywhere": "true"}).json()
    assert http["empty_note"] == "the index's word on ash"
    assert index.asked == [("volcano", "photo", None, ["/talks"], False), ("volcano", None, None, None, True),
                           ("lava", None, None, None, False), ("ash", "photo", None, None, True)]


def _pictures_only(db, clip_model: str) -> None:
    """An index of one silent recording, searched by its pictures alone, made with a CLIP whose weights are gone."""
    from momentsearch.api import MomentIndex
    from momentsearch.types import FileRecord

    index = MomentIndex(str(db))
    with index.writing(create=True):
        store = index.store
        store.collection("keyframes", model_id="open_clip:tiny_clip/file:gone.pt", dim=32,
                         extra={"clip_model": clip_model, "clip_pretrained": str(db.parent / "gone.pt")})
        video_id = "00000000000000b1"
        ids = [entry_id(video_id, "keyframe", 10.0 * i, 10.0 * i + 10) for i in range(3)]
        metas = [{"video_id": video_id, "start": 10.0 * i, "end": 10.0 * i + 10, "kind": "keyframe"} for i in range(3)]
        store.upsert("keyframes", ids, np.eye(3, 32, dtype=np.float32), metas)
        store.put_file(FileRecord(path="/lectures/silent.mp4", video_id=video_id, size=1, mtime=0.0, duration=30.0,
                                  channels=["visual"], visual_segments=[(0.0, 10.0), (10.0, 20.0), (20.0, 30.0)],
                                  models={"clip": "open_clip:tiny_clip/file:gone.pt"}, complete=True))


def _no_file(db) -> None:
    """An index whose first run has written no file yet."""
    from momentsearch.api import MomentIndex

    index = MomentIndex(str(db))
    with index.writing(create=True):
        index.store.collection("files", model_id="none", dim=1)


def test_an_index_of_pictures_not_searchable_here_is_told_alike_by_the_cli_and_the_http_api(tmp_path, capsys):
    """A visual-only index without its CLIP weights: the CLI said "no results above the relevance floor" (it asked
    whether the index held channels), the HTTP API "no searchable file yet" (whether any was searched here), and
    neither said why. Both now say it the same way, as they say an index with no file in it."""
    from fastapi.testclient import TestClient

    from momentsearch.api import MomentIndex
    from momentsearch.cli.main import main
    from momentsearch.models.clip import TINY_CLIP_CONFIG
    from momentsearch.server.app import create_app

    notes = []
    for name, write in (("pictures", lambda db: _pictures_only(db, str(TINY_CLIP_CONFIG))), ("empty", _no_file)):
        db = tmp_path / name / "db"
        write(db)
        capsys.readouterr()
        assert main(["search", "a volcano erupting", "--db", str(db), "--json"]) == 0
        cli = json.loads(capsys.readouterr().out)["empty_note"]
        with TestClient(create_app(MomentIndex(str(db)), warm=False), base_url="http://127.0.0.1:8000") as client:
            http = client.get("/api/search", params={"q": "a volcano erupting"}).json()["empty_note"]
        assert cli == http == MomentIndex(str(db)).why_nothing("a volcano erupting"), (name, cli, http)
        notes.append(cli)
    assert "searched by their pictures alone" in notes[0] and "CLIP weights" in notes[0]
    assert notes[1] == "The index holds no searchable file yet: `momentsearch index FOLDER` adds some."


def test_k_above_the_limit_is_refused_by_every_front_door_saying_the_limit(db, capsys):
    """The CLI and the Python API cut k=500 to 100 results without a word; the HTTP API refused it (422)."""
    from fastapi.testclient import TestClient

    from momentsearch.api import MomentIndex
    from momentsearch.errors import QueryError
    from momentsearch.options import MAX_RESULTS
    from momentsearch.cli.main import main
    from momentsearch.server.app import create_app

    live = MomentIndex(str(db))
    with pytest.raises(QueryError, match=f"k must be at most {MAX_RESULTS}"):
        live.search(QUERIES[0], k=MAX_RESULTS + 1)
    assert live.search(QUERIES[0], k=MAX_RESULTS)  # the limit itself is answered
    capsys.readouterr()
    assert main(["search", QUERIES[0], "--db", str(db), "-k", "500"]) == 2
    assert f"k must be at most {MAX_RESULTS}" in capsys.readouterr().err
    with TestClient(create_app(live, warm=False), base_url="http://127.0.0.1:8000") as client:
        answer = client.get("/api/search", params={"q": QUERIES[0], "k": MAX_RESULTS + 1})
    assert answer.status_code == 422 and f"less than or equal to {MAX_RESULTS}" in answer.text
