"""The application icon: one SVG drawing and PNGs rendered from it at every size."""
from __future__ import annotations

import importlib.util
import struct
import xml.etree.ElementTree as ET
from pathlib import Path

from PySide6.QtGui import QImage

import pytest

from console.resources import ICON_SIZES, resource_path

REPO = Path(__file__).resolve().parents[2]


def png_header(path: Path) -> tuple[int, int, int]:
    data = path.read_bytes()[:33]
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG file"
    assert data[12:16] == b"IHDR"
    width, height, _depth, colour_type = struct.unpack(">IIBB", data[16:26])
    return width, height, colour_type


def test_the_svg_is_a_square_drawing():
    root = ET.parse(resource_path("icons/voitex-console.svg")).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    _x, _y, width, height = (float(v) for v in root.get("viewBox").split())
    assert width == height


@pytest.mark.parametrize("size", ICON_SIZES)
def test_every_png_size_exists_with_transparency(size):
    width, height, colour_type = png_header(resource_path(f"icons/voitex-console-{size}.png"))
    assert (width, height) == (size, size)
    assert colour_type == 6  # RGBA: the rounded corners are transparent


def load_renderer():
    spec = importlib.util.spec_from_file_location("render_icons", REPO / "packaging" / "render-icons.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("size", [16, 256])
def test_the_pngs_are_rendered_from_the_current_svg(qapp, tmp_path, size):
    """Fails when the SVG was changed without running packaging/render-icons.py."""
    fresh = tmp_path / f"{size}.png"
    load_renderer().render(resource_path("icons/voitex-console.svg"), size, fresh)
    committed = QImage(str(resource_path(f"icons/voitex-console-{size}.png")))
    rendered = QImage(str(fresh))
    assert committed.size() == rendered.size()
    total = 0
    for y in range(size):
        for x in range(size):
            a, b = committed.pixelColor(x, y), rendered.pixelColor(x, y)
            total += (abs(a.red() - b.red()) + abs(a.green() - b.green())
                      + abs(a.blue() - b.blue()) + abs(a.alpha() - b.alpha()))
    # Small differences between Qt versions' anti-aliasing are fine; a changed drawing is not.
    assert total / (size * size * 4) < 2.0


def test_the_icon_is_blue_with_a_white_handset_and_transparent_corners(qapp):
    image = QImage(str(resource_path("icons/voitex-console-256.png")))
    assert image.pixelColor(0, 0).alpha() == 0
    centre_left = image.pixelColor(30, 128)
    assert centre_left.blue() > 180 and centre_left.red() < 80
    whites = sum(1 for y in range(0, 256, 4) for x in range(0, 256, 4)
                 if image.pixelColor(x, y).lightness() > 240)
    assert whites > 200  # the handset and waves cover a good part of the face
