"""`python -m pmsim` is the `pmsim` command."""

from pmsim.cli import main

if __name__ == "__main__":
    main()
