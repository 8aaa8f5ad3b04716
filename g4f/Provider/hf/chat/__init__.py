"""HuggingChat's chat-ui client, one module per responsibility.

:mod:`.api` (HTTP steps), :mod:`.files` (uploads), :mod:`.tools` (MCP servers and
tool results), :mod:`.stream` (the MessageUpdate stream), :mod:`.turn` (one turn of
a conversation), :mod:`.auth` (where credentials come from). The provider class is
:class:`g4f.Provider.hf.HuggingChat.HuggingChat`; the wire format is described in
``docs/protocols/huggingchat.md``.
"""

from __future__ import annotations
