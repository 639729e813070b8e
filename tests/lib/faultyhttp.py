#!/usr/bin/env python3
"""A mirror with faults, for tests/e2e/mirror-faults.bats.

Usage: faultyhttp.py DIR RULES

Serves DIR on 127.0.0.1 on a port the kernel picks, announced on stdout as
http.server does ("Serving HTTP on 127.0.0.1 port N ..."). RULES is a file
read again on every request, one rule a line:

    FAULT SUFFIX [COUNT]

A request whose path ends with SUFFIX gets FAULT, COUNT times (default:
every time), then the file as it is. "Range: bytes=N-" is honoured, as a
real mirror does (a resumed download), faults then apply to the rest. Every answer is appended to RULES.log
as "PATH FAULT" ("PATH ok" for a plain one). Faults:

    drop       the headers and half the body, then the connection is reset
    500, 503   that status
    truncate   the full Content-Length, half the body, then a clean close
    shortlen   a Content-Length of half the file, and that half: a complete,
               short answer
    slow       the body at 2 bytes a second (below any sane low-speed limit)
    stall      the request is read, nothing is ever answered
    redirect   a 302 to the same path (a redirect loop)
    endless    200 without Content-Length, the file and then zeros, forever
    norange    the whole file with 200, whatever Range asked for (a server
               that cannot resume)
"""
import http.server
import os
import socket
import struct
import sys
import threading
import time

ROOT, RULES = sys.argv[1], sys.argv[2]
lock = threading.Lock()
served = {}  # rule line -> times applied


def fault_for(path):
    try:
        with open(RULES) as f:
            lines = [l.split() for l in f if l.strip() and not l.startswith("#")]
    except FileNotFoundError:
        return None
    for words in lines:
        fault, suffix = words[0], words[1]
        count = int(words[2]) if len(words) > 2 else None
        if not path.endswith(suffix):
            continue
        key = " ".join(words)
        with lock:
            n = served.get(key, 0)
            if count is not None and n >= count:
                continue
            served[key] = n + 1
        return fault
    return None


class Handler(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, directory=ROOT, **kwargs)

    def log_message(self, *args):
        pass

    def note(self, what):
        with lock, open(RULES + ".log", "a") as f:
            f.write(f"{self.path} {what}\n")

    def body(self):
        path = self.translate_path(self.path)
        try:
            with open(path, "rb") as f:
                return f.read()
        except OSError:
            return None

    def head(self, status, length, close=False):
        self.send_response(206 if status == 200 and self.start else status)
        if self.start and length is not None:
            self.send_header("Content-Range", f"bytes {self.start}-{self.start + length - 1}/{self.total}")
        self.send_header("Content-Type", "application/octet-stream")
        if length is not None:
            self.send_header("Content-Length", str(length))
        if close or length is None:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.flush()

    def do_GET(self):
        fault = fault_for(self.path.split("?")[0])
        data = self.body()
        if data is None:
            self.note("missing")
            return super().do_GET()
        self.total = len(data)
        rng = self.headers.get("Range", "")
        self.start = int(rng[6:-1]) if rng.startswith("bytes=") and rng.endswith("-") else 0
        data = data[self.start :]
        if fault is None:
            self.note("ok")
            self.head(200, len(data))
            self.wfile.write(data)
            return
        self.note(fault)
        if fault == "norange":
            self.start = 0
            self.head(200, self.total)
            self.wfile.write(self.body())
            return
        half = data[: len(data) // 2]
        self.close_connection = True
        try:
            if fault in ("500", "503"):
                self.send_error(int(fault))
            elif fault == "drop":
                self.head(200, len(data))
                self.wfile.write(half)
                self.wfile.flush()
                # SO_LINGER 0: the close is a reset, as a dropped link looks
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            elif fault == "truncate":
                self.head(200, len(data), close=True)
                self.wfile.write(half)
            elif fault == "shortlen":
                self.head(200, len(half))
                self.wfile.write(half)
            elif fault == "slow":
                self.head(200, len(data))
                for i in range(len(data)):
                    self.wfile.write(data[i : i + 1])
                    self.wfile.flush()
                    time.sleep(0.5)
            elif fault == "stall":
                time.sleep(600)
            elif fault == "redirect":
                self.send_response(302)
                self.send_header("Location", self.path)
                self.send_header("Content-Length", "0")
                self.end_headers()
                self.close_connection = False
            elif fault == "endless":
                self.head(200, None)
                self.wfile.write(data)
                zeros = bytes(65536)
                while True:
                    self.wfile.write(zeros)
            else:
                self.send_error(400, f"unknown fault {fault}")
        except (BrokenPipeError, ConnectionResetError):
            pass


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True


server = Server(("127.0.0.1", 0), Handler)
print(f"Serving HTTP on 127.0.0.1 port {server.server_address[1]} (faults from {RULES})", flush=True)
server.serve_forever()
