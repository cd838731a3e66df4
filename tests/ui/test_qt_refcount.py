"""The Qt binding keeps Python's books: painting does not eat references to None.

PySide6 6.12.0 decremented None's reference count on every QPainter call that
returns nothing (setPen, drawLine, fillRect…). On Python 3.11, where None is not
immortal, a few PDF reports or chart repaints drove the count to zero and the
program died at exit with "Fatal Python error: none_dealloc". pyproject.toml
keeps that version out; this test keeps it out of every later upgrade.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QImage, QPainter, QPen


def test_painting_leaves_the_reference_count_of_none_alone(qapp: object) -> None:
    image = QImage(64, 64, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        before = sys.getrefcount(None)
        for _ in range(1000):
            painter.setPen(QPen(QColor("red"), 2))
            painter.setBrush(QColor("blue"))
            painter.drawLine(QPointF(0, 0), QPointF(10, 10))
            painter.fillRect(QRectF(0, 0, 5, 5), QColor("green"))
            painter.save()
            painter.restore()
        after = sys.getrefcount(None)
    finally:
        painter.end()
    # Other threads may hold or drop a few references meanwhile; 6.12.0 lost 6,000.
    assert after - before > -200, f"None lost {before - after} references"
