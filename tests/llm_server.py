"""A small OpenAI-compatible chat-completions server that misbehaves on purpose.

Runs in a thread on 127.0.0.1 and answers each request with the next behaviour of
its script (the last one repeats): a good reply (JSON or SSE stream), HTTP 500,
429 with Retry-After, invalid JSON, a hang, a stream cut mid-reply, a stream that
ends without a finish_reason, or a reply cut at max_tokens.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

REPLY = ["The harbour", " reopened", " on Monday", " [1]."]


class MisbehavingServer:
    def __init__(self):
        self.script: list[str] = ["ok"]
        self.requests: list[tuple[float, dict]] = []  # (monotonic time, request body)
        self.release = threading.Event()  # set on close: hanging handlers return
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def start(self) -> MisbehavingServer:
        self._thread.start()
        return self

    def close(self) -> None:
        self.release.set()
        self._server.shutdown()
        self._server.server_close()

    def play(self, *behaviours: str) -> None:
        self.script = list(behaviours)
        self.requests.clear()

    def next_behaviour(self) -> str:
        return self.script.pop(0) if len(self.script) > 1 else self.script[0]


def _handler(owner: MisbehavingServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):  # quiet
            pass

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            owner.requests.append((time.monotonic(), body))
            behaviour = owner.next_behaviour()
            name, _, arg = behaviour.partition(":")
            getattr(self, f"_{name.replace('-', '_')}")(body, arg)

        # -- behaviours ---------------------------------------------------------
        def _ok(self, body, arg, finish="stop"):
            if body.get("stream"):
                self._sse(REPLY, finish=finish)
            else:
                self._json(200, _completion("".join(REPLY), finish))

        def _length(self, body, arg):
            self._ok(body, arg, finish="length")

        def _status(self, code: int, headers: dict | None = None):
            self._json(code, {"error": {"message": f"test server says {code}", "type": "server_error"}}, headers)

        def _e500(self, body, arg):
            self._status(500)

        def _e429(self, body, arg):
            self._status(429, {"Retry-After": arg or "1"})

        def _badjson(self, body, arg):
            if body.get("stream"):
                self._start_sse()
                self._chunk(b'data: {"id": "x", "choices": [{"delta": {"content": "Hal\n\n')
                self._chunk(b"")
            else:
                self._raw(200, b'{"id": "x", "choices": [', "application/json")

        def _hang(self, body, arg):
            owner.release.wait(float(arg or 30))

        def _hang_mid(self, body, arg):
            """Send the first words, then stop answering."""
            self._start_sse()
            self._chunk(_event(_delta(REPLY[0])))
            owner.release.wait(float(arg or 30))

        def _cut(self, body, arg):
            """Send the first words, then drop the connection inside the chunked body."""
            self._start_sse()
            self._chunk(_event(_delta(REPLY[0])) + _event(_delta(REPLY[1])))
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(2)

        def _eof(self, body, arg):
            """A well-formed stream that ends (with [DONE]) without ever giving a finish_reason."""
            self._sse(REPLY[:2], finish=None)

        # -- wire ---------------------------------------------------------------
        def _json(self, code, payload, headers=None):
            self._raw(code, json.dumps(payload).encode(), "application/json", headers)

        def _raw(self, code, data: bytes, content_type: str, headers=None):
            self.send_response(code)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)

        def _start_sse(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()

        def _chunk(self, data: bytes):
            self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            self.wfile.flush()

        def _sse(self, pieces, finish):
            self._start_sse()
            self._chunk(_event({**_delta(""), "choices": [{"index": 0, "delta": {"role": "assistant"}}]}))
            for piece in pieces:
                self._chunk(_event(_delta(piece)))
            if finish:
                self._chunk(_event({**_delta(""), "choices": [{"index": 0, "delta": {}, "finish_reason": finish}]}))
            self._chunk(b"data: [DONE]\n\n")
            self._chunk(b"")

    return Handler


def _delta(text: str) -> dict:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": "fake",
        "choices": [{"index": 0, "delta": {"content": text}, "finish_reason": None}],
    }


def _event(payload: dict) -> bytes:
    return f"data: {json.dumps(payload)}\n\n".encode()


def _completion(text: str, finish: str) -> dict:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 0,
        "model": "fake",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": finish}],
        "usage": {"prompt_tokens": 5, "completion_tokens": 4, "total_tokens": 9},
    }
