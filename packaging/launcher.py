"""Entry script of the frozen bundle: the same `main` as the voitex-console command."""
from console.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
