"""``g4f chat``: one question with its answer streamed, or a conversation at the terminal.

With a prompt (arguments or piped stdin) it asks once. With neither, on a terminal, it
keeps a conversation: each answer joins the history, and lines starting with ``/`` are
commands (``/help`` lists them).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import threading
from collections.abc import Awaitable, Callable
from typing import Any

from ._term import Term, UsageError

__all__ = ["add_chat_parser", "read_prompt", "run_chat", "Conversation"]

#: Reads one line of input (``None`` at end of input).
LineReader = Callable[[str], Awaitable["str | None"]]

HELP = """Commands:
  /model [NAME]     show or change the model
  /provider [NAME]  show or change the provider (/provider - for every provider)
  /system [TEXT]    show or set the system prompt
  /clear            forget the conversation
  /save FILE        write the conversation to FILE as JSON
  /help             this list
  /exit             leave (Ctrl-D works too)"""


def add_chat_parser(sub: Any) -> None:
    parser = sub.add_parser(
        "chat",
        help="ask a model (the answer streams); without a prompt, chat interactively",
    )
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
        "--json",
        action="store_true",
        help="print the whole completion as OpenAI-shaped JSON (implies --no-stream)",
    )
    parser.add_argument(
        "--api-key", default=None, help="Hugging Face token (default: HF_TOKEN or the hf login)"
    )
    parser.add_argument("--proxy", default=None, help="proxy URL for the provider requests")
    parser.set_defaults(command="chat")


def _is_terminal(stream: Any) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (ValueError, OSError):
        return False


def read_prompt(words: list[str], stdin: Any = None) -> str:
    """The prompt from the arguments, stdin (when piped), or both (stdin first)."""
    stdin = stdin if stdin is not None else sys.stdin
    prompt = " ".join(words).strip()
    piped = ""
    if stdin is not None and not _is_terminal(stdin):
        piped = stdin.read().strip()
    if piped and prompt:
        return f"{piped}\n\n{prompt}"
    text = piped or prompt
    if not text:
        raise UsageError("no prompt: give it as an argument or pipe it on stdin")
    return text


class Conversation:
    """The state of an interactive chat: settings and the message history."""

    def __init__(self, model: str, provider: str | None, system: str | None) -> None:
        self.model = model
        self.provider = provider
        self.system = system
        self.history: list[dict[str, Any]] = []

    def messages(self, prompt: str) -> list[dict[str, Any]]:
        """The request's messages: system prompt, history, then ``prompt``."""
        head = [{"role": "system", "content": self.system}] if self.system else []
        return head + self.history + [{"role": "user", "content": prompt}]

    def command(self, line: str, term: Term) -> bool:
        """Run one ``/command``; returns False when the conversation should end."""
        name, _, rest = line[1:].strip().partition(" ")
        rest = rest.strip()
        if name in ("exit", "quit", "q"):
            return False
        if name == "help":
            term.note(HELP)
        elif name == "clear":
            self.history.clear()
            term.note("conversation cleared")
        elif name == "model":
            if rest:
                self.model = rest
            term.note(f"model: {self.model or '(default)'}")
        elif name == "provider":
            if rest:
                from ..Provider import get_provider

                self.provider = None if rest == "-" else get_provider(rest).__name__
            term.note(f"provider: {self.provider or '(every provider serving the model)'}")
        elif name == "system":
            if rest:
                self.system = rest
            term.note(f"system: {self.system or '(none)'}")
        elif name == "save":
            self.save(rest, term)
        else:
            term.note(f"unknown command /{name}; /help lists the commands")
        return True

    def save(self, path: str, term: Term) -> None:
        if not path:
            term.note("usage: /save FILE")
            return
        data = {"model": self.model, "provider": self.provider, "messages": self.messages("")[:-1]}
        try:
            with open(path, "w", encoding="utf-8") as handle:
                json.dump(data, handle, indent=2, ensure_ascii=False)
        except OSError as exc:
            term.note(f"cannot save to {path}: {exc.strerror or exc}")
            return
        term.note(f"saved {len(self.history)} messages to {path}")


async def _ask(
    client: Any, messages: list[dict[str, Any]], model: str, provider: Any, args: Any, term: Term
) -> str:
    """Stream one answer to the terminal; returns its text."""
    completions = client.chat.completions
    show_reasoning = not args.no_reasoning
    term.spin(f"waiting for {model or 'the default model'}")
    if args.no_stream or args.json:
        completion = await completions.create(messages, model, provider)
        if args.json:
            term.stop_spinner()
            term.line(json.dumps(completion.model_dump(), indent=2, ensure_ascii=False))
            return completion.choices[0].message.content or ""
        message = completion.choices[0].message
        if message.reasoning and show_reasoning:
            term.reasoning(message.reasoning)
        term.content(message.content or "")
        term.finish()
        return message.content or ""
    parts: list[str] = []
    stream = completions.create(messages, model, provider, stream=True)
    try:
        async for chunk in stream:
            delta = chunk.choices[0].delta if chunk.choices else None
            if delta is not None and delta.reasoning and show_reasoning:
                term.reasoning(delta.reasoning)
            if delta is not None and delta.content:
                parts.append(delta.content)
                term.content(delta.content)
            if chunk.extra and "progress" in chunk.extra:
                term.status(str(chunk.extra["progress"]))
    finally:
        term.finish()
        await stream.aclose()
    return "".join(parts)


async def _read_line(prompt: str) -> str | None:
    """``input()`` on a daemon thread so the event loop keeps running; None at EOF.

    Not ``asyncio.to_thread``: its executor is joined at exit, so Ctrl-C at the prompt
    would hang until Enter.
    """
    try:
        import readline  # noqa: F401 - line editing and history for input(), where available
    except ImportError:
        pass
    loop = asyncio.get_running_loop()
    answer: asyncio.Future[str | None] = loop.create_future()

    def deliver(value: str | None, error: BaseException | None) -> None:
        if answer.done():
            return
        if error is not None:
            answer.set_exception(error)
        else:
            answer.set_result(value)

    def read() -> None:
        try:
            value: str | None = input(prompt)
        except EOFError:
            value = None
        except Exception as exc:  # noqa: BLE001 - handed to the loop, raised there
            loop.call_soon_threadsafe(deliver, None, exc)
            return
        loop.call_soon_threadsafe(deliver, value, None)

    threading.Thread(target=read, name="g4f-chat-input", daemon=True).start()
    return await answer


async def interactive(
    client: Any, args: argparse.Namespace, term: Term, read_line: LineReader = _read_line
) -> int:
    """The conversation loop: Ctrl-C stops the answer being written (at the prompt it
    leaves, exit code 130); Ctrl-D or /exit leaves with 0."""
    talk = Conversation(args.model, args.provider, args.system)
    term.note(f"g4f chat with {talk.model or 'the default model'}: /help for commands")
    current: list[asyncio.Future[Any]] = []  # what Ctrl-C interrupts: the read or the answer
    with _on_interrupt(lambda: [task.cancel() for task in current]):
        while True:
            reading = asyncio.ensure_future(read_line("> "))
            current[:] = [reading]
            try:
                line = await reading
            except asyncio.CancelledError:
                term.line()
                return 130
            if line is None:
                term.line()
                return 0
            line = line.strip()
            if not line:
                continue
            if line.startswith("/"):
                try:
                    if not talk.command(line, term):
                        return 0
                except Exception as exc:  # noqa: BLE001 - a bad /provider must not end the chat
                    term.note(f"{type(exc).__name__}: {exc}")
                continue
            answering = asyncio.ensure_future(
                _ask(client, talk.messages(line), talk.model, talk.provider, args, term)
            )
            current[:] = [answering]
            try:
                answer = await answering
            except asyncio.CancelledError:
                outer = asyncio.current_task()
                if not answering.cancelled() or getattr(outer, "cancelling", lambda: 0)():
                    raise  # we were cancelled from outside, not by Ctrl-C
                term.note("(answer stopped)")
                continue
            except Exception as exc:  # noqa: BLE001 - one failed turn keeps the conversation
                from ..errors import G4FError

                if not isinstance(exc, G4FError):
                    raise
                term.error(f"{type(exc).__name__}: {exc}")
                continue
            talk.history += [
                {"role": "user", "content": line},
                {"role": "assistant", "content": answer},
            ]


class _on_interrupt:
    """Route SIGINT to ``handler`` while the block runs (where the loop supports it)."""

    def __init__(self, handler: Callable[[], object]) -> None:
        self.handler = handler
        self.installed = False

    def __enter__(self) -> None:
        import signal

        try:
            asyncio.get_running_loop().add_signal_handler(signal.SIGINT, self.handler)
            self.installed = True
        except (NotImplementedError, RuntimeError, ValueError):
            pass  # not the main thread, or no signals here: Ctrl-C ends the program

    def __exit__(self, *exc: object) -> None:
        import signal

        if self.installed:
            asyncio.get_running_loop().remove_signal_handler(signal.SIGINT)


async def run_chat(args: argparse.Namespace, term: Term) -> int:
    """Ask once and print the answer, or chat when there is no prompt on a terminal."""
    from ..client import AsyncClient

    client = AsyncClient(api_key=args.api_key, proxies=args.proxy)
    if not args.prompt and _is_terminal(sys.stdin):
        if args.json:
            raise UsageError("--json needs a prompt (it prints one completion)")
        return await interactive(client, args, term)
    prompt = read_prompt(args.prompt)
    messages: list[dict[str, Any]] = []
    if args.system:
        messages.append({"role": "system", "content": args.system})
    messages.append({"role": "user", "content": prompt})
    await _ask(client, messages, args.model, args.provider, args, term)
    return 0
