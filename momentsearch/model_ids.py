"""Model ids that tell two files of one name apart, and how they compare with the ids older indexes stored.

A CLIP checkpoint (and an open_clip JSON config) is named in its model id by its file name and a fingerprint of
its content, `file:model.pt#sha256:0123456789abcdef`: two checkpoints called model.pt in two folders had one id,
so an index made with one took the other's vectors without a word. The same file moved elsewhere keeps its id
(searches use a moved checkpoint where it is named now). Indexes made before kept ids without the fingerprint;
such a stored id still matches any id that equals it without its fingerprints (they cannot be told apart later),
so an old index opens, searches and takes new files as before.
"""

from __future__ import annotations

import hashlib
import os
import re

FINGERPRINT_WHOLE_BYTES = 64 << 20  # a file up to this size is hashed whole
FINGERPRINT_SAMPLES, FINGERPRINT_SAMPLE_BYTES = 64, 64 << 10  # a larger one: 64 spread samples (4 MiB of 600 MB)
_FINGERPRINT = re.compile(r"#sha256:[0-9a-f]{16}")
_seen: dict[tuple, str] = {}  # (path, size, mtime_ns) -> fingerprint: an id is asked for many times a run


def fingerprint(path: str | os.PathLike) -> str:
    """`#sha256:` and 16 hex digits of a file's size and content: all of it up to FINGERPRINT_WHOLE_BYTES, else
    FINGERPRINT_SAMPLES samples spread over it, start and end included (each search process names its CLIP: a
    600 MB checkpoint read whole would cost a second or more; two checkpoints that differ only between the samples
    share an id). "" when the file cannot be read (a missing checkpoint is named by its file name alone)."""
    try:
        st = os.stat(path)
        key = (os.fspath(path), st.st_size, st.st_mtime_ns)
        if key not in _seen:
            digest, size = hashlib.sha256(str(st.st_size).encode()), st.st_size
            with open(path, "rb") as f:
                if size <= FINGERPRINT_WHOLE_BYTES:
                    digest.update(f.read())
                for n in range(FINGERPRINT_SAMPLES if size > FINGERPRINT_WHOLE_BYTES else 0):
                    f.seek((size - FINGERPRINT_SAMPLE_BYTES) * n // (FINGERPRINT_SAMPLES - 1))
                    digest.update(f.read(FINGERPRINT_SAMPLE_BYTES))
            _seen[key] = f"#sha256:{digest.hexdigest()[:16]}"
        return _seen[key]
    except OSError:
        return ""


def without_fingerprints(model_id: str) -> str:
    """The id as indexes made before fingerprints stored it."""
    return _FINGERPRINT.sub("", model_id)


def model_ids_match(stored: str | None, asked: str | None) -> bool:
    """Whether an index's `stored` model id is the model `asked` for: equal, or stored before ids carried
    fingerprints and equal to `asked` without them."""
    if stored == asked:
        return True
    if stored is None or asked is None or _FINGERPRINT.search(stored):
        return False
    return stored == without_fingerprints(asked)


def models_match(stored: dict[str, str], asked: dict[str, str]) -> bool:
    """model_ids_match for each kind of model of a file's record (FileRecord.models) against a run's."""
    return stored.keys() == asked.keys() and all(model_ids_match(stored[k], asked[k]) for k in stored)
