"""A loopback TCP proxy that delays every request on its way to the server: a slow store on demand.

A test tool (Redis itself cannot be made slow per request): each chunk a client sends is forwarded
`delay` seconds after it arrived, answers come back at once. It also reads what goes through: the
requests in flight at once (each RESP command of a chunk counted: redis-py's connection handshake
sends two CLIENT SETINFO at once), the MGETs among them and the keys they carry (`*N` arrays: N - 1
keys), so a test checks the job's limits on the wire. `go_away()` closes every connection and the listener: the store is
gone for the job.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass


@dataclass
class Traffic:
    requests: int = 0
    mgets: int = 0
    keys: int = 0  # over all MGETs
    in_flight: int = 0  # requests sent on and not answered yet
    keys_in_flight: int = 0
    mgets_in_flight: int = 0
    max_in_flight: int = 0
    max_keys_in_flight: int = 0
    max_mgets_in_flight: int = 0


async def read(reader) -> bytes:
    """The next chunk; b"" at the end, also when the peer reset the connection."""
    try:
        return await reader.read(65536)
    except OSError:
        return b""


def reply_end(data: bytes, start: int = 0):
    """The end offset of the whole RESP reply at `start`, None while it is incomplete."""
    line_end = data.find(b"\r\n", start)
    if line_end < 0:
        return None
    kind, header = data[start : start + 1], data[start + 1 : line_end]
    position = line_end + 2
    if kind == b"$":
        length = int(header)
        return position if length < 0 else (position + length + 2 if len(data) >= position + length + 2 else None)
    if kind == b"*":
        for _ in range(max(int(header), 0)):
            position = reply_end(data, position)
            if position is None:
                return None
        return position
    return position  # +simple, -error, :integer


class LatencyProxy:
    def __init__(self, upstream_port: int, delay: float, host: str = "127.0.0.1"):
        self.upstream = (host, upstream_port)
        self.delay = delay
        self.traffic = Traffic()
        self._loop = asyncio.new_event_loop()
        self._server = None
        self._writers: set = set()
        self._requests_left = None  # go_away_after(n): the store disappears after n requests
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        self._ready.wait(10)
        self.port = self._server.sockets[0].getsockname()[1]

    def _run(self):
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(asyncio.start_server(self._serve, "127.0.0.1", 0))
        self._ready.set()
        self._loop.run_forever()

    async def _serve(self, client_reader, client_writer):
        try:
            server_reader, server_writer = await asyncio.open_connection(*self.upstream)
        except OSError:
            client_writer.close()
            return
        self._writers |= {client_writer, server_writer}
        sent: list[tuple[int, bool]] = []  # (keys, is an MGET) of each command forwarded and not answered, in order

        def forward(chunk: bytes):
            if not server_writer.is_closing():
                server_writer.write(chunk)

        def count(command: bytes):
            is_mget = command.split(b"\r\n", 3)[2].upper() == b"MGET"  # *N, $4, MGET, ...
            keys = int(command[1 : command.index(b"\r\n")]) - 1 if is_mget else 0
            traffic = self.traffic
            traffic.requests += 1
            traffic.mgets += is_mget
            traffic.keys += keys
            traffic.in_flight += 1
            traffic.keys_in_flight += keys
            traffic.mgets_in_flight += is_mget
            traffic.max_in_flight = max(traffic.max_in_flight, traffic.in_flight)
            traffic.max_keys_in_flight = max(traffic.max_keys_in_flight, traffic.keys_in_flight)
            traffic.max_mgets_in_flight = max(traffic.max_mgets_in_flight, traffic.mgets_in_flight)
            sent.append((keys, is_mget))
            if self._requests_left is not None:
                self._requests_left -= 1
                if self._requests_left == 0:
                    self._loop.call_later(self.delay * 2, self._close_all)

        async def requests():
            unread = b""  # the start of a command whose end has not arrived yet
            while chunk := await read(client_reader):
                unread += chunk
                while unread and (end := reply_end(unread)) is not None:
                    count(unread[:end])
                    unread = unread[end:]
                self._loop.call_later(self.delay, forward, chunk)
            server_writer.close()

        async def answers():
            pending = b""
            while chunk := await read(server_reader):
                pending += chunk
                while sent and (end := reply_end(pending)) is not None:  # a whole answer came back
                    pending = pending[end:]
                    keys, is_mget = sent.pop(0)
                    self.traffic.in_flight -= 1
                    self.traffic.keys_in_flight -= keys
                    self.traffic.mgets_in_flight -= is_mget
                client_writer.write(chunk)
            client_writer.close()

        try:
            await asyncio.gather(requests(), answers(), return_exceptions=True)
        finally:
            self.traffic.in_flight -= len(sent)
            self.traffic.keys_in_flight -= sum(keys for keys, _ in sent)
            self.traffic.mgets_in_flight -= sum(is_mget for _, is_mget in sent)
            self._writers -= {client_writer, server_writer}

    def _close_all(self):
        self._server.close()
        for writer in list(self._writers):
            writer.close()

    def go_away(self):
        """Close the listener and every connection: the store disappears."""
        self._loop.call_soon_threadsafe(self._close_all)

    def go_away_after(self, requests: int):
        """Let `requests` requests through, then go away."""
        self._requests_left = requests

    def close(self):
        self.go_away()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
