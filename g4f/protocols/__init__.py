"""Wire formats of the APIs the gateway speaks besides chat completions (sans-IO).

Each module maps one API's JSON to g4f's internal request (OpenAI-style chat
``messages`` plus provider keyword arguments) and turns the internal answer (the
chunk kinds of :mod:`g4f.providers.response`: text, reasoning, tool calls, usage,
finish reason) into that API's objects and stream events. Nothing here does I/O:
the server modules in :mod:`g4f.api` read bodies, call the client and write bytes.

- :mod:`g4f.protocols.responses` / :mod:`g4f.protocols.responses_events`: OpenAI's
  Responses API (``POST /v1/responses``).
- :mod:`g4f.protocols.anthropic` / :mod:`g4f.protocols.anthropic_events`: Anthropic's
  Messages API (``POST /v1/messages``).
- :mod:`g4f.protocols.tokens`: the token estimate both use when a provider reports
  no usage (and for ``count_tokens``).
"""

from __future__ import annotations
