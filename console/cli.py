"""The `voitex-console` command."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from console import __version__

USAGE_EPILOG = """\
Other commands:
  voitex-console sandbox --port P --key K --data-dir D
        run the Voitex-compatible sandbox server in the foreground
  voitex-console broadcast run ID | list | status ID [--json]
        office broadcasts without a desk (voitex-console broadcast --help)
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="voitex-console",
        description="Voitex Console: upload recordings, send SMS, place calls and design "
                    "IVR branch replies for your Voitex account.",
        epilog=USAGE_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"voitex-console {__version__}")
    parser.add_argument("--self-check", action="store_true",
                        help="open the window, start the sandbox, send one SMS through it, "
                             "and exit 0 only if all of that worked")
    parser.add_argument("--check-resources", action="store_true",
                        help="print where the resources are and check the icons exist")
    parser.add_argument("--upload", action="store_true",
                        help="once the queued files are read, start uploading them (Sandbox "
                             "profile only; files that may already be in the library are "
                             "never sent by this)")
    parser.add_argument("files", nargs="*", type=Path, metavar="FILE",
                        help="wav or mp3 files or folders to queue for upload")
    return parser


def check_resources() -> int:
    """Print where the resources are and check every icon file is there."""
    from console.resources import app_icon_files, locate_resources

    try:
        found = locate_resources()
        icons = app_icon_files()
    except FileNotFoundError as err:
        print(f"resources: MISSING ({err})")
        return 1
    print(f"resources: {found.root}")
    print(f"layout: {found.kind}")
    for path in icons:
        print(f"  ok {path}")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "sandbox":
        from console.sandbox.cli import main as sandbox_main

        return sandbox_main(argv[1:])
    if argv and argv[0] == "broadcast":
        # No window, no Qt widgets: a service, cron or Task Scheduler runs this.
        from console.jobs.broadcast_cli import main as broadcast_main

        return broadcast_main(argv[1:])
    args = build_parser().parse_args(argv)
    if args.check_resources:
        return check_resources()
    from console.launch import run

    return run(files=[p.expanduser().resolve() for p in args.files], self_check=args.self_check,
               start_upload=args.upload)


if __name__ == "__main__":
    raise SystemExit(main())
