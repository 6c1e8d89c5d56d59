"""Uploads through an office CONNECT proxy: the Voitex client against plain httpx on the same way.

    .venv/bin/python bench/proxy_path.py [--files 100] [--size-kib 1024] [--concurrency 4] [--rounds 3]

Everything an office has is here, each in a subprocess so that no server's
work competes for this process's GIL:

* an https **sink** (bench/upload_throughput.py's, with a certificate for
  ``voitex.invalid`` from a private CA named in SSL_CERT_FILE);
* a **CONNECT proxy** (tests/netkit.py's), the only one that can resolve
  ``voitex.invalid``.

Each round uploads the same --files files once with a ``VoitexClient``
whose profile names the proxy, and once with a plain ``httpx.AsyncClient``
(``proxy=``, ``verify=`` the same CA, ``files=``) at the same concurrency,
alternating who goes first. The medians and their ratio close the run.
Target: the client within 1.1x of plain httpx through the same proxy.

Not part of the test suite: performance is measured here, never asserted in tests.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import httpx
from upload_throughput import KEY, Sink, make_files

from console.api import VoitexClient
from console.api.proxy import ADDRESS, ProxyChoice

HOST = "voitex.invalid"


def serve_proxy(target_port: int) -> int:
    from tests.netkit import ConnectProxy

    proxy = ConnectProxy(hosts={HOST: "127.0.0.1"}).start()
    print(f"proxy listening on {proxy.address}", flush=True)
    threading.Event().wait()
    return 0


class Proxy:
    def __init__(self) -> None:
        self.proc = subprocess.Popen([sys.executable, __file__, "--serve-proxy"], cwd=ROOT,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if "listening on" not in line:
            self.stop()
            raise SystemExit(f"the proxy did not start: {line}")
        self.address = line.rsplit(" ", 1)[1].strip()
        threading.Thread(target=self.proc.stdout.read, daemon=True).start()

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


async def with_client(url: str, proxy: str, files: list[Path], concurrency: int) -> float:
    choice = ProxyChoice(mode=ADDRESS, address=proxy)
    async with VoitexClient(base_url=url, auth_key=KEY, proxy=choice) as client:
        await client.upload_recording(files[0], album_number=9, sort_number=0)  # the tunnel opened first
        gate = asyncio.Semaphore(concurrency)

        async def one(sort: int, path: Path) -> None:
            async with gate:
                await client.upload_recording(path, album_number=1, sort_number=sort)

        start = time.perf_counter()
        await asyncio.gather(*(one(n, f) for n, f in enumerate(files)))
        return time.perf_counter() - start


async def with_httpx(url: str, proxy: str, files: list[Path], concurrency: int, cafile: str) -> float:
    verify = ssl.create_default_context(cafile=cafile)
    upload = url + "/recordings/upload/index.php"
    async with httpx.AsyncClient(proxy=f"http://{proxy}", verify=verify, trust_env=False) as client:
        gate = asyncio.Semaphore(concurrency)

        async def one(sort: int, path: Path) -> None:
            async with gate:
                with open(path, "rb") as handle:
                    reply = await client.post(upload, headers={"auth_key": KEY},
                                              data={"album_number": "1", "sort_number": str(sort)},
                                              files={"upload_file": (path.name, handle, "audio/wav")})
                reply.raise_for_status()

        await one(0, files[0])
        start = time.perf_counter()
        await asyncio.gather(*(one(n, f) for n, f in enumerate(files)))
        return time.perf_counter() - start


def main() -> int:
    if sys.argv[1:2] == ["--serve-proxy"]:
        return serve_proxy(0)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=100)
    parser.add_argument("--size-kib", type=int, default=1024)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    from tests.netkit import PrivateCA

    work = Path(tempfile.mkdtemp(prefix="voitex-bench-proxy-"))
    ca = PrivateCA(work / "ca")
    os.environ["SSL_CERT_FILE"] = str(ca.cert_file)
    cert, key = ca.issue(HOST)
    sink = Sink(tls=(str(cert), str(key)))
    proxy = Proxy()
    try:
        port = sink.url.rsplit(":", 1)[1]
        url = f"https://{HOST}:{port}"
        files = make_files(work / "files", args.files, args.size_kib * 1024)
        total_mib = args.files * args.size_kib / 1024
        print(f"https sink (subprocess) as {url}, CONNECT proxy (subprocess) at {proxy.address}; "
              f"{args.files} files x {args.size_kib} KiB, concurrency {args.concurrency}")
        ours, plain = [], []
        for r in range(args.rounds):
            for who in ("client", "httpx") if r % 2 == 0 else ("httpx", "client"):
                if who == "client":
                    ours.append(asyncio.run(with_client(url, proxy.address, files, args.concurrency)))
                else:
                    plain.append(asyncio.run(with_httpx(url, proxy.address, files, args.concurrency,
                                                        str(ca.cert_file))))
            print(f"round {r + 1}: client {ours[-1]:.3f} s, plain httpx {plain[-1]:.3f} s, "
                  f"ratio {ours[-1] / plain[-1]:.2f}")
        client_s, httpx_s = statistics.median(ours), statistics.median(plain)
        ratio = client_s / httpx_s
        print(f"median of {args.rounds}: client {client_s:.3f} s ({total_mib / client_s:.0f} MiB/s), plain httpx "
              f"{httpx_s:.3f} s ({total_mib / httpx_s:.0f} MiB/s); ratio {ratio:.2f} "
              f"(target <= 1.1: {'met' if ratio <= 1.1 else 'NOT met'})")
    finally:
        proxy.stop()
        sink.stop()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
