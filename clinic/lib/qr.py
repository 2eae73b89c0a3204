"""QR codes drawn on the server as inline SVG (no script, no image request): the one renderer."""

from __future__ import annotations

import segno
from django.utils.safestring import SafeString, mark_safe

QUIET_ZONE = 4  # modules of white border that scanners need


def qr_svg(data: str, *, title: str) -> SafeString:
    """The QR code of `data` at error-correction level M (survives a smudged or cracked screen)."""
    svg = segno.make(data, error="m").svg_inline(scale=5, border=QUIET_ZONE, title=title, dark="#000", light="#fff")
    # segno writes the markup and escapes the title.
    return mark_safe(svg)  # nosec B308 B703
