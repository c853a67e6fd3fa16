"""A file's record (FileRecord) as the metadata of its row in the files collection, and back."""

from __future__ import annotations

import json
from typing import Any

from momentsearch.store.ids import path_metadata, stored_path
from momentsearch.types import FileRecord


def record_metadata(record: FileRecord) -> dict[str, Any]:
    """A FileRecord as the metadata of its row in the files collection."""
    return {
        **path_metadata(record.path),
        "video_id": record.video_id,
        "size": record.size,
        "mtime": repr(float(record.mtime)),  # text: Chroma keeps floats to ~16 digits, and st_mtime needs 17
        "kind": record.kind,
        "duration": record.duration,
        "channels": ",".join(record.channels),
        "visual_segments": json.dumps([[round(s, 3), round(e, 3)] for s, e in record.visual_segments]),
        "sections": json.dumps([[round(s, 3), round(e, 3)] for s, e in record.sections]),
        "models": json.dumps(record.models),
        "sources": json.dumps(record.sources),
        "language": record.language,
        "complete": record.complete,
        "device": str(record.device),  # text: Chroma's integers are 64-bit signed, st_dev may not fit
        "inode": str(record.inode),
        "mime": record.mime,
        "version": record.version,
        "options": record.options,
        "content_id": record.content_id,
    }


def record_from_metadata(meta: dict[str, Any]) -> FileRecord:
    """The FileRecord a files-collection row holds."""
    return FileRecord(
        path=stored_path(meta),
        video_id=meta["video_id"],
        size=int(meta["size"]),
        mtime=float(meta["mtime"]),
        kind=meta.get("kind", "video"),
        duration=float(meta.get("duration", 0.0)),
        channels=[c for c in meta.get("channels", "").split(",") if c],
        visual_segments=[tuple(x) for x in json.loads(meta.get("visual_segments", "[]"))],
        sections=[tuple(x) for x in json.loads(meta.get("sections", "[]"))],
        models=json.loads(meta.get("models", "{}")),
        sources=json.loads(meta.get("sources", "{}")),
        language=str(meta.get("language", "")),
        complete=bool(meta.get("complete", False)),
        device=int(meta.get("device", 0) or 0),
        inode=int(meta.get("inode", 0) or 0),
        mime=str(meta.get("mime", "")),
        version=str(meta.get("version", "")),
        options=str(meta.get("options", "")),
        content_id=str(meta.get("content_id", "")),
    )
