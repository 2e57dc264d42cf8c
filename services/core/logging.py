"""Logging set-up: our own lines only, and never anything personal in them."""

from __future__ import annotations

import logging


def configure_logging(level: str = "INFO") -> None:
    """Send PeerMatch's loggers to standard error once, at the given level."""
    logger = logging.getLogger("peermatch")
    if logger.handlers:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(level.upper())
    logger.propagate = True
