"""A TCP proxy a fault test controls: put it between the app and PostgreSQL or Redis, then make
the service go away (``drop``: connections reset, new ones refused) or hang (``blackhole``:
connections accepted, nothing ever answered) without touching the shared server itself."""

import contextlib
import socket
import threading


class FaultProxy:
    """Forwards 127.0.0.1:<port> to ``target`` (host, port) until told otherwise.

    Modes: ``"pass"`` forwards; ``"drop"`` closes every open connection and refuses new ones;
    ``"blackhole"`` accepts connections and reads them, but never forwards or answers.
    """

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.mode = "pass"
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url_netloc(self) -> str:
        return f"127.0.0.1:{self.port}"

    def set_mode(self, mode: str) -> None:
        assert mode in ("pass", "drop", "blackhole"), mode
        with self._lock:
            self.mode = mode
            if mode != "pass":
                self._close_all()

    def close(self) -> None:
        self._closed = True
        self._listener.close()
        with self._lock:
            self._close_all()

    def _close_all(self) -> None:
        for sock in list(self._sockets):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        self._sockets.clear()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                mode = self.mode
                if mode == "drop":
                    client.close()
                    continue
                self._sockets.add(client)
            if mode == "blackhole":
                threading.Thread(target=self._swallow, args=(client,), daemon=True).start()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self._lock:
                self._sockets.add(upstream)
            threading.Thread(target=self._pipe, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client), daemon=True).start()

    def _swallow(self, client: socket.socket) -> None:
        try:
            while client.recv(65536):
                pass
        except OSError:
            pass

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.close()
