"""Set-based deletes for undoing an import: rows and what depends on them, as their models'
`on_delete` rules say, in one SQL statement per relation and batch.

`QuerySet.delete()` collects every cascaded row into Python objects first (and sends a signal
for each): for 100,000 imported partners that was about a minute. Here the same rules run in
SQL, children first: CASCADE deletes the children (their own children before them), SET_NULL
clears the reference, PROTECT and RESTRICT refuse when a row still points at one being deleted.
The one signal receiver on these models (matchmaking's, for removed offers) is replaced by
queuing the suggestions' recompute once per product after commit.

What remains is PostgreSQL's own foreign-key check: a trigger per deleted row and per
constraint pointing at its table (25 for a partner), about 1 s per 5,000 partners. It stays
on: it is what keeps a row another transaction adds meanwhile from pointing at nothing.
"""

from __future__ import annotations

from django.db import connection, models, transaction
from django.db.models.deletion import get_candidate_relations_to_delete

from partners.models import Offer


class SetDeletion:
    """Deletes with set-based SQL inside the caller's transaction. `removed` counts rows per
    table; `after_commit()` queues the follow-up work the ORM's signals would have queued."""

    def __init__(self):
        self.removed: dict[str, int] = {}
        # product id -> one removed offer of it: the needs to re-match are that product's.
        self.offer_products: dict[int, int] = {}

    def delete(self, model, ids) -> int:
        """Delete `model` rows `ids` and what depends on them; returns the rows of `model`."""
        ids = list(ids)
        if not ids:
            return 0
        for relation in get_candidate_relations_to_delete(model._meta):
            self._follow(relation.field, ids)
        if model is Offer:
            self._note_offers(ids)
        sql = f"DELETE FROM {_table(model)} WHERE {_pk(model)} {_in(ids)}"
        return self._count(model, _execute(sql, ids))

    def _follow(self, field, ids) -> None:
        child, column = field.model, connection.ops.quote_name(field.column)
        on_delete = field.remote_field.on_delete
        where = f"{column} {_in(ids)}"
        if on_delete is models.CASCADE:
            if child is Offer or any(get_candidate_relations_to_delete(child._meta)):
                with connection.cursor() as cursor:
                    cursor.execute(
                        f"SELECT {_pk(child)} FROM {_table(child)} WHERE {where}", _params(ids)
                    )
                    child_ids = [pk for (pk,) in cursor.fetchall()]
                self.delete(child, child_ids)
            else:
                self._count(child, _execute(f"DELETE FROM {_table(child)} WHERE {where}", ids))
        elif on_delete is models.SET_NULL:
            _execute(f"UPDATE {_table(child)} SET {column} = NULL WHERE {where}", ids)
        elif on_delete in (models.PROTECT, models.RESTRICT):
            blocking = child._base_manager.filter(**{f"{field.attname}__in": ids})
            if blocking.exists():
                raise models.ProtectedError(
                    f"{child._meta.verbose_name_plural} still refer to rows being removed",
                    set(blocking[:10]),
                )
        elif on_delete is not models.DO_NOTHING:
            raise NotImplementedError(f"on_delete={on_delete.__name__} of {field}")

    def _note_offers(self, ids) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT product_id, max(id) FROM {_table(Offer)} WHERE id {_in(ids)} "
                "GROUP BY product_id",
                _params(ids),
            )
            self.offer_products.update(cursor.fetchall())

    def _count(self, model, count: int) -> int:
        table = model._meta.db_table
        self.removed[table] = self.removed.get(table, 0) + count
        return count

    def after_commit(self) -> None:
        """Queue the recompute of the suggestions the removed offers were in (as a removed
        offer's signal does), once per product rather than once per offer."""
        from matchmaking.tasks import recompute_listing

        for product_id, offer_id in self.offer_products.items():
            transaction.on_commit(
                lambda o=offer_id, p=product_id: recompute_listing.delay("offer", o, p)
            )


def _execute(sql: str, ids) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, _params(ids))
        return cursor.rowcount


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _pk(model) -> str:
    return connection.ops.quote_name(model._meta.pk.column)


def _in(ids) -> str:
    """The membership test: one array parameter on PostgreSQL, a parameter per id elsewhere."""
    if connection.vendor == "postgresql":
        return "= ANY(%s)"
    return f"IN ({', '.join(['%s'] * len(ids))})"


def _params(ids) -> list:
    return [list(ids)] if connection.vendor == "postgresql" else list(ids)
