from __future__ import annotations

import re

import segno

from clinic.selfreport.qr import QUIET_ZONE, qr_code

URL = "https://steady.example.org/p/" + "A1b2_C3d4-" * 4 + "xyz/"


def test_the_svg_path_draws_exactly_the_dark_modules_of_the_code():
    code = qr_code(URL)
    expected = [list(row) for row in segno.make(URL, error="m").matrix_iter(scale=1, border=QUIET_ZONE)]
    drawn = [[0] * code.size for _ in range(code.size)]
    for x, y, width in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\3z", code.path):
        for dx in range(int(width)):
            drawn[int(y)][int(x) + dx] = 1
    assert code.size == len(expected) and drawn == expected


def test_the_path_holds_nothing_but_drawing_commands():
    assert re.fullmatch(r"[Mhvz0-9 -]+", qr_code(URL).path)
