"""GUI tests: background reads finish, and their results are delivered, inside the test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def background_reads_settle(store: object) -> Iterator[None]:
    """After each test, wait for the pool and deliver its results before the store closes.

    Depends on ``store`` so it runs its teardown first: a period list counted on the
    pool must not reach the next test, with this test's store already closed.
    """
    yield
    from PySide6.QtCore import QCoreApplication, QThreadPool

    QThreadPool.globalInstance().waitForDone(30_000)
    if QCoreApplication.instance() is not None:
        QCoreApplication.processEvents()
