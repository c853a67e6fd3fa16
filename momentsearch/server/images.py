"""Images the HTTP server decodes: uploaded query images (bounded before and while decoding) and photos
shown small (a phone's original is no thumbnail, and no browser shows a TIFF)."""

from __future__ import annotations

import io
import threading

from momentsearch.errors import BadInputError, MediaChangedError, QueryError
from momentsearch.media import PHOTO_MAX_SIDE
from momentsearch.server.media import THUMB_MAX_SIDE

# -- uploaded query images ---------------------------------------------------------------------------
UPLOAD_MAX_PIXELS = 250_000_000  # an uploaded JPEG may have this many pixels (a 200 MP phone photo decodes at
                                 # 1/4 scale to PHOTO_MAX_SIDE: ~12 MP, under the limit below)
UPLOAD_MAX_FULL_DECODE_PIXELS = 16_000_000  # other formats decode at full size: at most this many
UPLOAD_DECODE_SLOTS = 2  # image uploads decoded at the same time; more wait (memory stays bounded)
_decode_slots = threading.BoundedSemaphore(UPLOAD_DECODE_SLOTS)


def open_upload(data: bytes, name: str):
    """An uploaded query image as an RGB array. The pixel count is checked from the header before
    decoding, JPEG decodes at a reduced size, and at most UPLOAD_DECODE_SLOTS decode at once.
    QueryError for anything that is not a usable image."""
    from momentsearch.media import open_image

    if not data:
        raise QueryError("the uploaded image is empty")
    with _decode_slots:
        try:
            return open_image(io.BytesIO(data), max_side=PHOTO_MAX_SIDE, max_pixels=UPLOAD_MAX_PIXELS,
                              max_full_decode_pixels=UPLOAD_MAX_FULL_DECODE_PIXELS)
        except BadInputError as exc:
            raise QueryError(f"the uploaded file {name!r} is not a usable image: {exc.reason}") from exc


def photo_jpeg(source, max_side: int = THUMB_MAX_SIDE) -> bytes:
    """A photo as a JPEG, upright, long side <= max_side: a phone's 5-30 MB original is no thumbnail, and no
    browser shows a TIFF. MediaChangedError when it no longer reads."""
    from PIL import Image

    from momentsearch.media import open_image

    try:
        picture = open_image(source, max_side=max_side)
    except BadInputError as exc:
        raise MediaChangedError(f"the photo cannot be read ({exc.reason})") from exc
    buf = io.BytesIO()
    Image.fromarray(picture).save(buf, format="JPEG", quality=82)
    return buf.getvalue()
