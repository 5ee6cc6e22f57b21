"""Running an app from a command: one line and an exit code for a failure, and a run that ends
cleanly on SIGTERM/SIGHUP (`play`, `serve`'s app subprocesses and the class join screen use it);
`run_replay_viewer` opens the replay viewer for `pmsim replay SAVE`."""

from __future__ import annotations

from typing import NoReturn

import click


def _fail(message: str, code: int = 2) -> NoReturn:
    from pmsim.textsafe import plain

    click.echo(plain(message, multiline=True), err=True)
    raise SystemExit(code)


def _run(app) -> None:
    """Run the app; a database that cannot be used ends it with one line and exit code 2.
    SIGTERM and SIGHUP end it cleanly too, so the terminal is restored (no alternate screen left)."""
    import signal

    def stop(signum, frame) -> None:
        # ask the app to exit from its own event loop: it leaves the alternate screen and restores
        # the terminal on the way out, as after q
        loop = getattr(app, "_loop", None)
        if loop is not None and loop.is_running():
            loop.call_soon_threadsafe(lambda: app.exit(return_code=128 + signum))
        else:
            raise SystemExit(128 + signum)

    old = {}
    for name in ("SIGTERM", "SIGHUP"):
        sig = getattr(signal, name, None)
        if sig is not None:
            try:
                old[sig] = signal.signal(sig, stop)
            except ValueError:  # not the main thread
                pass
    try:
        app.run()
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)
        app.service.close()
    if app.return_code:
        raise SystemExit(app.return_code)


def _opener(db_url: str | None):
    """Opens the database when the app first needs it (in a worker, after the first frame)."""

    def open_store():
        from pmsim.storage.saves import SaveStore

        return SaveStore(db_url)

    return open_store


def run_replay_viewer(save_ref: int | str, db_url: str | None = None) -> None:
    """Open the replay viewer on SAVE (a save id, or the path of an exported .pmsave.json)."""
    from pmsim.storage.saves import parse_target
    from pmsim.tui.app import PmsimApp

    target = parse_target(save_ref)
    _run(PmsimApp(_opener(db_url), start="replay", save_ref=target if isinstance(target, int) else str(target)))
