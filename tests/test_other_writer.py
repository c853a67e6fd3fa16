"""A reader that stays open (`momentsearch serve`, a notebook's MomentIndex) while another process writes.

chromadb keeps each collection's vector index as this process loaded it and never reads another process's
writes into it: after `momentsearch index` re-indexed a replaced lecture beside a running server, the
server's nearest neighbours were the deleted entries of the old recording, never the new one's, and
fetching a new entry's vector (a video's chapters) failed with chromadb's "Error finding id" until the
server was restarted. The writer runs in a subprocess, as `momentsearch index` does.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np

from momentsearch.store.client import make_client
from momentsearch.store.ids import entry_id
from momentsearch.store.store import Store

ROOT = Path(__file__).resolve().parents[1]
DIM = 8

# argv: db, old video id, new video id. Takes the old video's entries out and writes the new one's.
WRITER = r"""
import sys
import numpy as np
from momentsearch.store.client import make_client
from momentsearch.store.ids import entry_id
from momentsearch.store.store import Store

db, old, new = sys.argv[1:4]
store = Store(make_client(db, create=False), db_dir=db)
store.collection("transcript", model_id="fake-text", dim=8)
store.delete_video(old)
ids = [entry_id(new, "chunk", float(i), float(i + 1)) for i in range(4)]
store.upsert("transcript", ids, np.eye(8, dtype=np.float32)[4:], [{"video_id": new} for _ in ids], ["new"] * 4)
store.commit()
"""


def _ids(video_id: str) -> list[str]:
    return [entry_id(video_id, "chunk", float(i), float(i + 1)) for i in range(4)]


def test_an_open_reader_sees_what_another_process_wrote_into_the_folder(tmp_path):
    db = tmp_path / "db"
    writer = Store(make_client(db, create=True), db_dir=db)
    writer.collection("files", model_id="none", dim=1)
    writer.collection("transcript", model_id="fake-text", dim=DIM)
    old, new = "0" * 16, "f" * 16
    writer.upsert("transcript", _ids(old), np.eye(DIM, dtype=np.float32)[:4], [{"video_id": old}] * 4, ["old"] * 4)
    writer.commit()
    writer.close()

    reader = Store(make_client(db, create=False), db_dir=db)
    before = reader.generation()
    assert {h.id for h in reader.query("transcript", np.eye(DIM)[0], 4)} == set(_ids(old))

    subprocess.run([sys.executable, "-c", WRITER, str(db), old, new], check=True, cwd=ROOT)

    assert reader.generation() != before
    found = reader.query("transcript", np.eye(DIM)[4], 4, metadata=False)
    assert {h.id for h in found} == set(_ids(new))  # not the old recording's deleted entries
    assert found[0].id == _ids(new)[0] and found[0].similarity > 0.99
    got = reader.vectors("transcript", _ids(new))
    assert sorted(got) == sorted(_ids(new))
    assert np.allclose(got[_ids(new)[1]], np.eye(DIM)[5])
