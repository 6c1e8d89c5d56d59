"""An exported endpoint started as a real process, as an office would start it."""
from __future__ import annotations

import queue
import re
import subprocess
import sys
import threading
from pathlib import Path

from console.branch.project.exporter import export_endpoint
from console.branch.project.model import Project

READY = re.compile(r"Voitex IVR endpoint for \u201c(.*)\u201d, version ([0-9a-f]{12}), "
                   r"listening on (http://127\.0\.0\.1:\d+/)")
WAIT_S = 30


class RunningEndpoint:
    """``python3 -I endpoint.py --port 0`` with its output read line by line: the
    readiness line gives the address; log lines can be waited for."""

    def __init__(self, path: Path, *args: str) -> None:
        self.path = path
        # -I: no user site, no PYTHONPATH, no current folder: the file must stand alone.
        self.process = subprocess.Popen(
            [sys.executable, "-I", str(path), "--port", "0", *args], cwd=path.parent,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")
        self.stdout: queue.Queue[str] = queue.Queue()
        self.log: list[str] = []
        self._log_changed = threading.Condition()
        self._threads = [threading.Thread(target=self._read_stdout, daemon=True),
                         threading.Thread(target=self._read_stderr, daemon=True)]
        for thread in self._threads:
            thread.start()
        line = self.stdout.get(timeout=WAIT_S)
        match = READY.fullmatch(line.strip())
        assert match, f"not a readiness line: {line!r}; log: {self.log}"
        self.name, self.version, self.url = match.groups()

    def _read_stdout(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.stdout.put(line)

    def _read_stderr(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            with self._log_changed:
                self.log.append(line)
                self._log_changed.notify_all()

    def wait_for_log(self, pattern: str, after: int = 0) -> str:
        """The first log line from number `after` on that matches `pattern`."""
        regex = re.compile(pattern)

        def found() -> str | None:
            return next((line for line in self.log[after:] if regex.search(line)), None)

        with self._log_changed:
            assert self._log_changed.wait_for(lambda: found() is not None, timeout=WAIT_S), \
                f"no log line like {pattern!r} in {self.log[after:]}"
            line = found()
            assert line is not None
            return line

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.terminate()
        code = self.process.wait(timeout=WAIT_S)
        for thread in self._threads:
            thread.join(WAIT_S)
        for pipe in (self.process.stdout, self.process.stderr):
            if pipe is not None:
                pipe.close()
        return code


def start_exported(project: Project, folder: Path, name: str = "endpoint.py") -> RunningEndpoint:
    path = folder / name
    path.write_text(export_endpoint(project).text, encoding="utf-8")
    return RunningEndpoint(path)


def run_exported_tests(path: Path, url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-I", str(path), "--endpoint", url],
                          cwd=path.parent, capture_output=True, text=True, timeout=WAIT_S)
