"""The sandbox's form reader, Starlette's `request.form()`, against a streaming parser of our own.

    .venv/bin/python bench/sandbox_forms.py [--rounds 3] [--only TEXT]

Three readers of the same multipart upload, each served by uvicorn in a child
process of its own (so its CPU time, bytes written and memory are its own), fed
by curl (another process) over loopback, one upload after another:

* **drain**: reads the body and throws it away: the floor (HTTP and loopback);
* **hand**: `bench/streaming_form.py::read_form`, the sandbox's reader until
  issue 23: a file part streams straight into the spool folder, hashed on the
  way, ~1 MiB per thread hop (the baseline);
* **starlette**: `console/sandbox/forms.py::read_form`, what the sandbox uses, over
  `request.form()`: Starlette spools each file part (memory up to 1 MiB, then an
  unnamed file in the system's temporary folder, a thread hop per network chunk),
  then it is copied into the spool folder, hashed.

For each scenario and reader: wall time of the uploads, the server's CPU time,
the bytes it wrote (`wchar` of /proc/self/io), its memory growth, and the worst
lateness of a 5 ms ticker thread in the server process: the embedded sandbox runs
inside the console, so a reader that holds the GIL stalls the window. Then two
refusals of a body over the 100 MiB limit: with its Content-Length (nothing may be
written) and chunked (counted while it streams).

What the sandbox needs: 100 MiB uploads, streamed to disk, a body over the limit
refused before anything is written when its length is declared, and no stall of
the console it runs in. The closing lines print each figure of `starlette` as a
ratio to `hand`, the baseline measured in the same run.

Not part of the test suite: performance is measured here, never asserted in tests.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MIB = 1024 * 1024
LIMIT = 100 * MIB
READERS = ("drain", "hand", "starlette")
SCENARIOS = [("1 MiB x 40", 1 * MIB, 40), ("16 MiB x 6", 16 * MIB, 6), ("99 MiB x 1", 99 * MIB, 1)]


# ---------------------------------------------------------------------- the child: one reader
def _io_written() -> int:
    for line in Path("/proc/self/io").read_text().splitlines():
        if line.startswith("wchar:"):
            return int(line.split()[1])
    return 0


def _rss() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


class _Watch(threading.Thread):
    """Samples memory and how late a 5 ms tick fires, in this process."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.stop = threading.Event()
        self.base = _rss()
        self.peak = self.base
        self.worst_late = 0.0

    def run(self) -> None:
        while not self.stop.is_set():
            before = time.perf_counter()
            time.sleep(0.005)  # the ticker being measured, not a wait in a test
            self.worst_late = max(self.worst_late, time.perf_counter() - before - 0.005)
            self.peak = max(self.peak, _rss())


def _app(reader: str, spool: Path):
    from concurrent.futures import ThreadPoolExecutor

    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    from console.sandbox.forms import FormError

    if reader == "hand":
        from bench.streaming_form import read_form
    else:
        from console.sandbox.forms import read_form
    executor = ThreadPoolExecutor(thread_name_prefix="bench-io")

    async def run_blocking(fn, *args):
        return await asyncio.get_running_loop().run_in_executor(executor, fn, *args)

    async def upload(request):
        if reader == "drain":
            size = 0
            async for chunk in request.stream():
                size += len(chunk)
            return JSONResponse({"status": "success", "size": size})
        try:
            form = await read_form(request, spool_dir=spool, run_blocking=run_blocking,
                                   max_body_bytes=LIMIT)
        except FormError as err:
            return JSONResponse({"status": "error", "errors": [str(err)]})
        try:
            got = form.files["upload_file"]
            return JSONResponse({"status": "success", "size": got.size, "sha256": got.sha256})
        finally:
            form.discard()

    return Starlette(routes=[Route("/upload", upload, methods=["POST"])])


def child(reader: str, path: Path, count: int, chunked: bool) -> None:
    import uvicorn

    spool = Path(tempfile.mkdtemp(prefix="bench-spool-"))
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(_app(reader, spool), log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)  # a bench waiting for its server, not a test
    command = ["curl", "-s", "-S", "--fail-with-body", "-F", f"upload_file=@{path}", "-F", "album_number=1",
               f"http://127.0.0.1:{port}/upload"]
    if chunked:
        command[1:1] = ["-H", "Transfer-Encoding: chunked"]
    watch = _Watch()
    watch.start()
    written, cpu, wall = _io_written(), time.process_time(), time.perf_counter()
    replies = [json.loads(subprocess.run(command, check=True, capture_output=True).stdout)
               for _ in range(count)]
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    written = _io_written() - written
    watch.stop.set()
    watch.join()
    left = list(spool.iterdir())
    server.should_exit = True
    thread.join()
    shutil.rmtree(spool, ignore_errors=True)
    print(json.dumps({"wall": wall, "cpu": cpu, "written": written, "rss": watch.peak - watch.base,
                      "late": watch.worst_late, "statuses": sorted({r["status"] for r in replies}),
                      "left": len(left),
                      "maxrss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))


# ---------------------------------------------------------------------- the parent
def _run(reader: str, path: Path, count: int, *, chunked: bool = False) -> dict:
    command = [sys.executable, __file__, "--child", reader, "--file", str(path), "--count", str(count)]
    if chunked:
        command.append("--chunked")
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _make(path: Path, size: int) -> Path:
    with open(path, "wb") as f:
        f.write(b"RIFF")  # not a real WAV: the readers never look inside
        left = size - 4
        block = os.urandom(MIB)
        while left > 0:
            f.write(block[:left])
            left -= len(block)
    return path


def _row(label: str, runs: list[dict]) -> dict:
    median = {key: statistics.median(r[key] for r in runs) for key in ("wall", "cpu", "written", "rss", "late")}
    statuses = sorted({s for r in runs for s in r["statuses"]})
    print(f"  {label:<10} wall {median['wall']:6.2f} s  cpu {median['cpu']:6.2f} s  "
          f"written {median['written'] / MIB:7.1f} MiB  memory +{median['rss'] / MIB:5.1f} MiB  "
          f"worst tick late {median['late'] * 1000:5.1f} ms  replies {statuses}  "
          f"left in the spool: {max(r['left'] for r in runs)}")
    return median


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", default="", help="run only the scenarios whose name contains this")
    parser.add_argument("--child", choices=READERS, help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--chunked", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.file, args.count, args.chunked)
        return 0
    if shutil.which("curl") is None:
        raise SystemExit("curl is needed to send the uploads.")
    work = Path(tempfile.mkdtemp(prefix="bench-forms-"))
    ratios: list[str] = []
    try:
        plan = [(name, size, count, False) for name, size, count in SCENARIOS]
        plan += [("refused: 101 MiB, declared", 101 * MIB, 1, False),
                 ("refused: 101 MiB, chunked", 101 * MIB, 1, True)]
        for name, size, count, chunked in plan:
            if args.only and args.only not in name:
                continue
            path = _make(work / f"{size}.bin", size)
            print(f"{name}:")
            runs: dict[str, list[dict]] = {reader: [] for reader in READERS}
            for round_ in range(args.rounds):
                order = READERS if round_ % 2 == 0 else tuple(reversed(READERS))
                for reader in order:
                    runs[reader].append(_run(reader, path, count, chunked=chunked))
            medians = {reader: _row(reader, runs[reader]) for reader in READERS}
            hand, other = medians["hand"], medians["starlette"]
            ratios.append(
                f"{name}: starlette/hand wall {other['wall'] / hand['wall']:.2f}, "
                f"cpu {other['cpu'] / max(hand['cpu'], 1e-9):.2f}, written "
                f"{other['written'] / MIB:.0f} vs {hand['written'] / MIB:.0f} MiB, worst tick late "
                f"{other['late'] * 1000:.1f} vs {hand['late'] * 1000:.1f} ms")
            path.unlink()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print()
    for line in ratios:
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
