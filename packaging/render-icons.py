"""Render resources/icons/voitex-console.svg to the PNG sizes beside it.

Run after changing the SVG:  .venv/bin/python packaging/render-icons.py
Each size is rendered from the vector drawing (not scaled down from the
largest PNG), so small sizes stay sharp. Needs no display: Qt runs offscreen.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QGuiApplication, QImage, QPainter  # noqa: E402
from PySide6.QtSvg import QSvgRenderer  # noqa: E402

ICONS_DIR = Path(__file__).resolve().parent.parent / "resources" / "icons"
NAME = "voitex-console"
SIZES = (16, 32, 48, 64, 128, 256)


def render(svg: Path, size: int, target: Path) -> None:
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"{svg} is not a valid SVG drawing")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    if not image.save(str(target), "PNG"):
        raise SystemExit(f"could not write {target}")


def main() -> int:
    app = QGuiApplication(sys.argv[:1])  # noqa: F841  (QPainter on images needs it)
    svg = ICONS_DIR / f"{NAME}.svg"
    for size in SIZES:
        target = ICONS_DIR / f"{NAME}-{size}.png"
        render(svg, size, target)
        print(f"wrote {target.relative_to(ICONS_DIR.parent.parent)} ({size}x{size})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
