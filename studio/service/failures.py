"""Turn SDK exceptions into specific, redacted explanations (and say whether a retry could help)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

from studio.core.redact import redact


class MalformedResponse(Exception):
    """The server answered 2xx with a body that is not an image response."""


class CallDeadline(Exception):
    """The answer did not complete within the call's overall deadline (a server trickling bytes)."""

    def __init__(self, deadline_s: float, bytes_received: int):
        super().__init__(f"no complete answer within {deadline_s:.0f} s ({bytes_received:,} bytes received)")
        self.deadline_s, self.bytes_received = deadline_s, bytes_received


VERIFY_URL = "https://platform.openai.com/settings/organization/general"


class Kind(Enum):
    RATE_LIMITED = "rate_limited"  # wait and retry
    QUOTA = "insufficient_quota"  # billing: stop
    MODERATION = "moderation_blocked"  # never retried
    INVALID = "invalid_request"  # a bug or bad settings
    AUTH = "authentication"
    PERMISSION = "permission"
    NOT_FOUND = "not_found"
    TOO_LARGE = "too_large"
    SERVER = "server_error"  # retry once or twice, with longer backoff
    OUTCOME_UNKNOWN = "outcome_unknown"  # timeout or dropped connection after sending: may be billed
    CONNECTION = "connection"  # could not connect at all: nothing was sent
    MALFORMED = "malformed_response"
    NEEDS_ACCESS = (
        "needs_access"  # a preview feature the project has no access to: never retried, nothing billed
    )
    NO_TRANSPARENCY = (
        "no_transparency"  # the model refused a transparent background: the same request opaque would work
    )


@dataclass(frozen=True)
class Failure:
    kind: Kind
    message: str  # for people: specific, redacted
    status: int | None = None
    code: str | None = None
    request_id: str | None = None
    retry_after: float | None = None

    @property
    def may_have_been_billed(self) -> bool:
        return self.kind is Kind.OUTCOME_UNKNOWN

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "message": self.message,
            "status": self.status,
            "code": self.code,
            "request_id": self.request_id,
        }


def _retry_after(exc: Any) -> float | None:
    headers = exc.response.headers
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = headers.get(name)
        if value:
            try:
                return float(value) * scale
            except ValueError:
                return None
    return None


def _server_text(exc: Any) -> str:
    body = exc.body if isinstance(exc.body, dict) else {}
    return str(body.get("message") or exc.message)


def explain(exc: BaseException) -> Failure:
    """A Failure for any exception an image call can raise."""
    import openai  # the SDK takes ~0.6 s to import: only when something failed

    if isinstance(exc, MalformedResponse):
        return Failure(Kind.MALFORMED, redact(f"The server answered, but {exc}."))
    if isinstance(exc, CallDeadline):
        return Failure(
            Kind.OUTCOME_UNKNOWN,
            f"The answer was too slow: {exc}. It may have been processed and "
            "billed; it was not re-sent. (The deadline grows with size and quality; "
            "its base is in Settings.)",
        )
    if isinstance(exc, openai.APITimeoutError):
        return Failure(
            Kind.OUTCOME_UNKNOWN,
            "The request timed out after it was sent. It may still have been processed and billed; "
            "it was not retried automatically.",
        )
    if isinstance(exc, openai.APIConnectionError):
        cause = exc.__cause__
        if cause is not None and "ConnectError" in type(cause).__name__:
            return Failure(
                Kind.CONNECTION,
                redact(f"Could not connect to the API ({cause}). Nothing was sent; check the network."),
            )
        return Failure(
            Kind.OUTCOME_UNKNOWN,
            "The connection dropped after the request was sent. It may have been processed and billed; "
            "it was not retried automatically.",
        )
    if isinstance(exc, openai.APIStatusError):
        return _explain_status(exc)
    if isinstance(exc, openai.APIError):  # an error event inside a stream
        return _explain_code(
            None, exc.code, _server_text(exc), getattr(exc, "request_id", None), exc.body, None
        )
    return Failure(Kind.INVALID, redact(f"{type(exc).__name__}: {exc}"))


def explain_error_body(status: int | None, error: Any, request_id: str | None = None) -> Failure:
    """A Failure for an error envelope that came back as data (a batch's error file), not as an HTTP
    error: `error` is the envelope's "error" object."""
    error = error if isinstance(error, dict) else {}
    text = str(error.get("message") or "no message")
    return _explain_code(status, error.get("code"), text, request_id, error, None)


def _explain_status(exc: Any) -> Failure:
    return _explain_code(
        exc.status_code, exc.code, _server_text(exc), exc.request_id, exc.body, _retry_after(exc)
    )


def _explain_code(
    status: int | None, code: str | None, text: str, rid: str | None, body: Any, retry_after: float | None
) -> Failure:
    text = redact(text)
    body = body if isinstance(body, dict) else {}

    def f(kind: Kind, message: str) -> Failure:
        return Failure(kind, redact(message), status, code, rid, retry_after)

    if code == "insufficient_quota":
        return f(
            Kind.QUOTA,
            "Your OpenAI account is out of credit or over its spending limit. Add credit or raise the limit "
            "in the billing settings; nothing was generated.",
        )
    if code in ("moderation_blocked", "content_policy_violation"):
        stage = (body.get("moderation_details") or {}).get("moderation_stage", "unknown")
        where = {
            "input": "The prompt or input images were blocked: revise them before trying again.",
            "output": "The generated image was blocked by the output check: rephrase the prompt to steer "
            "away from it.",
        }.get(stage, "Revise the prompt or images before trying again.")
        return f(
            Kind.MODERATION,
            f"Blocked by OpenAI's safety system ({stage} stage). {where} It will not be retried "
            "automatically.",
        )
    if status == 429 or code == "rate_limit_exceeded":
        wait = f" in {retry_after:.0f} s" if retry_after else ""
        return f(Kind.RATE_LIMITED, f"Rate-limited: {text} Retry{wait}.")
    if status == 401:
        return f(
            Kind.AUTH, f"The API key was refused ({text}). Check the key in the keyring or OPENAI_API_KEY."
        )
    if status == 403:
        if "verif" in text.lower():
            return f(
                Kind.PERMISSION,
                f"Your organization must be verified to use GPT Image models: {VERIFY_URL} (it can take 15 "
                "minutes to apply).",
            )
        return f(Kind.PERMISSION, f"Permission denied: {text}")
    if status == 404:
        return f(Kind.NOT_FOUND, f"{text} Pick another model (gpt-image-2 is current).")
    if status == 413:
        return f(Kind.TOO_LARGE, "The request is too large: downscale or recompress the input images.")
    if status is not None and status >= 500:
        return f(Kind.SERVER, f"OpenAI is having trouble (HTTP {status}): {text}")
    lowered = text.lower()
    if "gif output is not enabled" in lowered:
        return f(
            Kind.NEEDS_ACCESS,
            "Animated GIF output needs access to the GIF preview on your OpenAI project "
            f"(the API said: {text}). Nothing was billed or retried; ask OpenAI for access or pick another "
            "format.",
        )
    if "svg model selection is not enabled" in lowered:
        return f(
            Kind.NEEDS_ACCESS,
            "Your OpenAI project has no SVG model selection: leave the SVG author unset "
            f"(Settings, or drop --svg-author). The API said: {text} Nothing was billed or retried.",
        )
    if "svg generation requires 'svg.model'" in lowered:
        return f(
            Kind.NEEDS_ACCESS,
            "Your OpenAI project has SVG model selection: choose an SVG author (Settings, or --svg-author). "
            f"The API said: {text} Nothing was billed or retried.",
        )
    if "transparent background is not supported" in lowered:
        return f(
            Kind.NO_TRANSPARENCY,
            f"{text} The same request with an opaque background would work: choose Opaque "
            "(one click in the studio; on the command line add --background opaque). Nothing was sent again.",
        )
    param = body.get("param")
    return f(Kind.INVALID, f"The API refused the request{f' (parameter {param})' if param else ''}: {text}")
