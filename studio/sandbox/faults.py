"""Fault injection: a queue of faults that the next requests consume, set from the CLI or tests.

Spec: comma-separated items ``[models/]KIND[:COUNT]``; COUNT is how many consecutive requests get it
(default 1, ``*`` = every request from then on). ``ok`` lets requests through, so
``ok:2,server_error`` fails the third request. Kinds are the keys of FAULTS. Faults apply to the image
endpoints; ``models/KIND`` applies to GET /v1/models instead (a key check, the model list), so that
reading the model list never takes a fault meant for an image call. ``batch/KIND`` (failed, expire,
token_limit) applies to the next batch as a whole, ``line/KIND`` to the next line a batch runs,
``responses/KIND`` to the next Responses API call (moderation in its image call, ``no_image``: a text-only
answer, ``drop`` mid-stream, or an HTTP error).
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass
from typing import Any


def _moderation(stage: str) -> dict[str, Any]:
    return {
        "message": "Your request was rejected by the safety system. If you believe this is an error, "
        "contact us "
        "at help.openai.com and include the request ID.",
        "type": "image_generation_user_error",
        "param": None,
        "code": "moderation_blocked",
        "moderation_details": {"moderation_stage": stage, "categories": ["sandbox-test"]},
    }


# kind -> (status, error body or None for transport faults, extra headers)
FAULTS: dict[str, tuple[int, dict[str, Any] | None, dict[str, str]]] = {
    "rate_limit": (
        429,
        {
            "message": "Rate limit reached for images per min (IPM): Limit 5, Used 5, Requested 1. Please "
            "try again in 1s.",
            "type": "requests",
            "param": None,
            "code": "rate_limit_exceeded",
        },
        {"retry-after": "1"},
    ),
    "rate_limit_no_retry_after": (
        429,
        {
            "message": "Rate limit reached for images per min (IPM): Limit 5, Used 5, Requested 1.",
            "type": "requests",
            "param": None,
            "code": "rate_limit_exceeded",
        },
        {},
    ),
    "insufficient_quota": (
        429,
        {
            "message": "You exceeded your current quota, please check your plan and billing details. For "
            "more "
            "information on this error, read the docs: "
            "https://platform.openai.com/docs/guides/error-codes/api-errors.",
            "type": "insufficient_quota",
            "param": None,
            "code": "insufficient_quota",
        },
        {},
    ),
    "server_error": (
        500,
        {
            "message": "The server had an error while processing your request. Sorry about that!",
            "type": "server_error",
            "param": None,
            "code": None,
        },
        {},
    ),
    "overloaded": (
        503,
        {
            "message": "The engine is currently overloaded, please try again later.",
            "type": "server_error",
            "param": None,
            "code": "overloaded",
        },
        {},
    ),
    "moderation_input": (400, _moderation("input"), {}),
    "moderation_output": (400, _moderation("output"), {}),
    "bad_key": (
        401,
        {
            "message": "Incorrect API key provided: sk-****. You can find your API key at "
            "https://platform.openai.com/account/api-keys.",
            "type": "invalid_request_error",
            "param": None,
            "code": "invalid_api_key",
        },
        {},
    ),
    "org_unverified": (
        403,
        {
            "message": "Your organization must be verified to use the model `gpt-image-2`. Please go to: "
            "https://platform.openai.com/settings/organization/general and click on Verify Organization. "
            "If you just verified, it can take up to 15 minutes for access to propagate.",
            "type": "invalid_request_error",
            "param": None,
            "code": None,
        },
        {},
    ),
    "hang": (0, None, {}),  # never answers (the client times out)
    "drop": (0, None, {}),  # sends a partial response, then closes the connection
    "drop_after_image": (
        0,
        None,
        {},
    ),  # sends the first image whole (JSON or its completed event), then hangs up
    "ok": (200, None, {}),
    # with the batch/ prefix only: what happens to the next whole batch
    "failed": (0, None, {}),  # fails while validating (errors.data)
    "expire": (0, None, {}),  # half its lines run, then it expires
    "token_limit": (0, None, {}),  # fails: the enqueued-token limit
    # with the responses/ prefix only: the next Responses API call answers in text, without an image
    "no_image": (0, None, {}),
}
BATCH_ONLY = ("failed", "expire", "token_limit")


class FaultSpecError(ValueError):
    pass


@dataclass
class _Item:
    kind: str
    remaining: int | None  # None = forever
    target: str = "images"  # or "models"


class FaultPlan:
    """Thread-safe: the server thread takes, the CLI or a test pushes."""

    def __init__(self, spec: str = ""):
        self._lock = threading.Lock()
        self._items: deque[_Item] = deque()
        if spec:
            self.push(spec)

    @staticmethod
    def parse(spec: str) -> list[_Item]:
        items = []
        for raw in filter(None, (part.strip() for part in spec.split(","))):
            kind, _, count = raw.partition(":")
            target, _, kind = kind.strip().rpartition("/")
            target = target or "images"
            if target not in ("images", "models", "batch", "line", "responses"):
                raise FaultSpecError(
                    f"fault {raw!r}: the prefix must be models/, batch/ or line/ (or none, for the image "
                    "endpoints)"
                )
            if kind not in FAULTS:
                raise FaultSpecError(f"fault {kind!r} is unknown; kinds: {', '.join(sorted(FAULTS))}")
            if kind != "ok" and (target == "batch") != (kind in BATCH_ONLY):
                raise FaultSpecError(
                    f"fault {raw!r}: batch/ takes {', '.join(BATCH_ONLY)} (or ok); those need batch/"
                )
            if target == "line" and FAULTS[kind][1] is None and kind != "ok":
                raise FaultSpecError(f"fault {raw!r}: line/ takes the faults that answer with an error")
            if (target == "responses") != (kind == "no_image") and kind == "no_image":
                raise FaultSpecError(f"fault {raw!r}: no_image needs responses/")
            if (
                target == "responses"
                and FAULTS[kind][1] is None
                and kind not in ("ok", "drop", "hang", "no_image")
            ):
                raise FaultSpecError(f"fault {raw!r}: responses/ takes error faults, drop, hang and no_image")
            if count in ("", None):
                remaining: int | None = 1
            elif count == "*":
                remaining = None
            elif count.isdigit() and int(count) > 0:
                remaining = int(count)
            else:
                raise FaultSpecError(
                    f"fault {raw!r}: the count after ':' must be a positive whole number or *"
                )
            items.append(_Item(kind, remaining, target))
        return items

    def push(self, spec: str) -> None:
        items = self.parse(spec)
        with self._lock:
            self._items.extend(items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def take(self, target: str = "images") -> str | None:
        """The fault for the next request to `target` ("images" or "models"), or None."""
        with self._lock:
            head = next((item for item in self._items if item.target == target), None)
            if head is None:
                return None
            if head.remaining is not None:
                head.remaining -= 1
                if head.remaining <= 0:
                    self._items.remove(head)
            return None if head.kind == "ok" else head.kind


def fault_fields(fault: str) -> dict[str, Any]:
    """The error envelope's fields of a fault (message, type, param, code, and any extra)."""
    _, body, _ = FAULTS[fault]
    assert body is not None
    extra = {k: v for k, v in body.items() if k not in ("message", "type", "param", "code")}
    return {
        "message": body["message"],
        "type": body["type"],
        "param": body["param"],
        "code": body["code"],
        "extra": extra,
    }
