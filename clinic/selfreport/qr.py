"""QR codes for patient links, drawn by a template as inline SVG: no script, no image service.

segno (pure Python) computes the modules; this module turns them into SVG path data, the way
the assessment charts are pure functions rendered by templates.
"""

from __future__ import annotations

from dataclasses import dataclass

import segno

QUIET_ZONE = 4  # modules of white border that scanners need


@dataclass(frozen=True)
class QrCode:
    size: int  # modules along one side, quiet zone included
    path: str  # SVG path data: one 1-module-high rectangle per run of dark modules in a row


def qr_code(data: str) -> QrCode:
    """The QR code of `data` at error-correction level M (survives a smudged or cracked screen)."""
    rows = list(segno.make(data, error="m").matrix_iter(scale=1, border=QUIET_ZONE))
    parts = []
    for y, row in enumerate(rows):
        x = 0
        while x < len(row):
            if not row[x]:
                x += 1
                continue
            start = x
            while x < len(row) and row[x]:
                x += 1
            parts.append(f"M{start} {y}h{x - start}v1h-{x - start}z")
    return QrCode(size=len(rows), path="".join(parts))
