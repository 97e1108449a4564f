"""Generated pictures for demo content and for imports that arrive without their photo."""

from __future__ import annotations

import hashlib
import io

from django.core.files.images import ImageFile
from PIL import Image as PILImage
from PIL import ImageDraw

from masthead.content.models import CreditedImage

PALETTES = [
    ((38, 70, 83), (42, 157, 143)),
    ((131, 56, 236), (58, 134, 255)),
    ((155, 34, 38), (238, 155, 0)),
    ((0, 95, 115), (148, 210, 189)),
    ((61, 64, 91), (242, 204, 143)),
    ((34, 87, 122), (56, 163, 165)),
]


def placeholder_picture(seed: str, size: tuple[int, int] = (1200, 675)) -> bytes:
    """A JPEG of soft bands and circles, the same for the same seed."""
    digest = hashlib.sha256(seed.encode()).digest()
    top, bottom = PALETTES[digest[0] % len(PALETTES)]
    width, height = size
    picture = PILImage.new("RGB", size)
    draw = ImageDraw.Draw(picture)
    for y in range(height):
        mix = y / height
        draw.line([(0, y), (width, y)], fill=tuple(int(a + (b - a) * mix) for a, b in zip(top, bottom, strict=True)))
    for index in range(6):
        x = digest[1 + index] / 255 * width
        y = digest[7 + index] / 255 * height
        radius = 40 + digest[13 + index] / 255 * height / 2
        draw.ellipse([x - radius, y - radius, x + radius, y + radius], outline=(255, 255, 255), width=3)
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def create_placeholder_image(*, title: str, alt_text: str, credit: str, seed: str, size=(1200, 675)) -> CreditedImage:
    data = placeholder_picture(seed, size)
    image = CreditedImage(title=title, description=alt_text, credit=credit)
    image.file = ImageFile(io.BytesIO(data), name=f"{hashlib.sha256(seed.encode()).hexdigest()[:16]}.jpg")
    image.save()
    return image
