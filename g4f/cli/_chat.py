"""``g4f chat``: one question, the answer streamed to the terminal."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ._term import Term, UsageError

__all__ = ["add_chat_parser", "read_prompt", "run_chat"]


def add_chat_parser(sub: Any) -> None:
    parser = sub.add_parser("chat", help="ask a model; the answer streams to the terminal")
    parser.add_argument("prompt", nargs="*", help="the question (read from stdin when piped)")
    parser.add_argument(
        "-m", "--model", default="", help="model name or alias (default: the default model)"
    )
    parser.add_argument(
        "-p",
        "--provider",
        default=None,
        help="provider name (default: every provider serving the model)",
    )
    parser.add_argument("-s", "--system", default=None, help="a system prompt")
    parser.add_argument(
        "--no-stream", action="store_true", help="print the answer when it is complete"
    )
    parser.add_argument(
        "--no-reasoning", action="store_true", help="do not show the model's reasoning"
    )
    parser.add_argument(
        "--api-key", default=None, help="Hugging Face token (default: HF_TOKEN or the hf login)"
    )
    parser.add_argument("--proxy", default=None, help="proxy URL for the provider requests")
    parser.set_defaults(command="chat")


def read_prompt(words: list[str], stdin: Any = None) -> str:
    """The prompt from the arguments, stdin (when piped), or both (stdin first)."""
    stdin = stdin if stdin is not None else sys.stdin
    prompt = " ".join(words).strip()
    piped = ""
    isatty = getattr(stdin, "isatty", None)
    if stdin is not None and not (isatty and isatty()):
        piped = stdin.read().strip()
    if piped and prompt:
        return f"{piped}\n\n{prompt}"
    text = piped or prompt
    if not text:
        raise UsageError("no prompt: give it as an argument or pipe it on stdin")
    return text


async def run_chat(args: argparse.Namespace, term: Term) -> int:
    """Ask once and print the answer; the client raises typed errors on failure."""
    from ..client import AsyncClient

    prompt = read_prompt(args.prompt)
    messages: list[dict[str, Any]] = []
    if args.system:
        messages.append({"role": "system", "content": args.system})
    messages.append({"role": "user", "content": prompt})
    client = AsyncClient(api_key=args.api_key, proxies=args.proxy)
    completions = client.chat.completions
    if args.no_stream:
        completion = await completions.create(messages, args.model, args.provider)
        message = completion.choices[0].message
        if message.reasoning and not args.no_reasoning:
            term.reasoning(message.reasoning)
        term.content(message.content or "")
        term.finish()
        return 0
    stream = completions.create(messages, args.model, args.provider, stream=True)
    try:
        async for chunk in stream:
            delta = chunk.choices[0].delta if chunk.choices else None
            if delta is not None and delta.reasoning and not args.no_reasoning:
                term.reasoning(delta.reasoning)
            if delta is not None and delta.content:
                term.content(delta.content)
            if chunk.extra and "progress" in chunk.extra:
                term.status(str(chunk.extra["progress"]))
    except BaseException:
        term.finish()
        raise
    finally:
        await stream.aclose()
    term.finish()
    return 0
