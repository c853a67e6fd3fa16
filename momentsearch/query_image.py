"""A query image as the models read it: a path, an open binary file, a PIL image or a numpy array in any
of the usual shapes and number types, made an RGB uint8 array at most `PHOTO_MAX_SIDE` pixels on its long
side (the size a photo in the index is read at); anything else is a QueryError that says what is taken."""

from __future__ import annotations

import os

import numpy as np

from momentsearch.errors import BadInputError, QueryError
from momentsearch.media import PHOTO_MAX_SIDE, open_image, to_rgb


def load_query_image(image) -> np.ndarray:
    """A query image from a path, a PIL image or an array; a QueryError when it is not an image."""
    if isinstance(image, np.ndarray):
        return _query_array(image)
    if hasattr(image, "convert"):  # turned as its EXIF orientation says, as a path's is (Image.open does not)
        from PIL import ImageOps

        return np.asarray(to_rgb(ImageOps.exif_transpose(image), max_side=PHOTO_MAX_SIDE), dtype=np.uint8)
    if not isinstance(image, (str, os.PathLike)) and not hasattr(image, "read"):
        raise QueryError(f"an image query is a path, an open binary file, a PIL image or an RGB array "
                         f"(got {type(image).__name__})")
    try:
        return open_image(image, max_side=PHOTO_MAX_SIDE)
    except BadInputError as exc:
        raise QueryError(f"the image query {exc.path} cannot be used: {exc.reason}") from exc


def _query_array(a: np.ndarray) -> np.ndarray:
    """An array given as a query image, as the RGB uint8 array the models read (at most PHOTO_MAX_SIDE):
    grey (H x W or H x W x 1), RGBA (laid on white), floats in 0..1 or 0..255, 16-bit; else a QueryError."""
    from PIL import Image

    if a.ndim == 2:
        a = a[..., None]
    if a.ndim != 3 or a.shape[2] not in (1, 3, 4) or min(a.shape[:2]) < 1 or a.dtype.kind not in "uif":
        raise QueryError(f"an image array is H x W (grey), H x W x 3 (RGB) or H x W x 4 (RGBA) numbers, not "
                         f"{a.dtype} of shape {a.shape}")
    if a.dtype.kind == "f":
        a = np.nan_to_num(a.astype(np.float64)) * (255.0 if np.nanmax(a) <= 1.0 else 1.0)
    elif a.dtype != np.uint8 and a.max() > 255:
        a = a / 257.0  # 16-bit
    a = np.clip(np.rint(a), 0, 255).astype(np.uint8)
    a = np.repeat(a, 3, axis=2) if a.shape[2] == 1 else a
    return np.asarray(to_rgb(Image.fromarray(a), max_side=PHOTO_MAX_SIDE), dtype=np.uint8)
