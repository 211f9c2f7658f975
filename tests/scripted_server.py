"""A misbehaving server for tests: answers on 127.0.0.1 exactly as scripted, byte for byte.

Beside the sandbox's fault injection (which emulates OpenAI's own errors), this one plays a server or
proxy that breaks the rules: malformed `usage`, absurd numbers, a body cut short. Each request pops the
next scripted answer: (status, headers, body bytes, close_after) — close_after drops the connection
after sending the body (a cut answer); a trickle sends the body a byte at a time."""

from __future__ import annotations

import base64
import io
import json
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from PIL import Image


def png(colour=(30, 120, 200), size=(1024, 1024)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, "PNG")
    return buf.getvalue()


def images_body(n: int = 1, *, usage: Any = "default", extra: dict[str, Any] | None = None) -> bytes:
    """An ImagesResponse with n real PNGs and the given `usage` (anything, even not JSON-typed right)."""
    data = [{"b64_json": base64.b64encode(png((40 * i % 255, 90, 160))).decode()} for i in range(n)]
    body: dict[str, Any] = {
        "created": 1,
        "data": data,
        "output_format": "png",
        "size": "1024x1024",
        "quality": "low",
    }
    if usage == "default":
        usage = {
            "input_tokens": 10,
            "input_tokens_details": {"text_tokens": 10, "image_tokens": 0},
            "output_tokens": 196 * n,
            "output_tokens_details": {"image_tokens": 196 * n, "text_tokens": 0},
            "total_tokens": 10 + 196 * n,
        }
    if usage is not None:
        body["usage"] = usage
    body.update(extra or {})
    return json.dumps(body).encode()


class ScriptedServer:
    def __init__(self) -> None:
        self.answers: deque[tuple[int, dict[str, str], bytes, bool, tuple[int, float] | None]] = deque()
        self.requests: list[dict[str, Any]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 - /v1/models
                self._answer()

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("content-length") or 0)
                self.rfile.read(length)
                self._answer()

            def _answer(self) -> None:
                server.requests.append({"path": self.path, "method": self.command})
                status, headers, body, close_after, trickle = (
                    server.answers.popleft()
                    if server.answers
                    else (
                        500,
                        {},
                        b'{"error": {"message": "nothing scripted", "type": "server_error"}}',
                        False,
                        None,
                    )
                )
                self.send_response(status)
                headers = {"content-type": "application/json", "x-request-id": "req_scripted", **headers}
                headers.setdefault("content-length", str(len(body)))
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                prefix, every = trickle or (len(body), 0.0)
                self.wfile.write(body[:prefix])
                self.wfile.flush()
                try:
                    for i in range(prefix, len(body)):  # then one byte at a time
                        time.sleep(every)
                        self.wfile.write(body[i : i + 1])
                        self.wfile.flush()
                except OSError:  # the client gave up
                    self.close_connection = True
                    return
                if close_after:
                    self.close_connection = True

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True  # a trickling answer never holds up the test's end
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def script(
        self,
        status: int,
        body: bytes,
        headers: dict[str, str] | None = None,
        *,
        close_after: bool = False,
        trickle: tuple[int, float] | None = None,
    ) -> None:
        """trickle=(k, s): send the first k bytes at once, then one byte every s seconds."""
        self.answers.append((status, headers or {}, body, close_after, trickle))

    def __enter__(self) -> ScriptedServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
