"""Draw assets/favicon.png: white bars shaped like a normal curve on an indigo tile.

The app's tab icon ships with the app: a Material icon as page_icon makes every visitor's
browser fetch it from fonts.gstatic.com (a third party, and absent on an offline class server).
Run from the project root: ``.venv/bin/python assets/make_favicon.py``.
"""

from __future__ import annotations

import math
from pathlib import Path

from PIL import Image, ImageDraw

SIZE, SCALE = 64, 4  # drawn at 4x and downsampled, for smooth edges


def main() -> None:
    big = SIZE * SCALE
    img = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    draw.rounded_rectangle((0, 0, big - 1, big - 1), radius=14 * SCALE, fill="#4f46e5")
    bars, left, right, base, top = 7, 9 * SCALE, 55 * SCALE, 52 * SCALE, 12 * SCALE
    width = (right - left) / bars
    for i in range(bars):
        z = (i - (bars - 1) / 2) / 1.6
        height = (base - top) * math.exp(-z * z / 2)
        x0 = left + i * width + 1.5 * SCALE
        draw.rounded_rectangle(
            (x0, base - height, x0 + width - 3 * SCALE, base), radius=SCALE, fill="white"
        )
    img.resize((SIZE, SIZE), Image.Resampling.LANCZOS).save(
        Path(__file__).with_name("favicon.png"), optimize=True
    )


if __name__ == "__main__":
    main()
