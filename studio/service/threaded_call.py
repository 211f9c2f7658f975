"""Image calls made entirely on a worker thread, with the SDK's synchronous client.

Reading a ~250 MB body on the event loop costs the GUI thread HTTP parsing for every network chunk
(tens of milliseconds per burst, because buffered reads never yield). Here the request, the body
and its decoding all happen on a daemon thread; the loop only awaits the result. Streamed calls
(partial images) too: their server-sent events are parsed incrementally on the thread (a 4K
completed event is one ~27 MB JSON line), and each partial image is handed to the loop, which saves
it, before the thread reads on. Cancelling the await closes the response, which ends the thread's
read; a daemon thread never holds up quitting.
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import httpx2

from studio.core.request import EditRequest
from studio.core.validation import Checked

from .answers import PartialAnswer, finish_body, kept_headers, read_error
from .body_decoder import BodyDecodeError, ImageEventStream, ImagesBodyDecoder
from .failures import CallDeadline, MalformedResponse
from .memory import background_priority


class _Stopped(Exception):
    pass


BYTES_EVERY_S = 0.5  # how often the bytes received so far are reported
GRACE_S = 5.0  # after the deadline closed the response, how long the thread gets to hand over what arrived


def _read(
    sync_client: Any,
    checked: Checked,
    params: dict[str, Any],
    stop: threading.Event,
    holder: dict[str, Any],
    feed: Any,
    finish: Any,
    what: str,
) -> tuple[dict[str, str], str | None]:
    """Send the request and feed the raw body to `feed(chunk, response)` as it arrives, then call
    `finish(response)`; returns (kept headers, request id). Decode errors, dropped connections and a
    cancel (`stop`) are turned into MalformedResponse, the SDK's exceptions and _Stopped."""
    images_api = sync_client.images.with_streaming_response
    method = images_api.edit if isinstance(checked.request, EditRequest) else images_api.generate
    expired: threading.Event = holder["expired"]
    with method(**params) as response:
        holder["response"] = response
        headers, request_id = kept_headers(response.headers), response.request_id
        reported = time.monotonic()
        try:
            for chunk in response.iter_bytes():
                if stop.is_set():
                    raise _Stopped()
                if expired.is_set():
                    raise CallDeadline(holder["deadline_s"], holder["bytes"])
                holder["bytes"] += len(chunk)
                if time.monotonic() - reported >= BYTES_EVERY_S:
                    reported = time.monotonic()
                    holder["on_bytes"](holder["bytes"])
                feed(chunk, response)
                time.sleep(0)  # hand the GIL to the GUI thread between chunks
            finish(response)
        except BodyDecodeError as exc:
            raise MalformedResponse(f"the server's {what}: {exc}") from None
        except httpx2.TransportError as exc:  # includes timeouts
            if stop.is_set():
                raise _Stopped() from None
            if expired.is_set():  # the deadline closed the response under the read
                raise CallDeadline(holder["deadline_s"], holder["bytes"]) from None
            raise read_error(exc) from exc
    return headers, request_id


def _partial(holder: dict[str, Any], images: list[bytes], exc: BaseException, events=None) -> PartialAnswer:
    response = holder.get("response")
    headers = kept_headers(response.headers) if response is not None else {}
    request_id = getattr(response, "request_id", None) if response is not None else None
    return PartialAnswer(list(images), exc, request_id=request_id, headers=headers, events=events)


def _work(
    sync_client: Any, checked: Checked, params: dict[str, Any], stop: threading.Event, holder: dict[str, Any]
):
    decoder = ImagesBodyDecoder()
    try:
        headers, request_id = _read(
            sync_client,
            checked,
            params,
            stop,
            holder,
            lambda chunk, _: decoder.feed(chunk),
            lambda _: None,
            "answer is not a valid image response",
        )
        body, images = finish_body(decoder)
    except _Stopped:
        raise
    except Exception as exc:  # the answer broke: the images that arrived whole are kept
        if decoder.images:
            raise _partial(holder, decoder.images, exc) from exc
        raise
    return headers, request_id, body, images


def _stream_error(fields: dict[str, Any], response: Any) -> Exception:
    """An `error` event inside the stream: the SDK's own exception type, so failures explain it alike."""
    import openai

    nested = fields.get("error")
    error: dict[str, Any] = nested if isinstance(nested, dict) else fields
    return openai.APIError(
        str(error.get("message") or "the stream reported an error"), response.http_request, body=error
    )


def _work_stream(
    sync_client: Any,
    checked: Checked,
    params: dict[str, Any],
    stop: threading.Event,
    holder: dict[str, Any],
    loop: asyncio.AbstractEventLoop,
    on_partial: Any,
):
    completed: list[tuple[dict[str, Any], bytes]] = []
    events = ImageEventStream()

    def handle(batch: list[tuple[dict[str, Any], bytes | None]], response: Any) -> None:
        for fields, data in batch:
            kind = str(fields.get("type") or "")
            if kind == "error" or "error" in fields:
                raise _stream_error(fields, response)
            if data is None:
                continue
            if kind.endswith(".partial_image"):
                if on_partial is not None:  # saved on the loop before reading on (previews stay in order)
                    asyncio.run_coroutine_threadsafe(
                        on_partial(len(completed), int(fields.get("partial_image_index") or 0), data), loop
                    ).result()
            elif kind.endswith(".completed"):
                completed.append((fields, data))

    try:
        headers, request_id = _read(
            sync_client,
            checked,
            params,
            stop,
            holder,
            lambda chunk, response: handle(events.feed(chunk), response),
            lambda response: handle(events.close(), response),
            "stream is not valid image events",
        )
    except _Stopped:
        raise
    except Exception as exc:  # an error event or a drop after some images completed: those are kept
        if completed:
            raise _partial(holder, [d for _, d in completed], exc, events=[f for f, _ in completed]) from exc
        raise
    return headers, request_id, completed


async def call_in_thread(
    sync_client: Any,
    checked: Checked,
    params: dict[str, Any],
    *,
    on_partial: Any = None,
    deadline_s: float | None = None,
    on_bytes: Any = None,
) -> Any:
    """Run the call on a daemon thread: non-streamed → (headers, request id, body, images); streamed →
    (headers, request id, [(event fields, image bytes) per completed image]). After `deadline_s` the
    answer is given up (CallDeadline, or PartialAnswer with the images that arrived whole);
    `on_bytes(n)` hears the bytes received so far, on the loop."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[Any] = loop.create_future()
    stop = threading.Event()

    def report_bytes(count: int) -> None:  # on the call's thread
        if on_bytes is not None and not loop.is_closed():
            loop.call_soon_threadsafe(on_bytes, count)

    holder: dict[str, Any] = {
        "expired": threading.Event(),
        "deadline_s": deadline_s or 0.0,
        "bytes": 0,
        "on_bytes": report_bytes,
    }

    def settle(ok: bool, value: Any) -> None:
        if future.done():
            return
        if ok:
            future.set_result(value)
        else:
            future.set_exception(value)

    def run() -> None:
        background_priority()  # the body's reading and decoding yield the CPU to the GUI thread
        try:
            if checked.request.stream:
                result = _work_stream(sync_client, checked, params, stop, holder, loop, on_partial)
            else:
                result = _work(sync_client, checked, params, stop, holder)
        except _Stopped:
            return
        except BaseException as exc:  # noqa: BLE001 - handed to the awaiting coroutine
            if not loop.is_closed():
                loop.call_soon_threadsafe(settle, False, exc)
            return
        if not loop.is_closed():
            loop.call_soon_threadsafe(settle, True, result)

    def close_response() -> None:
        response = holder.get("response")
        if response is not None:
            try:
                response.close()  # ends a read in progress
            except Exception:  # noqa: BLE001 - best effort: the thread is a daemon
                pass

    def give_up() -> None:  # the thread hands over what arrived; if it cannot (no headers yet), stop waiting
        stop.set()
        settle(False, CallDeadline(holder["deadline_s"], holder["bytes"]))

    def expire() -> None:
        holder["expired"].set()
        close_response()
        timers.append(loop.call_later(GRACE_S if holder.get("response") is not None else 0.0, give_up))

    threading.Thread(target=run, name="asset-studio-call", daemon=True).start()
    timers = [loop.call_later(deadline_s, expire)] if deadline_s else []
    try:
        return await future
    except asyncio.CancelledError:
        stop.set()
        close_response()
        raise
    finally:
        for timer in timers:
            timer.cancel()
