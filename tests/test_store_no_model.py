"""Writing into an existing index never loads a model through chromadb.

chromadb rebuilds an embedding function persisted with a collection each time it reads the collection's
schema, which every upsert does; its built-ins ("sentence_transformer", "open_clip") import torch and
load their weights then ("Loading weights: 100%" on stderr, seconds per `momentsearch index` run). Our
functions are persisted under those names (so plain chromadb can query by text), but the store gives
chromadb its own vectors and never lets it rebuild them: neither an index the store made nor collections
made by plain chromadb with the functions may load anything. Each step runs in a fresh interpreter, so
sys.modules says what the step imported.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("sentence_transformers", "open_clip", "torch")

# argv: db, step ("create", "create-old" or "reopen"), id prefix. Prints a JSON summary on its last line.
STEP = r"""
import json, sys
sys.path.insert(0, sys.argv[4])
import numpy as np
from fakes import FakeClip, FakeText, hashed_vector
from momentsearch.models.chroma_functions import ClipEmbeddingFunction, TextEmbeddingFunction
from momentsearch.store.client import make_client
from momentsearch.store.store import SCHEMA_VERSION, Store

db, step, tag = sys.argv[1], sys.argv[2], sys.argv[3]

class Text(FakeText):
    model_path = sys.argv[5]  # what TextEmbeddingFunction persists as the sentence_transformer model

text, clip = Text(), FakeClip()
functions = {"transcript": (text, TextEmbeddingFunction(text)), "unified": (clip, ClipEmbeddingFunction(clip))}
client = make_client(db, create=True)
if step == "create-old":  # collections made by plain chromadb, the functions persisted with them
    for name, (model, ef) in [("files", (None, None)), *functions.items()]:
        meta = {"schema_version": SCHEMA_VERSION, "model": model.model_id if model else "none",
                "dim": model.dim if model else 1, "hnsw:space": "cosine"}
        client.get_or_create_collection(f"ms_{name}", metadata=meta, embedding_function=ef)
store = Store(client, db_dir=db)
store.collection("files", model_id="none", dim=1)
hits = {}
for name, (model, ef) in functions.items():
    store.collection(name, model_id=model.model_id, dim=model.dim, embedding_function=ef)
    texts = [f"{tag} roadmap for next year", f"{tag} questions from the audience"]
    ids = [f"{tag}-{i}" for i in range(len(texts))]
    store.upsert(name, ids, model.embed_texts(texts), [{"video_id": tag, "start": float(i)} for i in range(2)], texts)
    hits[name] = [h.id for h in store.query(name, hashed_vector(texts[1], model.dim), 1)]
    hits[name + "_count"] = store.count(name)
print(json.dumps({"hits": hits, "loaded": sorted(m for m in sys.modules if m.split(".")[0] in %r)}))
""" % (HEAVY,)


def _model_path(tmp_path: Path) -> str:
    """The packaged MiniLM folder, as the real TextEmbedder persists it; else a folder that is not a model
    (chromadb's built-in would still import sentence-transformers and torch to find that out)."""
    from momentsearch.errors import ModelUnavailableError
    from momentsearch.models.text import TextEmbedder

    try:
        return TextEmbedder().model_path
    except ModelUnavailableError:
        return str(tmp_path / "no-model")


def _run(db: Path, step: str, tag: str, model_path: str) -> dict:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}
    done = subprocess.run([sys.executable, "-c", STEP, str(db), step, tag, str(ROOT / "tests"), model_path],
                          capture_output=True, text=True, timeout=300, cwd=ROOT, env=env)
    assert done.returncode == 0, done.stderr
    assert "Loading weights" not in done.stderr, f"{step}: a model loaded:\n{done.stderr[-2000:]}"
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert summary["loaded"] == [], f"{step} imported {summary['loaded']}:\n{done.stderr[-2000:]}"
    return summary["hits"]


@pytest.mark.parametrize("first", ["create", "create-old"])
def test_writing_into_an_existing_index_loads_no_model(tmp_path, first):
    db, model_path = tmp_path / "db", _model_path(tmp_path)
    made = _run(db, first, "one", model_path)
    assert made == {"transcript": ["one-1"], "transcript_count": 2, "unified": ["one-1"], "unified_count": 2}
    again = _run(db, "reopen", "two", model_path)  # the reviewer's case: `momentsearch index` into an index
    assert again == {"transcript": ["two-1"], "transcript_count": 4, "unified": ["two-1"], "unified_count": 4}
