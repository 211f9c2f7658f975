"""What an image answer is made of while it is read: the headers kept, the body finished into JSON and
images, a transport failure in the SDK's terms, and the images that arrived before an answer broke.
Shared by the call (images_api) and the thread that reads it (threaded_call)."""

from __future__ import annotations

from typing import Any

import httpx2
import openai

from .body_decoder import BodyDecodeError, ImagesBodyDecoder
from .failures import MalformedResponse


class PartialAnswer(Exception):
    """The answer failed after some images had arrived in full: they are kept and saved like any result."""

    def __init__(
        self,
        images: list[bytes],
        cause: BaseException,
        *,
        request_id: str | None,
        headers: dict[str, str],
        events: list[dict[str, Any]] | None = None,
    ):
        super().__init__(str(cause))
        self.images, self.cause, self.request_id, self.headers = images, cause, request_id, headers
        self.events = events or []  # streamed: each completed image's event fields (with its own usage)


def kept_headers(headers: Any) -> dict[str, str]:
    return {
        k.lower(): v
        for k, v in headers.items()
        if k.lower().startswith(("x-ratelimit-", "x-request-id", "retry-after", "openai-"))
    }


def finish_body(decoder: ImagesBodyDecoder) -> tuple[dict[str, Any], list[bytes]]:
    """The parsed body and its images, or MalformedResponse."""
    try:
        body, images = decoder.finish()
    except BodyDecodeError as exc:
        raise MalformedResponse(f"the server's answer is not a valid image response: {exc}") from None
    if not images:
        raise MalformedResponse("the server answered without any image")
    return body, images


def read_error(exc: httpx2.TransportError) -> Exception:
    """The SDK's exception for a transport failure while the body was being read (the SDK wraps
    such failures only up to the headers)."""
    if isinstance(exc, httpx2.TimeoutException):
        return openai.APITimeoutError(request=exc.request)
    return openai.APIConnectionError(
        message=f"the connection dropped while reading the answer ({type(exc).__name__})", request=exc.request
    )
