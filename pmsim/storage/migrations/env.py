"""Alembic environment: runs on the connection pmsim hands over (see pmsim.storage.migrate).

Developers can also run `alembic` against a URL: `alembic -x url=sqlite:///x.db ...` with
`script_location = pmsim.storage:migrations` in a local alembic.ini.
"""

from __future__ import annotations

from alembic import context

from pmsim.storage.models import Base

config = context.config
connection = config.attributes.get("connection")

if connection is None:  # pragma: no cover - developer use from the alembic command line
    from pmsim.storage.db import make_engine

    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url")
    with make_engine(url).connect() as conn:
        context.configure(connection=conn, target_metadata=Base.metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
else:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
