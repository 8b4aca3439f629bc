"""The one check of an uploaded image (an organiser's logo, a module's picture): is it really a
PNG or JPEG, and how many pixels does it have? Callers say no in their own words."""

from __future__ import annotations

import io

from PIL import Image, UnidentifiedImageError

#: At most this many pixels: larger images are refused before anyone decodes them in full.
MAX_PIXELS = 4000 * 4000
FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg"}


def image_kind(content: bytes) -> tuple[str | None, int]:
    """The MIME type of a real PNG or JPEG image (None for anything else) and its pixel count."""
    try:
        with Image.open(io.BytesIO(content)) as image:
            kind, pixels = image.format, image.width * image.height
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None, 0
    return FORMATS.get(kind), pixels
