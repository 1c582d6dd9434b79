"""Connection settings Django's OPTIONS cannot give: psycopg's prepared statements.

Django turns them off on every PostgreSQL connection (`prepare_threshold` None), and then psycopg
ignores `execute(..., prepare=True)` too. Public verification prepares its one statement
(decision 0104, point 8 and second amendment), so each new connection gets a threshold no statement
reaches by repetition, and a cache of one: psycopg keeps a record of the query texts it has seen up to
that size, and Django's client-side binding writes every value into the text (a bulk insert's whole
batch). Django's own cursors bind on the client and never prepare. A `psycopg.Cursor.executemany`
asks to prepare, so one on the verification's connection would take the cache's place (and the
verification would prepare its statement again on its next call).
"""

from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper

PREPARE_ONLY_WHEN_ASKED = 2**62  # psycopg prepares a statement after this many executions
PREPARED_STATEMENTS_KEPT = 1


def prepare_only_when_asked(sender: object, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """`connection_created` receiver: psycopg may prepare the statements that ask for it, and no other."""
    if connection.vendor == "postgresql":
        connection.connection.prepare_threshold = PREPARE_ONLY_WHEN_ASKED
        connection.connection.prepared_max = PREPARED_STATEMENTS_KEPT
