"""Python modules generated from the Designer sources in the top-level ``ui/`` folder.

Never edit them by hand: run ``python -m jlip_desk.ui.forms`` after changing a ``.ui``
file; a test fails when they are stale.
"""
