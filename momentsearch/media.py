"""Opening images safely (query images, photos): EXIF orientation, size limits, bombs refused."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

from momentsearch.errors import BadInputError, QueryError

MAX_PIXELS = 80_000_000  # images larger than this many pixels are refused (decompression bombs)
MAX_SIDE = 1024  # images are downscaled so their long side is at most this (CLIP reads 224)


def open_image(path: str | Path) -> np.ndarray:
    """An RGB uint8 array from an image file (first frame of a GIF). Raises BadInputError."""
    from PIL import Image, ImageOps

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as img:
                if img.width * img.height > MAX_PIXELS:
                    raise BadInputError(str(path), f"image too large ({img.width}x{img.height} pixels); "
                                                   "refused as a possible decompression bomb")
                img.seek(0)
                img = ImageOps.exif_transpose(img)
                img.draft("RGB", (MAX_SIDE, MAX_SIDE))
                img = img.convert("RGB")
                img.thumbnail((MAX_SIDE, MAX_SIDE))
                return np.asarray(img, dtype=np.uint8)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise BadInputError(str(path), f"refused as a possible decompression bomb: {exc}") from exc
    except BadInputError:
        raise
    except FileNotFoundError as exc:
        raise BadInputError(str(path), "file not found") from exc
    except PermissionError as exc:
        raise BadInputError(str(path), "permission denied") from exc
    except (OSError, ValueError, SyntaxError) as exc:
        raise BadInputError(str(path), f"not a readable image ({exc})") from exc


def load_query_image(image) -> np.ndarray:
    """A query image from a path, a PIL image or an array; a QueryError when it is not an image."""
    if isinstance(image, np.ndarray):
        return image
    if hasattr(image, "convert"):
        return np.asarray(image.convert("RGB"), dtype=np.uint8)
    try:
        return open_image(image)
    except BadInputError as exc:
        raise QueryError(f"the image query {exc.path} cannot be used: {exc.reason}") from exc
