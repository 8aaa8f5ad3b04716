"""Golden tests of the TGI prompt templates, their choice from Hub metadata, and truncation."""

from __future__ import annotations

from typing import Any

import pytest

from g4f.Provider.hf._templates import PromptTemplate, build_inputs, choose_template
from tests.fakes.hub import DEEPSEEK_EOS, model_metadata

CONVERSATION = [
    {"role": "system", "content": "Be brief."},
    {"role": "user", "content": "Hi"},
    {"role": "assistant", "content": "Hello!"},
    {"role": "user", "content": "Capital of France?"},
]
CONTINUED = CONVERSATION + [{"role": "assistant", "content": "The capital"}]

BOS = "<\uff5cbegin\u2581of\u2581sentence\uff5c>"
USER = "<\uff5cUser\uff5c>"
ASSISTANT = "<\uff5cAssistant\uff5c>"

GOLDEN: dict[str, tuple[str, str]] = {
    "chatml": (
        "<|im_start|>system\nBe brief.<|im_end|>\n"
        "<|im_start|>user\nHi<|im_end|>\n"
        "<|im_start|>assistant\nHello!<|im_end|>\n"
        "<|im_start|>user\nCapital of France?<|im_end|>\n"
        "<|im_start|>assistant\n",
        "<|im_start|>user\nCapital of France?<|im_end|>\n<|im_start|>assistant\nThe capital",
    ),
    "llama3": (
        "<|begin_of_text|>"
        "<|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|>"
        "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"
        "<|start_header_id|>assistant<|end_header_id|>\n\nHello!<|eot_id|>"
        "<|start_header_id|>user<|end_header_id|>\n\nCapital of France?<|eot_id|>"
        "<|start_header_id|>assistant<|end_header_id|>\n\n",
        "<|start_header_id|>assistant<|end_header_id|>\n\nThe capital",
    ),
    "mistral": (
        "<s>[INST] Hi [/INST] Hello!</s>[INST] Be brief.\n\nCapital of France? [/INST]",
        "[INST] Be brief.\n\nCapital of France? [/INST] The capital",
    ),
    "deepseek": (
        f"{BOS}Be brief.{USER}Hi{ASSISTANT}Hello!{DEEPSEEK_EOS}{USER}Capital of France?{ASSISTANT}",
        f"{USER}Capital of France?{ASSISTANT}The capital",
    ),
    "custom": (
        "<|system|>\nBe brief.</s>\n<|user|>\nHi</s>\n<|assistant|>\nHello!</s>\n"
        "<|user|>\nCapital of France?</s>\n<|assistant|>\n",
        "<|user|>\nCapital of France?</s>\n<|assistant|>\nThe capital",
    ),
    "generic": (
        "System: Be brief.\nUser: Hi\nAssistant: Hello!\nUser: Capital of France?\nAssistant:",
        "User: Capital of France?\nAssistant: The capital",
    ),
}


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_template_golden(name: str) -> None:
    template = PromptTemplate(name, "</s>" if name == "custom" else None)
    expected, continued_tail = GOLDEN[name]
    assert template.format(CONVERSATION) == expected
    continued = template.format(CONTINUED, do_continue=True)
    assert continued.endswith(continued_tail)
    assert not continued.endswith(("</s>", "<|im_end|>\n", "<|eot_id|>", DEEPSEEK_EOS))


def test_custom_template_uses_the_model_eos() -> None:
    prompt = PromptTemplate("custom", "<|endoftext|>").format(CONVERSATION[1:2])
    assert prompt == "<|user|>\nHi<|endoftext|>\n<|assistant|>\n"


def test_generic_single_message_is_the_message_itself() -> None:
    assert PromptTemplate().format([{"role": "user", "content": "Just this"}]) == "Just this"


def test_templates_read_text_parts() -> None:
    messages = [
        {"role": "user", "content": [{"type": "text", "text": "Part one"}, {"type": "image_url"}]}
    ]
    assert PromptTemplate("chatml").format(messages) == (
        "<|im_start|>user\nPart one<|im_end|>\n<|im_start|>assistant\n"
    )


@pytest.mark.parametrize(
    ("metadata", "expected"),
    [
        (
            model_metadata("Qwen/QwQ-32B", model_type="qwen2", eos="<|im_end|>"),
            PromptTemplate("chatml"),
        ),
        (
            model_metadata("meta-llama/L", model_type="llama", eos="<|eot_id|>"),
            PromptTemplate("llama3"),
        ),
        (
            model_metadata("mistralai/M", model_type="mistral", eos="</s>"),
            PromptTemplate("mistral"),
        ),
        (
            model_metadata(
                "deepseek-ai/R1", model_type="deepseek_v3", eos={"content": DEEPSEEK_EOS}
            ),
            PromptTemplate("deepseek"),
        ),
        (model_metadata("x/plain-deepseek-eos", eos=DEEPSEEK_EOS), PromptTemplate("deepseek")),
        (
            model_metadata("HuggingFaceH4/zephyr", model_type="mistral", eos="</s>"),
            PromptTemplate("custom", "</s>"),
        ),
        (
            model_metadata("microsoft/phi", model_type="phi3", eos="<|endoftext|>"),
            PromptTemplate("custom", "<|endoftext|>"),
        ),
        (
            model_metadata("google/gemma", model_type="gemma", eos="<eos>"),
            PromptTemplate("generic"),
        ),
        (
            model_metadata("x/gemma-like", model_type="llama", eos="<eos>"),
            PromptTemplate("custom", "<eos>"),
        ),
        (
            model_metadata("openai-community/gpt2", model_type="gpt2", eos="<|endoftext|>"),
            PromptTemplate("generic"),
        ),
        (
            model_metadata("x/odd", model_type="custom", eos="<|custom_end|>"),
            PromptTemplate("generic"),
        ),
        (model_metadata("x/no-eos", model_type="llama"), PromptTemplate("generic")),
        ({}, PromptTemplate("generic")),
    ],
)
def test_choose_template_from_metadata(metadata: dict[str, Any], expected: PromptTemplate) -> None:
    assert choose_template(metadata) == expected


def _long_conversation(count: int, size: int) -> list[dict[str, str]]:
    messages = [{"role": "system", "content": "SYSTEM"}]
    for index in range(1, count):
        role = "user" if index % 2 else "assistant"
        messages.append({"role": role, "content": f"M{index}:" + "x" * size})
    return messages


def test_short_prompt_is_not_truncated() -> None:
    messages = _long_conversation(9, 10)
    prompt = build_inputs(messages, PromptTemplate("chatml"), max_length=4096)
    assert all(f"M{i}:" in prompt for i in range(1, 9))


def test_truncation_keeps_first_three_and_last_three() -> None:
    messages = _long_conversation(11, 100)
    prompt = build_inputs(messages, PromptTemplate("chatml"), max_length=900)
    kept = [i for i in range(1, 11) if f"M{i}:" in prompt]
    assert kept == [1, 2, 8, 9, 10]
    assert prompt.startswith("<|im_start|>system\nSYSTEM") and len(prompt) <= 900


def test_truncation_falls_back_to_system_and_last_user_block() -> None:
    messages = _long_conversation(10, 100)
    messages.append({"role": "user", "content": "follow-up"})
    prompt = build_inputs(messages, PromptTemplate("llama3"), max_length=300)
    assert "SYSTEM" in prompt and "M8:" not in prompt and "M2:" not in prompt
    assert f"M9:{'x' * 100}\nfollow-up<|eot_id|>" in prompt
    assert prompt.endswith("<|start_header_id|>assistant<|end_header_id|>\n\n")


def test_truncation_keeps_the_open_assistant_turn_when_continuing() -> None:
    messages = _long_conversation(11, 100) + [{"role": "assistant", "content": "Half an ans"}]
    prompt = build_inputs(messages, PromptTemplate("chatml"), do_continue=True, max_length=300)
    assert prompt.endswith("<|im_start|>assistant\nHalf an ans")
    assert "M9:" in prompt and "M8:" not in prompt
