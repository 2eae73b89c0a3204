from __future__ import annotations

import segno

from clinic.lib.qr import qr_svg

URL = "https://steady.example.org/p/" + "A1b2_C3d4-" * 4 + "xyz/"


def test_the_qr_code_is_segnos_drawing_of_the_link_with_its_title():
    svg = qr_svg(URL, title="QR code of the link")
    assert svg.startswith("<svg") and "<title>QR code of the link</title>" in svg
    expected = segno.make(URL, error="m").svg_inline(
        scale=5, border=4, title="QR code of the link", dark="#000", light="#fff"
    )
    assert svg == expected


def test_the_title_cannot_inject_markup():
    assert "<script" not in qr_svg(URL, title="<script>x</script>")


def test_the_svg_carries_no_style_or_script_that_the_csp_would_refuse():
    svg = qr_svg(URL, title="t")
    assert "style" not in svg and "script" not in svg and "on" + "load" not in svg
