"""Upload throughput and CPU of the Voitex client against curl, and its memory on a huge file.

    .venv/bin/python bench/upload_throughput.py [--rounds 3] [--big-mib 500] [--concurrency 4]
                                                [--rate 10e6] [--no-sandbox] [--only TEXT]

Two servers run as subprocesses, so their CPU work does not compete with the
client's for this process's GIL, and curl and the client hit the very same one:

* a **sink** (`--serve-sink`, in this file): a minimal asyncio HTTP server that
  reads and discards each request body and answers a valid Voitex upload
  reply. It is not the bottleneck, so the uploader's own cost shows. A second
  one is **paced** (`--rate`, 10 MB/s by default, for all connections
  together): an office uplink, where what users feel is measured;
* the project's **sandbox** (`python -m console.sandbox.cli`), which stores
  every upload, as the console's users meet it.

1. One file of --big-mib MiB (a WAV header, then a sparse hole: created at
   once) is uploaded to the sink with the client while a thread samples this
   process's resident memory; the growth over the level before the upload is
   printed (target: < 20 MiB; the file must stream from disk).
2. Scenarios, each a set of files uploaded with the client at --concurrency,
   timed inside this process from the first request to the last reply
   (start-up and a warm-up request excluded), then with ONE
   `curl -Z --parallel-max N` process (a config file with one transfer per
   file, separated by `next`). Client and curl alternate for --rounds rounds
   (who goes first alternates too). Each round prints wall and CPU time of
   both; the medians, their ratio and the target close the scenario:

   ======================  =======  ==================
   scenario                server   target (wall)
   ======================  =======  ==================
   200 x 1 MiB             paced    client <= 1.1x curl
   500 x 16 KiB            paced    client <= 1.1x curl
   200 x 1 MiB             sandbox  client <= 1.5x curl
   ======================  =======  ==================

   The CPU time each uploader itself spent is printed too: on a busy machine
   it is steadier than wall time, and it is where client and curl differ.

Not part of the test suite: performance is measured here, never asserted in tests.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from console.api import VoitexClient  # noqa: E402

KEY = "bench-key-0123456789"
MIB = 1024 * 1024


def wav_header(data_bytes: int, rate: int = 8000) -> bytes:
    """A 44-byte header of a mono 16-bit PCM WAV holding `data_bytes` of samples."""
    return (
        b"RIFF" + struct.pack("<I", 36 + data_bytes) + b"WAVE"
        + b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16)
        + b"data" + struct.pack("<I", data_bytes)
    )


def make_files(folder: Path, count: int, size: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        path = folder / f"rec{i:04d}.wav"
        with open(path, "wb") as f:
            f.write(wav_header(size - 44))
            f.write(os.urandom(size - 44))
        paths.append(path)
    return paths


def make_sparse_wav(path: Path, size: int) -> Path:
    with open(path, "wb") as f:
        f.write(wav_header(min(size - 44, 0xFFFFFFFF - 36)))
        f.truncate(size)
    return path


class Sandbox:
    """`python -m console.sandbox.cli` in a subprocess, on a free port."""

    def __init__(self, data_dir: Path) -> None:
        env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "console.sandbox.cli", "--port", "0", "--data-dir", str(data_dir), "--key", KEY],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self._wait_for_url()

    def _wait_for_url(self) -> None:
        self.url = ""
        deadline = time.monotonic() + 30
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            match = re.search(r"listening on (https?://\S+)", line)
            if match:
                self.url = match.group(1)
                break
            if time.monotonic() > deadline:
                break
        if not self.url:
            self.stop()
            raise SystemExit(f"{type(self).__name__} did not start.")
        # Keep draining its output so it never blocks on a full pipe.
        threading.Thread(target=self.proc.stdout.read, daemon=True).start()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


SINK_REPLY_BODY = b'{"data": "918357", "status": "success", "errors": []}'
SINK_REPLY = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
    + str(len(SINK_REPLY_BODY)).encode()
    + b"\r\n\r\n"
    + SINK_REPLY_BODY
)


class Pacer:
    """All connections together take at most `rate` bytes per second (an office uplink)."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.free_at = 0.0

    def spend(self, count: int) -> float:
        """Seconds to stop reading after `count` bytes, so the average stays at the rate."""
        now = time.monotonic()
        self.free_at = max(self.free_at, now) + count / self.rate
        return self.free_at - now


PACER: Pacer | None = None


class _SinkProtocol(asyncio.Protocol):
    """HTTP/1.1 keep-alive: read a head, discard Content-Length bytes, answer; repeat."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport
        self.head = b""
        self.remaining = -1  # -1: reading a head

    def data_received(self, data: bytes) -> None:
        if PACER is not None:
            delay = PACER.spend(len(data))
            if delay > 0.002:
                self.transport.pause_reading()
                asyncio.get_running_loop().call_later(delay, self._resume)
        start, size = 0, len(data)
        while start < size:
            if self.remaining < 0:
                self.head += data[start:] if start else data
                end = self.head.find(b"\r\n\r\n")
                if end < 0:
                    if len(self.head) > 65536:
                        self.transport.close()
                    return
                head, rest = self.head[:end], self.head[end + 4 :]
                self.head = b""
                data, start, size = rest, 0, len(rest)
                self.remaining = 0
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    name = name.strip().lower()
                    if name == b"content-length":
                        self.remaining = int(value)
                    elif name == b"expect" and value.strip().lower() == b"100-continue":
                        self.transport.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            take = min(size - start, self.remaining)
            start += take
            self.remaining -= take
            if self.remaining == 0:
                self.transport.write(SINK_REPLY)
                self.remaining = -1


    def _resume(self) -> None:
        if not self.transport.is_closing():
            self.transport.resume_reading()


def serve_sink(rate: float = 0.0, tls: tuple[str, str] | None = None) -> int:
    """Run the sink in the foreground; prints its URL, then serves until killed.

    `rate` > 0 paces it to that many bytes per second; `tls` (cert, key) serves https."""
    global PACER
    PACER = Pacer(rate) if rate > 0 else None

    async def run() -> None:
        import ssl

        loop = asyncio.get_running_loop()
        context = None
        if tls is not None:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(*tls)
        server = await loop.create_server(_SinkProtocol, "127.0.0.1", 0, backlog=256, ssl=context)
        port = server.sockets[0].getsockname()[1]
        print(f"sink listening on {'https' if tls else 'http'}://127.0.0.1:{port}", flush=True)
        await server.serve_forever()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run())
    return 0


class Sink(Sandbox):
    """This file's --serve-sink in a subprocess (paced to `rate` bytes/s when given)."""

    def __init__(self, rate: float = 0.0, tls: tuple[str, str] | None = None) -> None:  # noqa: D107
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "--serve-sink", "--rate", str(rate),
             *(["--tls", *tls] if tls else [])],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self._wait_for_url()


def reset_sandbox(url: str) -> None:
    """Empty the sandbox's library: it rewrites its state file on every upload,
    so a fuller library makes later uploads slower, whoever sends them."""
    request = urllib.request.Request(f"{url}/sandbox/reset", data=b"", method="POST", headers={"auth_key": KEY})
    with urllib.request.urlopen(request, timeout=60) as reply:
        reply.read()


def rss_bytes() -> int | None:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return None


def max_rss_bytes() -> int | None:
    try:
        import resource
    except ImportError:
        return None
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux


class RssSampler:
    def __init__(self, interval: float = 0.01) -> None:
        self.interval = interval
        self.peak = rss_bytes() or 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_bytes() or 0)
            self._stop.wait(self.interval)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_bytes() or 0)


async def big_upload(url: str, path: Path, warmup: Path) -> tuple[float, int, int | None, int | None]:
    async with VoitexClient(base_url=url, auth_key=KEY, upload_read_timeout=600) as client:
        await client.upload_recording(warmup, album_number=1, sort_number=0)
        base_rss = rss_bytes() or 0
        base_max = max_rss_bytes()
        progress_calls = 0

        def on_progress(sent: int, total: int) -> None:
            nonlocal progress_calls
            progress_calls += 1

        with RssSampler() as sampler:
            start = time.perf_counter()
            await client.upload_recording(path, album_number=1, sort_number=1, on_progress=on_progress)
            elapsed = time.perf_counter() - start
        end_max = max_rss_bytes()
    growth = sampler.peak - base_rss if base_rss else None
    max_growth = end_max - base_max if end_max is not None and base_max is not None else None
    return elapsed, progress_calls, growth, max_growth


def children_cpu() -> float:
    try:
        import resource
    except ImportError:
        return float("nan")
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


async def client_round(
    url: str, files: list[Path], album: int, concurrency: int, warmup: Path
) -> tuple[float, float]:
    """Wall seconds and this process's CPU seconds for the uploads."""
    async with VoitexClient(base_url=url, auth_key=KEY) as client:
        await client.upload_recording(warmup, album_number=album, sort_number=999_999)
        gate = asyncio.Semaphore(concurrency)

        async def one(sort: int, path: Path) -> None:
            async with gate:
                await client.upload_recording(path, album_number=album, sort_number=sort)

        start, cpu_start = time.perf_counter(), time.process_time()
        await asyncio.gather(*(one(i, p) for i, p in enumerate(files)))
        return time.perf_counter() - start, time.process_time() - cpu_start


def curl_round(url: str, files: list[Path], album: int, concurrency: int, config: Path) -> tuple[float, float]:
    """Wall seconds and curl's CPU seconds (the sandbox child is never reaped before the end)."""
    blocks = []
    for i, path in enumerate(files):
        blocks.append(
            "\n".join(
                [
                    f'url = "{url}/recordings/upload/index.php"',
                    f'header = "auth_key: {KEY}"',
                    'header = "Expect:"',
                    f'form = "album_number={album}"',
                    f'form = "sort_number={i}"',
                    f'form = "upload_file=@{path};type=audio/wav"',
                    'output = "/dev/null"',
                    'write-out = "%{http_code}\\n"',
                    "silent",
                    "show-error",
                ]
            )
        )
    config.write_text("\nnext\n".join(blocks) + "\n")
    start, cpu_start = time.perf_counter(), children_cpu()
    done = subprocess.run(
        ["curl", "-Z", "--parallel-max", str(concurrency), "-K", str(config)],
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed, cpu = time.perf_counter() - start, children_cpu() - cpu_start
    codes = done.stdout.split()
    if done.returncode != 0 or codes.count("200") != len(files):
        raise SystemExit(f"curl failed (exit {done.returncode}): {done.stderr.strip()[:300]} codes={codes[:10]}")
    return elapsed, cpu


class Scenario:
    def __init__(self, server: str, files: int, size: int, target: float) -> None:
        self.server, self.files, self.size, self.target = server, files, size, target

    @property
    def name(self) -> str:
        size = f"{self.size // MIB} MiB" if self.size >= MIB else f"{self.size // 1024} KiB"
        return f"{self.files} x {size} -> {self.server}"


SCENARIOS = (
    Scenario("paced sink", 200, MIB, 1.1),
    Scenario("paced sink", 500, 16 * 1024, 1.1),
    Scenario("sandbox", 200, MIB, 1.5),
)


def run_scenario(scenario: Scenario, url: str, work: Path, args: argparse.Namespace, warmup: Path) -> dict:
    files = make_files(work / f"files-{scenario.files}-{scenario.size}", scenario.files, scenario.size)
    total_mib = scenario.files * scenario.size / MIB
    client_times, curl_times, client_cpu, curl_cpu = [], [], [], []
    print(f"\n== {scenario.name}, concurrency {args.concurrency} ==")
    for r in range(args.rounds):
        for who in ("client", "curl") if r % 2 == 0 else ("curl", "client"):
            if scenario.server == "sandbox":
                reset_sandbox(url)
            if who == "client":
                wall, cpu = asyncio.run(client_round(url, files, 100 + r, args.concurrency, warmup))
                client_times.append(wall)
                client_cpu.append(cpu)
            else:
                wall, cpu = curl_round(url, files, 200 + r, args.concurrency, work / "curl.cfg")
                curl_times.append(wall)
                curl_cpu.append(cpu)
        print(
            f"round {r + 1}: client {client_times[-1]:.3f} s (CPU {client_cpu[-1]:.3f} s), "
            f"curl {curl_times[-1]:.3f} s (CPU {curl_cpu[-1]:.3f} s), "
            f"ratio {client_times[-1] / curl_times[-1]:.2f}"
        )
    client_s, curl_s = statistics.median(client_times), statistics.median(curl_times)
    ccpu, kcpu = statistics.median(client_cpu), statistics.median(curl_cpu)
    ratio = client_s / curl_s
    verdict = "met" if ratio <= scenario.target else "NOT met"
    print(
        f"median of {args.rounds}: client {client_s:.3f} s ({total_mib / client_s:.0f} MiB/s, "
        f"CPU {ccpu:.3f} s = {ccpu / scenario.files * 1000:.2f} ms/request), "
        f"curl {curl_s:.3f} s ({total_mib / curl_s:.0f} MiB/s, "
        f"CPU {kcpu:.3f} s = {kcpu / scenario.files * 1000:.2f} ms/request); "
        f"wall ratio {ratio:.2f} (target <= {scenario.target:g}: {verdict}), CPU ratio {ccpu / kcpu:.1f}"
    )
    shutil.rmtree(files[0].parent, ignore_errors=True)
    return {"scenario": scenario.name, "ratio": ratio, "target": scenario.target}


def main() -> int:
    if sys.argv[1:2] == ["--serve-sink"]:
        served = argparse.ArgumentParser()
        served.add_argument("--serve-sink", action="store_true")
        served.add_argument("--rate", type=float, default=0.0)
        served.add_argument("--tls", nargs=2)
        options = served.parse_args()
        return serve_sink(options.rate, tuple(options.tls) if options.tls else None)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--big-mib", type=int, default=500, help="0 skips the big-file memory check")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-sandbox", action="store_true", help="skip the scenario against the sandbox")
    parser.add_argument("--rate", type=float, default=10e6, help="bytes/s of the paced sink (an uplink)")
    parser.add_argument("--only", help="run only scenarios whose name contains this text")
    args = parser.parse_args()
    if shutil.which("curl") is None:
        raise SystemExit("curl is needed for the baseline.")

    work = Path(tempfile.mkdtemp(prefix="voitex-bench-"))
    sink = Sink()
    paced = Sink(rate=args.rate)
    sandbox = None if args.no_sandbox else Sandbox(work / "sandbox")
    try:
        warmup = make_files(work / "warmup", 1, 64 * 1024)[0]
        print(f"sink (subprocess) at {sink.url}" + (f", sandbox (subprocess) at {sandbox.url}" if sandbox else ""))
        print(f"work folder {work}")

        if args.big_mib:
            big = make_sparse_wav(work / "big.wav", args.big_mib * MIB)
            elapsed, calls, growth, max_growth = asyncio.run(big_upload(sink.url, big, warmup))
            big.unlink()
            shown = f"{growth / MIB:.1f} MiB" if growth is not None else "n/a"
            shown_max = f"{max_growth / MIB:.1f} MiB" if max_growth is not None else "n/a"
            print(
                f"big upload to the sink: {args.big_mib} MiB in {elapsed:.1f} s ({args.big_mib / elapsed:.0f} MiB/s), "
                f"{calls} progress calls; peak RSS growth {shown} (sampled), ru_maxrss growth {shown_max} "
                f"(target < 20 MiB)"
            )

        results = []
        for scenario in SCENARIOS:
            if scenario.server == "sandbox" and sandbox is None:
                continue
            if args.only and args.only not in scenario.name:
                continue
            url = {"sink": sink.url, "paced sink": paced.url}.get(scenario.server) or sandbox.url
            results.append(run_scenario(scenario, url, work, args, warmup))
        print("\nsummary (median wall time, client / curl):")
        for result in results:
            verdict = "met" if result["ratio"] <= result["target"] else "NOT met"
            print(f"  {result['scenario']:<24} {result['ratio']:.2f}  target <= {result['target']:g}  {verdict}")
    finally:
        sink.stop()
        paced.stop()
        if sandbox is not None:
            sandbox.stop()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
