"""A non-streamed image call made entirely on a worker thread, with the SDK's synchronous client.

Reading a ~250 MB body on the event loop costs the GUI thread HTTP parsing for every network chunk
(tens of milliseconds per burst, because buffered reads never yield). Here the request, the body
and its decoding all happen on a daemon thread; the loop only awaits the result. Cancelling the
await closes the response, which ends the thread's read; a daemon thread never holds up quitting.
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import httpx2

from studio.core.request import EditRequest
from studio.core.validation import Checked

from .body_decoder import BodyDecodeError, ImagesBodyDecoder
from .failures import MalformedResponse
from .images_api import finish_body, kept_headers, read_error
from .memory import background_priority


class _Stopped(Exception):
    pass


def _work(sync_client: Any, checked: Checked, params: dict[str, Any], stop: threading.Event, holder: dict[str, Any]):
    images_api = sync_client.images.with_streaming_response
    method = images_api.edit if isinstance(checked.request, EditRequest) else images_api.generate
    with method(**params) as response:
        holder["response"] = response
        headers, request_id = kept_headers(response.headers), response.request_id
        decoder = ImagesBodyDecoder()
        try:
            for chunk in response.iter_bytes():
                if stop.is_set():
                    raise _Stopped()
                decoder.feed(chunk)
                time.sleep(0)  # hand the GIL to the GUI thread between chunks
        except BodyDecodeError as exc:
            raise MalformedResponse(f"the server's answer is not a valid image response: {exc}") from None
        except httpx2.TransportError as exc:  # includes timeouts
            if stop.is_set():
                raise _Stopped() from None
            raise read_error(exc) from exc
    body, images = finish_body(decoder)
    return headers, request_id, body, images


async def call_in_thread(sync_client: Any, checked: Checked, params: dict[str, Any]) -> tuple[dict[str, str], str | None, dict[str, Any], list[bytes]]:
    loop = asyncio.get_running_loop()
    future: asyncio.Future[Any] = loop.create_future()
    stop = threading.Event()
    holder: dict[str, Any] = {}

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
            result = _work(sync_client, checked, params, stop, holder)
        except _Stopped:
            return
        except BaseException as exc:  # noqa: BLE001 - handed to the awaiting coroutine
            if not loop.is_closed():
                loop.call_soon_threadsafe(settle, False, exc)
            return
        if not loop.is_closed():
            loop.call_soon_threadsafe(settle, True, result)

    threading.Thread(target=run, name="asset-studio-call", daemon=True).start()
    try:
        return await future
    except asyncio.CancelledError:
        stop.set()
        response = holder.get("response")
        if response is not None:
            try:
                response.close()  # ends a read in progress
            except Exception:  # noqa: BLE001 - best effort: the thread is a daemon
                pass
        raise
