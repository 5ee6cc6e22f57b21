"""The `pmsim` subcommands, each imported only when it runs (see pmsim.cli.COMMANDS)."""
