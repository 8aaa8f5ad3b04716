"""Logging for g4f: one ``g4f`` logger whose records are redacted of secrets."""

from __future__ import annotations

import logging

from ._secrets import redact

__all__ = ["logger", "log", "error", "enable_logging"]


class RedactingFilter(logging.Filter):
    """Replaces registered secrets in every record's final message."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, None
        return True


logger = logging.getLogger("g4f")
logger.addFilter(RedactingFilter())
logger.addHandler(logging.NullHandler())


def log(message: str, *args: object) -> None:
    """Debug-level log line."""
    logger.debug(message, *args)


def error(message: str, *args: object) -> None:
    """Warning-level log line."""
    logger.warning(message, *args)


def enable_logging(level: int = logging.DEBUG) -> None:
    """Print g4f's log lines to stderr."""
    if not any(
        isinstance(h, logging.StreamHandler) and not isinstance(h, logging.NullHandler)
        for h in logger.handlers
    ):
        handler = logging.StreamHandler()
        handler.addFilter(RedactingFilter())
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
        logger.addHandler(handler)
    logger.setLevel(level)
