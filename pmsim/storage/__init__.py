"""Saved games on a real database: SQLite by default, PostgreSQL one URL away.

A save is a history (scenario text + hash, seed, engine version, numbered action log); loading
replays it and per-round state hashes prove the replay is the same game. Entry points:
`saves.SaveStore` (service API, plain dataclasses at the edge), `session.GameSession` (a Game
that autosaves every action), `exchange` (the `.pmsave.json` file format) and `errors` (the typed
errors every call raises; the click commands in pmsim.commands turn them into one line and an
exit code). Nothing is imported here, so `import pmsim.storage` stays cheap.
"""
