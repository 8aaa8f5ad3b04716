"""Prompt templates for raw text generation (TGI) and their choice from Hub metadata.

The formats follow each model family's own chat template (Mistral ``[INST]``,
ChatML, Llama 3 headers, DeepSeek full-width markers, Zephyr-style ``<|role|>``),
not gpt4free's variants: no newline before ``<|im_end|>`` / ``<|eot_id|>``, and the
DeepSeek and Mistral turns are laid out as those models were trained. With
``do_continue`` the last turn is left open (its end marker removed) so the model
continues it instead of starting a new answer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ...debug import logger
from ...providers.helper import format_prompt, get_last_user_message, get_system_prompt, to_string
from ...typing import Messages

__all__ = ["PromptTemplate", "choose_template", "build_inputs", "DEFAULT_MAX_INPUT_LENGTH"]

DEFAULT_MAX_INPUT_LENGTH = 4096
DEEPSEEK_EOS = "<\uff5cend\u2581of\u2581sentence\uff5c>"
DEEPSEEK_BOS = "<\uff5cbegin\u2581of\u2581sentence\uff5c>"
_CUSTOM_EOS = ("<|endoftext|>", "<eos>", "</s>")
_GENERIC_TYPES = ("gpt2", "gpt_neo", "gemma", "gemma2")
_SYSTEM_ROLES = ("system", "developer")


def _text(message: Mapping[str, Any]) -> str:
    return to_string(message.get("content"))


def _generic(messages: Messages, do_continue: bool, eos: str | None) -> str:
    return format_prompt(messages, do_continue=do_continue)


def _chatml(messages: Messages, do_continue: bool, eos: str | None) -> str:
    prompt = "".join(f"<|im_start|>{m['role']}\n{_text(m)}<|im_end|>\n" for m in messages)
    return (
        prompt.removesuffix("<|im_end|>\n") if do_continue else prompt + "<|im_start|>assistant\n"
    )


def _llama3(messages: Messages, do_continue: bool, eos: str | None) -> str:
    turns = "".join(
        f"<|start_header_id|>{m['role']}<|end_header_id|>\n\n{_text(m)}<|eot_id|>" for m in messages
    )
    prompt = "<|begin_of_text|>" + turns
    return (
        prompt.removesuffix("<|eot_id|>")
        if do_continue
        else prompt + "<|start_header_id|>assistant<|end_header_id|>\n\n"
    )


def _custom(messages: Messages, do_continue: bool, eos: str | None) -> str:
    end = eos or "</s>"
    prompt = "".join(f"<|{m['role']}|>\n{_text(m)}{end}\n" for m in messages)
    return prompt.removesuffix(f"{end}\n") if do_continue else prompt + "<|assistant|>\n"


def _deepseek(messages: Messages, do_continue: bool, eos: str | None) -> str:
    parts = [DEEPSEEK_BOS, get_system_prompt(messages)]
    for message in messages:
        if message["role"] in _SYSTEM_ROLES:
            continue
        if message["role"] == "assistant":
            parts.append(f"<\uff5cAssistant\uff5c>{_text(message)}{DEEPSEEK_EOS}")
        else:
            parts.append(f"<\uff5cUser\uff5c>{_text(message)}")
    prompt = "".join(parts)
    return prompt.removesuffix(DEEPSEEK_EOS) if do_continue else prompt + "<\uff5cAssistant\uff5c>"


def _mistral(messages: Messages, do_continue: bool, eos: str | None) -> str:
    system = get_system_prompt(messages)
    turns = [m for m in messages if m["role"] not in _SYSTEM_ROLES]
    last_user = max((i for i, m in enumerate(turns) if m["role"] != "assistant"), default=-1)
    prompt = "<s>"
    for index, message in enumerate(turns):
        text = _text(message)
        if message["role"] == "assistant":
            prompt += f" {text}</s>"
            continue
        if index == last_user and system:
            text = f"{system}\n\n{text}"
        prompt += f"[INST] {text} [/INST]"
    return prompt.removesuffix("</s>") if do_continue else prompt


_FORMATTERS: dict[str, Callable[[Messages, bool, str | None], str]] = {
    "generic": _generic,
    "chatml": _chatml,
    "llama3": _llama3,
    "custom": _custom,
    "deepseek": _deepseek,
    "mistral": _mistral,
}


@dataclass(frozen=True)
class PromptTemplate:
    """A named prompt format (``custom`` carries the model's end-of-sequence token)."""

    name: str = "generic"
    eos: str | None = None

    def format(self, messages: Messages, do_continue: bool = False) -> str:
        """The prompt for ``messages``; ``do_continue`` leaves the last turn open."""
        return _FORMATTERS[self.name](messages, do_continue, self.eos)


def _eos_of(model_data: Mapping[str, Any]) -> str | None:
    config = model_data.get("config") or {}
    eos = (config.get("tokenizer_config") or {}).get("eos_token")
    if isinstance(eos, Mapping):
        eos = eos.get("content")
    return eos if isinstance(eos, str) and eos else None


def choose_template(model_data: Mapping[str, Any]) -> PromptTemplate:
    """The template for a model, from its Hub metadata (``config.model_type``, ``author``, eos token)."""
    model_type = (model_data.get("config") or {}).get("model_type")
    if model_type in _GENERIC_TYPES:
        return PromptTemplate("generic")
    if model_type == "mistral" and model_data.get("author") == "mistralai":
        return PromptTemplate("mistral")
    eos = _eos_of(model_data)
    if eos in _CUSTOM_EOS:
        return PromptTemplate("custom", eos)
    if eos == "<|im_end|>":
        return PromptTemplate("chatml")
    if eos == DEEPSEEK_EOS:
        return PromptTemplate("deepseek")
    if eos == "<|eot_id|>":
        return PromptTemplate("llama3")
    return PromptTemplate("generic")


def _essential(messages: Messages, do_continue: bool) -> Messages:
    """System messages plus the last user block (and the open assistant turn when continuing)."""
    kept = [m for m in messages if m.get("role") in _SYSTEM_ROLES]
    kept.append({"role": "user", "content": get_last_user_message(messages)})
    if do_continue and messages and messages[-1].get("role") == "assistant":
        kept.append(messages[-1])
    return kept


def build_inputs(
    messages: Messages,
    template: PromptTemplate,
    do_continue: bool = False,
    max_length: int = DEFAULT_MAX_INPUT_LENGTH,
) -> str:
    """The formatted prompt, trimmed when longer than ``max_length`` characters.

    Too long: keep the first 3 and last 3 messages; still too long: keep the
    system messages and the last user message block.
    """
    prompt = template.format(messages, do_continue)
    original = len(prompt)
    if original <= max_length:
        return prompt
    if len(messages) > 6:
        prompt = template.format(messages[:3] + messages[-3:], do_continue)
    if len(prompt) > max_length:
        prompt = template.format(_essential(messages, do_continue), do_continue)
    logger.debug("Messages trimmed from %d to %d characters", original, len(prompt))
    return prompt
