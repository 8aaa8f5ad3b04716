"""What the fake router's models answer: scripts and the chunk / event builders.

:mod:`tests.fakes.router` serves these; they are plain functions of a script so a
test can reason about exactly what went over the wire.
"""

from __future__ import annotations

import re
import struct
import zlib
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "CHAT_MAPPING",
    "CHAT_PATHS",
    "ChatScript",
    "TgiScript",
    "ToolCallScript",
    "chat_chunks",
    "chat_completion",
    "default_catalogue",
    "png_bytes",
    "png_size",
    "tgi_events",
]


#: Hub id → provider → the provider's own model id (the Hub's inference provider mapping
#: of conversational models; tests/fakes/hub.py serves it, the router checks it).
CHAT_MAPPING: dict[str, dict[str, str]] = {
    "meta-llama/Llama-3.3-70B-Instruct": {
        "together": "meta-llama/Llama-3.3-70B-Instruct-Turbo",
        "novita": "meta-llama/llama-3.3-70b-instruct",
        "hf-inference": "meta-llama/Llama-3.3-70B-Instruct",
    },
    "openai/gpt-oss-120b": {"groq": "openai/gpt-oss-120b", "cerebras": "gpt-oss-120b"},
    "deepseek-ai/DeepSeek-R1": {
        "together": "deepseek-ai/DeepSeek-R1",
        "novita": "deepseek/deepseek-r1-turbo",
    },
    "zai-org/GLM-4.6": {"zai-org": "glm-4.6"},
}

#: Provider → chat path when it is not /v1/chat/completions (huggingface_hub
#: _providers/cohere.py, deepinfra.py, fireworks_ai.py, groq.py, novita.py, zai_org.py).
CHAT_PATHS: dict[str, str] = {
    "cohere": "/compatibility/v1/chat/completions",
    "deepinfra": "/v1/openai/chat/completions",
    "fireworks-ai": "/inference/v1/chat/completions",
    "groq": "/openai/v1/chat/completions",
    "novita": "/v3/openai/chat/completions",
    "zai-org": "/api/paas/v4/chat/completions",
}


def png_bytes(width: int, height: int, rgb: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A valid RGB PNG of the given size (one colour)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    row = b"\x00" + bytes(rgb) * width
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR."""
    if not data.startswith(b"\x89PNG"):
        raise ValueError("not a PNG")
    return struct.unpack(">II", data[16:24])


@dataclass
class ToolCallScript:
    """One tool call the fake model makes; ``arguments`` is streamed in ``pieces`` parts."""

    name: str
    arguments: str
    id: str = "call_1"
    pieces: int = 3


@dataclass
class ChatScript:
    """What the fake chat model answers and how the stream is laid out.

    ``variant``: "novita" (role chunk, content chunks, finish chunk, usage chunk with
    ``choices: []``) or "tgi" (§A (a): every chunk repeats ``delta.role``, ``"usage":
    null``, ``"id": ""``, the last content chunk carries the finish reason).
    ``reasoning_field``: "reasoning", "reasoning_content", "reasoning_text" or "think"
    (inline ``<think>`` tags in the content). ``done_no_space`` sends ``data:[DONE]``
    (e), ``keepalive`` interleaves SSE comments (f), ``always_usage`` sends usage
    even when ``include_usage`` was not asked (g). ``ignore_stream`` answers JSON even
    to a stream request, as some backends do; ``duplicate_done`` sends ``[DONE]`` twice.
    """

    content: str = "Paris is the capital of France."
    reasoning: str = ""
    reasoning_field: str = "reasoning_content"
    tool_calls: list[ToolCallScript] = field(default_factory=list)
    finish_reason: str | None = None
    usage: dict[str, int] = field(
        default_factory=lambda: {"prompt_tokens": 12, "completion_tokens": 7, "total_tokens": 19}
    )
    variant: str = "novita"
    done_no_space: bool = False
    keepalive: bool = False
    always_usage: bool = False
    chunk_size: int = 5
    backend: str = "novita"
    ignore_stream: bool = False
    duplicate_done: bool = False


@dataclass
class TgiScript:
    """What the fake TGI model generates: ``text`` tokens, then the special ``eos``.

    Generation stops at ``max_new_tokens`` (finish ``length``). ``details_in_stream``
    False drops ``details`` from the stream so the client must rely on special tokens.
    """

    text: str = " Deep learning is a branch of machine learning."
    eos: str | None = "</s>"
    details_in_stream: bool = True
    input_length: int = 17


def _pieces(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)] or []


def _tokens(text: str) -> list[str]:
    return re.findall(r"\s*\S+|\s+$", text)


def default_catalogue() -> list[dict[str, Any]]:
    def entry(model_id: str, *providers: dict[str, Any], vision: bool = False) -> dict[str, Any]:
        modalities = ["text", "image"] if vision else ["text"]
        return {
            "id": model_id,
            "object": "model",
            "created": 1737000000,
            "owned_by": model_id.split("/")[0],
            "architecture": {"input_modalities": modalities, "output_modalities": ["text"]},
            "providers": list(providers),
        }

    return [
        entry(
            "openai/gpt-oss-120b",
            {
                "provider": "groq",
                "status": "live",
                "context_length": 131072,
                "supports_tools": True,
            },
            {"provider": "cerebras", "status": "live"},
        ),
        entry(
            "meta-llama/Llama-3.3-70B-Instruct",
            {
                "provider": "together",
                "status": "live",
                "context_length": 131072,
                "pricing": {"input": 0.88, "output": 0.88},
                "supports_tools": True,
                "supports_structured_output": True,
            },
            {"provider": "novita", "status": "error", "context_length": 4096},
        ),
        entry(
            "deepseek-ai/DeepSeek-R1",
            {
                "provider": "together",
                "status": "live",
                "context_length": 163840,
                "supports_tools": False,
            },
            {"provider": "novita", "status": "live"},
        ),
        entry("Qwen/Qwen2.5-Coder-32B-Instruct", {"provider": "nebius", "status": "live"}),
        entry(
            "meta-llama/Llama-3.2-11B-Vision-Instruct",
            {"provider": "together", "status": "live", "context_length": 8192},
            vision=True,
        ),
    ]


def _tool_deltas(script: ChatScript) -> list[dict[str, Any]]:
    deltas = []
    for index, call in enumerate(script.tool_calls):
        size = max(1, -(-len(call.arguments) // max(1, call.pieces)))
        deltas.append(
            {
                "index": index,
                "id": call.id,
                "type": "function",
                "function": {"name": call.name, "arguments": ""},
            }
        )
        deltas += [
            {"index": index, "function": {"arguments": p}} for p in _pieces(call.arguments, size)
        ]
    return deltas


def _finish(script: ChatScript) -> str:
    return script.finish_reason or ("tool_calls" if script.tool_calls else "stop")


def _visible_content(script: ChatScript) -> str:
    if script.reasoning and script.reasoning_field == "think":
        return f"<think>{script.reasoning}</think>{script.content}"
    return script.content


def _stream_deltas(script: ChatScript) -> list[dict[str, Any]]:
    """The deltas of a streamed answer, before any framing."""
    deltas: list[dict[str, Any]] = []
    if script.reasoning and script.reasoning_field != "think":
        deltas += [
            {script.reasoning_field: p} for p in _pieces(script.reasoning, script.chunk_size)
        ]
    deltas += [{"content": p} for p in _pieces(_visible_content(script), script.chunk_size)]
    deltas += [{"tool_calls": [d]} for d in _tool_deltas(script)]
    return deltas


def chat_chunks(script: ChatScript, model: str, include_usage: bool) -> list[dict[str, Any]]:
    """Stream chunk objects in the script's variant."""
    tgi = script.variant == "tgi"
    base: dict[str, Any] = {
        "id": "" if tgi else "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": 1,
    }
    base["model"] = model
    if tgi:
        base["system_fingerprint"] = "3.2.1-native"
        base["usage"] = None
    else:
        base["sla_metrics"] = {"ttft_ms": 12}

    def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        if tgi:
            delta = {"role": "assistant", **delta}
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
        return {**base, "choices": [choice]}

    deltas = _stream_deltas(script)
    chunks = [] if tgi else [chunk({"role": "assistant"})]
    if tgi and deltas:
        chunks += [chunk(d) for d in deltas[:-1]] + [chunk(deltas[-1], _finish(script))]
    else:
        chunks += [chunk(d) for d in deltas] + [chunk({}, _finish(script))]
    if include_usage or script.always_usage:
        usage_chunk = {**base, "choices": [], "usage": script.usage}
        chunks.append(usage_chunk)
    return chunks


def chat_completion(script: ChatScript, model: str) -> dict[str, Any]:
    message: dict[str, Any] = {
        "role": "assistant",
        "content": _visible_content(script),
        "reasoning": None,
    }
    if script.reasoning and script.reasoning_field != "think":
        message[script.reasoning_field] = script.reasoning
    if script.tool_calls:
        message["tool_calls"] = [
            {
                "id": c.id,
                "type": "function",
                "index": i,
                "function": {"name": c.name, "arguments": c.arguments},
            }
            for i, c in enumerate(script.tool_calls)
        ]
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": 1769718266,
        "model": model,
        "system_fingerprint": "fp_fake",
        "choices": [
            {"index": 0, "finish_reason": _finish(script), "logprobs": None, "message": message}
        ],
        "usage": script.usage,
    }


def tgi_events(
    script: TgiScript, max_new: int, inputs: str
) -> tuple[list[dict[str, Any]], str, dict[str, Any]]:
    tokens = _tokens(script.text)
    finish = "eos_token" if script.eos else "length"
    if len(tokens) >= max_new:
        tokens, finish = tokens[:max_new], "length"
    text = "".join(tokens)
    details = {
        "finish_reason": finish,
        "generated_tokens": len(tokens) + (1 if finish == "eos_token" else 0),
        "seed": None,
        "input_length": script.input_length,
    }
    events = [
        {
            "index": i + 1,
            "token": {"id": 1000 + i, "text": tok, "logprob": -0.25, "special": False},
            "generated_text": None,
            "details": None,
        }
        for i, tok in enumerate(tokens)
    ]
    if finish == "eos_token":
        eos = {"id": 2, "text": script.eos, "logprob": 0.0, "special": True}
        events.append(
            {"index": len(tokens) + 1, "token": eos, "generated_text": None, "details": None}
        )
    if events:
        events[-1]["generated_text"] = text
        events[-1]["details"] = details if script.details_in_stream else None
    return events, text, details
