"""A streamed media answer that closes its file when the answer ends (server/routes.py's media route)."""

from __future__ import annotations

from fastapi.responses import StreamingResponse

from momentsearch.server.media import FileChunks


class ClosingStream(StreamingResponse):
    """A streamed file whose descriptor is closed when the answer ends, however it ends. Starlette leaves a body
    iterator it did not finish to the garbage collector: a player that hung up on a range (every seek) kept its
    file open until a cyclic collection, and one that hung up before the first byte kept it open for good."""

    def __init__(self, chunks: FileChunks, **kw) -> None:
        super().__init__(chunks, **kw)
        self._source = chunks

    async def __call__(self, scope, receive, send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self._source.close()  # (no worker thread reads it now: anyio waits for one that was cancelled)
