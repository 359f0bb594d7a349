"""A memory bound for the images of one refresh.

A few kilobytes of PNG can decode to 40 million pixels (a 6300×6300 1-bit
image is 4.9 KB and 40 MB decoded, 160 MB as RGB). Decoding every image at
once took a refresh of 20 such images past a gigabyte. So each decode first
reserves what it will need, estimated from the image's header, from one
budget for the whole refresh, and waits while the budget is spent; an image
that needs more than the whole budget decodes alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
from collections.abc import AsyncIterator

from PIL import Image

# Bytes of decoded pixels a refresh may hold at once.
DECODE_BUDGET = 256 * 1024 * 1024
# Per pixel while converting: the decoded source (at most 4 bytes a pixel)
# plus the RGB(A) working copy (4 bytes); thumbnailing only shrinks it.
BYTES_PER_PIXEL = 8


def decode_cost(data: bytes) -> int:
    """The bytes decoding `data` may take, from its header alone (Pillow
    reads only the header on open); 0 when it is not an image Pillow knows
    (the decode then fails at once, costing nothing)."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
    except Exception:  # untrusted bytes: whatever fails here fails to_jpeg too
        return 0
    return width * height * BYTES_PER_PIXEL


class DecodeBudget:
    """Reservations of decode memory: `async with budget.reserve(cost):`."""

    def __init__(self, limit: int = DECODE_BUDGET):
        self.limit = limit
        self.in_use = 0
        self.peak = 0  # the most reserved at once (for tests and reports)
        self._changed = asyncio.Condition()

    @contextlib.asynccontextmanager
    async def reserve(self, cost: int) -> AsyncIterator[None]:
        cost = min(max(cost, 0), self.limit)
        async with self._changed:
            await self._changed.wait_for(lambda: self.in_use + cost <= self.limit)
            self.in_use += cost
            self.peak = max(self.peak, self.in_use)
        try:
            yield
        finally:
            async with self._changed:
                self.in_use -= cost
                self._changed.notify_all()
