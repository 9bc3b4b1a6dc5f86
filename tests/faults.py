"""
Real network faults for tests: a TCP proxy on a loopback port, in front of a real
server (Redis, PostgreSQL), that can be made to hang or be shut like a stopped server.

- `forward()`: every byte goes through, as if the client talked to the server.
- `hang()`: connections are accepted and kept open, but nothing more goes either way,
  as with a server that is hung (or a network that drops packets).
- `shut()`: connections are closed and new ones refused, as with a stopped server.

It only ever listens on 127.0.0.1 and connects to 127.0.0.1, and `close()` (or leaving
the `with` block) stops its thread and every socket it holds.
"""

import select
import socket
import threading

POLL_SECONDS = 0.05


class FaultyProxy:
    def __init__(self, target_port):
        self.target_port = target_port
        self.mode = "forward"
        self._pairs = []
        self._listener = self._listen(0)
        self.port = self._listener.getsockname()[1]
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def forward(self):
        if self._listener is None:
            self._listener = self._listen(self.port)
        self.mode = "forward"

    def hang(self):
        self.forward()
        self.mode = "hang"

    def shut(self):
        self.mode = "shut"
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()
        self._drop_connections()

    def close(self):
        self._stopped.set()
        self._thread.join(timeout=5)
        self.shut()

    @staticmethod
    def _listen(port):
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", port))
        listener.listen(64)
        return listener

    def _drop_connections(self):
        pairs, self._pairs = self._pairs, []
        for pair in pairs:
            for end in pair:
                end.close()

    def _run(self):
        while not self._stopped.is_set():
            listener = self._listener
            # While hung, bytes wait unread in the sockets, so only the listener is watched.
            relayed = (
                [pair for pair in self._pairs if len(pair) == 2] if self.mode == "forward" else []
            )
            watched = [
                *([listener] if listener else []),
                *(end for pair in relayed for end in pair),
            ]
            if not watched:
                self._stopped.wait(POLL_SECONDS)
                continue
            try:
                readable, _, _ = select.select(watched, [], [], POLL_SECONDS)
            except (OSError, ValueError):  # a socket closed by shut() meanwhile
                continue
            for end in readable:
                if end is listener:
                    self._accept(listener)
                else:
                    self._relay(end)

    def _accept(self, listener):
        try:
            client, _ = listener.accept()
        except OSError:
            return
        if self.mode == "hang":
            # Accepted and never answered; the server never hears of it.
            self._pairs.append((client,))
            return
        try:
            server = socket.create_connection(("127.0.0.1", self.target_port), timeout=5)
        except OSError:  # the real server is down too: the client sees its connection close
            client.close()
            return
        server.settimeout(None)
        self._pairs.append((client, server))

    def _relay(self, end):
        pair = next((pair for pair in self._pairs if end in pair and len(pair) == 2), None)
        if pair is None:
            return
        other = pair[1] if end is pair[0] else pair[0]
        try:
            data = end.recv(65536)
            if data:
                other.sendall(data)
                return
        except OSError:
            pass
        self._pairs.remove(pair)
        for side in pair:
            side.close()
