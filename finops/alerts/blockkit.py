"""Slack Block Kit: the limits finops' alert messages respect, and a structural validator for them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Block Kit limits (docs.slack.dev/reference/block-kit). Lengths are counted in UTF-16 code units, which is
# never less than the character count Slack enforces, so a payload that passes here passes there.
MAX_BLOCKS = 50
HEADER_TEXT_MAX = 150
SECTION_TEXT_MAX = 3000
FIELD_TEXT_MAX = 2000
MAX_FIELDS = 10
CONTEXT_ELEMENTS_MAX = 10
ACTIONS_ELEMENTS_MAX = 25
BUTTON_TEXT_MAX = 75
BUTTON_URL_MAX = 3000
BUTTON_VALUE_MAX = 2000
ID_MAX = 255  # block_id, action_id
FALLBACK_TEXT_MAX = 3000  # Slack truncates top-level text at 40,000; a notification needs far less


def slack_len(text: str) -> int:
    """Length in UTF-16 code units (an emoji counts 2): a safe upper bound of Slack's character count."""
    return len(text.encode("utf-16-le")) // 2


_TEXT_KEYS = {"plain_text": {"type", "text", "emoji"}, "mrkdwn": {"type", "text", "verbatim"}}
_BLOCK_KEYS = {
    "header": {"type", "block_id", "text"},
    "section": {"type", "block_id", "text", "fields", "accessory"},
    "context": {"type", "block_id", "elements"},
    "actions": {"type", "block_id", "elements"},
    "divider": {"type", "block_id"},
}
_BUTTON_KEYS = {"type", "text", "url", "action_id", "value", "style", "accessibility_label"}


def validate_block_kit(payload: Mapping[str, Any]) -> None:
    """Check a Slack message payload against the Block Kit rules this module relies on; raise ``ValueError``
    naming the first offending path. Stricter than Slack where that is cheap (unknown keys are rejected)."""
    if not isinstance(payload, Mapping):
        raise ValueError("payload: must be an object")
    text = payload.get("text")
    blocks = payload.get("blocks")
    if text is not None and (not isinstance(text, str) or not text.strip()):
        raise ValueError("text: must be a non-empty string")
    if blocks is None:
        if text is None:
            raise ValueError("payload: needs text or blocks")
        return
    if text is None:
        raise ValueError("text: a fallback text is required alongside blocks (notifications show it)")
    if not isinstance(blocks, list) or not blocks:
        raise ValueError("blocks: must be a non-empty list")
    if len(blocks) > MAX_BLOCKS:
        raise ValueError(f"blocks: {len(blocks)} blocks, at most {MAX_BLOCKS} allowed")
    block_ids: set[str] = set()
    for index, block in enumerate(blocks):
        _validate_block(block, f"blocks[{index}]", block_ids)


def _validate_block(block: Any, path: str, block_ids: set[str]) -> None:
    if not isinstance(block, Mapping):
        raise ValueError(f"{path}: must be an object")
    kind = block.get("type")
    if kind not in _BLOCK_KEYS:
        raise ValueError(f"{path}.type: unknown or unsupported block type {kind!r}")
    _no_unknown_keys(block, _BLOCK_KEYS[kind], path)
    if "block_id" in block:
        block_id = _string(block["block_id"], f"{path}.block_id", ID_MAX)
        if block_id in block_ids:
            raise ValueError(f"{path}.block_id: {block_id!r} is used twice")
        block_ids.add(block_id)
    if kind == "header":
        _text_object(_required(block, "text", path), f"{path}.text", HEADER_TEXT_MAX, plain_only=True)
    elif kind == "section":
        if "text" not in block and "fields" not in block:
            raise ValueError(f"{path}: a section needs text or fields")
        if "text" in block:
            _text_object(block["text"], f"{path}.text", SECTION_TEXT_MAX)
        if "fields" in block:
            fields = _list(block["fields"], f"{path}.fields", MAX_FIELDS)
            for index, field in enumerate(fields):
                _text_object(field, f"{path}.fields[{index}]", FIELD_TEXT_MAX)
        if "accessory" in block:
            _button(block["accessory"], f"{path}.accessory")
    elif kind == "context":
        elements = _list(_required(block, "elements", path), f"{path}.elements", CONTEXT_ELEMENTS_MAX)
        for index, element in enumerate(elements):
            _text_object(element, f"{path}.elements[{index}]", SECTION_TEXT_MAX)
    elif kind == "actions":
        elements = _list(_required(block, "elements", path), f"{path}.elements", ACTIONS_ELEMENTS_MAX)
        action_ids: set[str] = set()
        for index, element in enumerate(elements):
            action_id = _button(element, f"{path}.elements[{index}]")
            if action_id is not None:
                if action_id in action_ids:
                    raise ValueError(f"{path}.elements[{index}].action_id: {action_id!r} is used twice in the block")
                action_ids.add(action_id)


def _button(element: Any, path: str) -> str | None:
    if not isinstance(element, Mapping) or element.get("type") != "button":
        raise ValueError(f"{path}: only button elements are supported here")
    _no_unknown_keys(element, _BUTTON_KEYS, path)
    _text_object(_required(element, "text", path), f"{path}.text", BUTTON_TEXT_MAX, plain_only=True)
    if "url" in element:
        url = _string(element["url"], f"{path}.url", BUTTON_URL_MAX)
        if not url.startswith(("https://", "http://")):
            raise ValueError(f"{path}.url: must be an http(s) URL")
    if "value" in element:
        _string(element["value"], f"{path}.value", BUTTON_VALUE_MAX)
    if "style" in element and element["style"] not in ("primary", "danger"):
        raise ValueError(f"{path}.style: must be 'primary' or 'danger'")
    if "accessibility_label" in element:
        _string(element["accessibility_label"], f"{path}.accessibility_label", BUTTON_TEXT_MAX)
    if "action_id" in element:
        return _string(element["action_id"], f"{path}.action_id", ID_MAX)
    return None


def _text_object(obj: Any, path: str, limit: int, *, plain_only: bool = False) -> None:
    if not isinstance(obj, Mapping):
        raise ValueError(f"{path}: must be a text object")
    kind = obj.get("type")
    allowed = ("plain_text",) if plain_only else ("plain_text", "mrkdwn")
    if kind not in allowed:
        raise ValueError(f"{path}.type: must be {' or '.join(allowed)}, not {kind!r}")
    _no_unknown_keys(obj, _TEXT_KEYS[kind], path)
    _string(_required(obj, "text", path), f"{path}.text", limit)
    for flag in ("emoji", "verbatim"):
        if flag in obj and not isinstance(obj[flag], bool):
            raise ValueError(f"{path}.{flag}: must be a boolean")


def _required(obj: Mapping[str, Any], key: str, path: str) -> Any:
    if key not in obj:
        raise ValueError(f"{path}.{key}: is required")
    return obj[key]


def _string(value: Any, path: str, limit: int) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"{path}: must be a non-empty string")
    if slack_len(value) > limit:
        raise ValueError(f"{path}: {slack_len(value)} characters, at most {limit} allowed")
    return value


def _list(value: Any, path: str, limit: int) -> list[Any]:
    if not isinstance(value, list) or not value:
        raise ValueError(f"{path}: must be a non-empty list")
    if len(value) > limit:
        raise ValueError(f"{path}: {len(value)} items, at most {limit} allowed")
    return value


def _no_unknown_keys(obj: Mapping[str, Any], allowed: set[str], path: str) -> None:
    unknown = sorted(set(obj) - allowed)
    if unknown:
        raise ValueError(f"{path}: unsupported key(s) {', '.join(map(repr, unknown))}")


# ------------------------------------------------------------------------------------------ generic webhook
