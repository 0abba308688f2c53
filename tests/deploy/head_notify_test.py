#!/usr/bin/env python3
"""wasmhpc-head under a stand-in for systemd's notify socket.

Starts the real head with NOTIFY_SOCKET (a datagram socket this test binds in
a temp dir) and WATCHDOG_USEC=400000, as a Type=notify unit with
WatchdogSec=0.4s would, and checks:
  - the first message is READY=1, with a STATUS naming the gRPC and REST
    addresses; at that moment a gRPC call (grpc.health.v1.Health/Check,
    spoken as raw HTTP/2 frames) answers SERVING and REST /healthz answers;
  - WATCHDOG=1 then arrives periodically (every ~200 ms: half the timeout);
  - after SIGTERM, STOPPING=1 arrives and the head exits 0.

usage: head_notify_test.py BUILD/server/wasmhpc-head
"""
import os
import re
import select
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request

WATCHDOG_USEC = 400000


def fail(message):
    print("FAIL: " + message, file=sys.stderr)
    sys.exit(1)


def receive(sock, timeout):
    """The next datagram as text, or None after `timeout` seconds."""
    ready, _, _ = select.select([sock], [], [], timeout)
    if not ready:
        return None
    return sock.recv(4096).decode()


def hpack_literal(name, value):
    """One header as an HPACK literal without indexing (no Huffman)."""
    def string(s):
        data = s.encode()
        assert len(data) < 127
        return bytes([len(data)]) + data
    return b"\x00" + string(name) + string(value)


def frame(kind, flags, stream, payload):
    return (struct.pack(">I", len(payload))[1:] + bytes([kind, flags]) +
            struct.pack(">I", stream) + payload)


def grpc_health_check(address, timeout=5.0):
    """Calls grpc.health.v1.Health/Check("") over plain HTTP/2; returns the
    response message's bytes (b"\\x08\\x01" is SERVING)."""
    host, port = address.rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=timeout) as s:
        headers = b"".join(hpack_literal(k, v) for k, v in [
            (":method", "POST"), (":scheme", "http"),
            (":path", "/grpc.health.v1.Health/Check"),
            (":authority", address), ("content-type", "application/grpc"),
            ("te", "trailers")])
        s.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" +
                  frame(0x4, 0, 0, b"") +            # SETTINGS
                  frame(0x1, 0x4, 1, headers) +      # HEADERS, END_HEADERS
                  frame(0x0, 0x1, 1, b"\x00" + struct.pack(">I", 0)))  # DATA
        buffer = b""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            while len(buffer) >= 9:
                length = int.from_bytes(buffer[:3], "big")
                if len(buffer) < 9 + length:
                    break
                kind, flags = buffer[3], buffer[4]
                stream = int.from_bytes(buffer[5:9], "big") & 0x7FFFFFFF
                payload = buffer[9:9 + length]
                buffer = buffer[9 + length:]
                if kind == 0x4 and not flags & 0x1:  # SETTINGS: acknowledge
                    s.sendall(frame(0x4, 0x1, 0, b""))
                elif kind == 0x0 and stream == 1 and len(payload) >= 5:
                    return payload[5:5 + int.from_bytes(payload[1:5], "big")]
                elif kind == 0x3 and stream == 1:  # RST_STREAM
                    fail("gRPC health call reset: " + payload.hex())
                elif kind == 0x7:  # GOAWAY
                    fail("gRPC server sent GOAWAY: " + payload.hex())
            chunk = s.recv(65536)
            if not chunk:
                break
            buffer += chunk
    fail("no gRPC health response from " + address)


def main():
    if len(sys.argv) != 2:
        fail(__doc__)
    head_binary = sys.argv[1]
    with tempfile.TemporaryDirectory(prefix="head_notify_test.") as tmp:
        notify_path = os.path.join(tmp, "notify")
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        listener.bind(notify_path)
        env = dict(os.environ, NOTIFY_SOCKET=notify_path,
                   WATCHDOG_USEC=str(WATCHDOG_USEC))
        env.pop("WATCHDOG_PID", None)
        head = subprocess.Popen(
            [head_binary, "--grpc-port", "0", "--rest-port", "0", "--host",
             "127.0.0.1", "--data-dir", os.path.join(tmp, "data")],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True)
        try:
            run(head, listener)
        finally:
            if head.poll() is None:
                head.kill()
                head.wait()
            listener.close()
    print("PASS: READY after gRPC + REST answer, WATCHDOG every ~%d ms, "
          "STOPPING on SIGTERM" % (WATCHDOG_USEC // 2000))


def run(head, listener):
    first = receive(listener, 60)
    if first is None:
        head.kill()
        fail("no notification within 60 s; head stderr:\n" +
             head.communicate()[1])
    lines = first.split("\n")
    if lines[0] != "READY=1":
        fail("first notification is %r, not READY=1" % first)
    match = re.fullmatch(r"STATUS=serving gRPC on (\S+), REST on (\S+)",
                         lines[1] if len(lines) > 1 else "")
    if not match:
        fail("READY without a STATUS naming both servers: %r" % first)
    grpc_address, rest_address = match.groups()

    # READY means serving: both answer right away, without retries.
    response = grpc_health_check(grpc_address)
    if response != b"\x08\x01":
        fail("gRPC health check at READY: %r, not SERVING" % response)
    with urllib.request.urlopen("http://%s/healthz" % rest_address,
                                timeout=5) as reply:
        if reply.status != 200:
            fail("REST /healthz at READY: HTTP %d" % reply.status)
    # The addresses match what the head printed before READY.
    printed = [head.stdout.readline().strip() for _ in range(2)]
    expected = ["wasmhpc-head: listening on " + grpc_address,
                "wasmhpc-head: REST on " + rest_address]
    if printed != expected:
        fail("stdout %r, expected %r" % (printed, expected))

    # Watchdog pings: every WATCHDOG_USEC/2 (the loop ticks every 100 ms,
    # so 200..300 ms apart here, later on a loaded machine).
    pings = []
    window = 2.0
    start = time.monotonic()
    while time.monotonic() - start < window:
        message = receive(listener, window - (time.monotonic() - start))
        if message is None:
            break
        if message != "WATCHDOG=1":
            fail("unexpected notification while serving: %r" % message)
        pings.append(time.monotonic())
    half = WATCHDOG_USEC / 2e6
    if len(pings) < 3:
        fail("%d WATCHDOG=1 in %.1f s; expected one every %.1f s" %
             (len(pings), window, half))
    gaps = [b - a for a, b in zip(pings, pings[1:])]
    # Datagrams queue, so a late reader may see two close together; the
    # sender itself never pings twice within one interval: count, not gaps.
    if len(pings) > window / half + 2:
        fail("%d WATCHDOG=1 in %.1f s: faster than every %.1f s (gaps %s)" %
             (len(pings), window, half, ["%.3f" % g for g in gaps]))

    head.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 20
    while True:
        message = receive(listener, max(0, deadline - time.monotonic()))
        if message is None:
            fail("no STOPPING=1 within 20 s of SIGTERM")
        if message == "WATCHDOG=1":
            continue
        if not message.startswith("STOPPING=1\n"):
            fail("after SIGTERM: %r, not STOPPING=1" % message)
        break
    try:
        code = head.wait(timeout=20)
    except subprocess.TimeoutExpired:
        fail("head still runs 20 s after SIGTERM")
    if code != 0:
        fail("head exited %d after SIGTERM; stderr:\n%s" %
             (code, head.stderr.read()))


if __name__ == "__main__":
    main()
