"""Logging for g4f: one ``g4f`` logger whose records are redacted of secrets."""

from __future__ import annotations

import logging
import threading
from typing import Any

from ._secrets import redact

__all__ = ["logger", "log", "error", "enable_logging", "redact_all_logging"]


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


_factory_lock = threading.Lock()
_factory_installed = False


def _scrub(record: logging.LogRecord) -> None:
    """Format ``record`` now and redact the text; a traceback becomes redacted text."""
    try:
        message = record.getMessage()
    except Exception:  # noqa: BLE001 - a bad format string must not lose the record
        message = f"{record.msg!r} {record.args!r}"
    record.msg, record.args = redact(message), None
    if record.exc_info:
        # The raw exception is dropped: a formatter would print its frames and message
        # (which may quote a header or a URL) without passing them through redaction.
        if not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.exc_info = None
    if record.exc_text:
        record.exc_text = redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)


def redact_all_logging() -> None:
    """Redact every log record the process creates from now on, from any logger.

    Installed by the API server (:func:`g4f.api.create_app`): aiohttp's and asyncio's
    records (parser errors, "Task exception was never retrieved", ...) carry header
    lines and exception messages; the record factory formats each record when it is
    made and replaces registered secrets and token-shaped values in its message and
    traceback text. Idempotent.
    """
    global _factory_installed
    with _factory_lock:
        if _factory_installed:
            return
        previous = logging.getLogRecordFactory()

        def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            _scrub(record)
            return record

        logging.setLogRecordFactory(factory)
        _factory_installed = True
