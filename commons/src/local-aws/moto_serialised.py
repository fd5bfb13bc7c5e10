"""Starts moto_server with DynamoDB requests serialised, and two emulator bugs fixed (below).

moto 5.2 runs each request on its own thread, and a DynamoDB TransactWriteItems that fails a
condition rolls back by restoring a deep copy of the whole table taken before it started. A
transaction that succeeded on another thread in between is silently erased (its client was told
it succeeded), and the copy itself can fail mid-iteration with a 500. Real DynamoDB is atomic and
isolated, so the emulator must be too: one DynamoDB request at a time. S3 and SQS (long polls)
stay concurrent; Secrets Manager requests are serialised as well (below). Arguments are moto_server's (-H host -p port).
"""

import copy
import functools
import sys
import threading

import moto.dynamodb.models as dynamodb_models
import moto.s3.models as s3_models
from moto.dynamodb.models.table import Table
from moto.dynamodb.responses import DynamoHandler
from moto.secretsmanager.responses import SecretsManagerResponse
from moto.server import main

_lock = threading.Lock()
_call_action = DynamoHandler.call_action


@functools.wraps(_call_action)
def _serialised_call_action(self, *args, **kwargs):
    with _lock:
        return _call_action(self, *args, **kwargs)


DynamoHandler.call_action = _serialised_call_action

# Secrets Manager: PutSecretValue checks "does this ClientRequestToken name a version?" and then
# adds it, without a lock. Two tasks putting their first value at once (commons/src/secrets) must
# see one win and one ResourceExistsException, as in AWS, so these requests run one at a time too.
_secrets_lock = threading.Lock()
_secrets_call_action = SecretsManagerResponse.call_action


@functools.wraps(_secrets_call_action)
def _serialised_secrets_call_action(self, *args, **kwargs):
    with _secrets_lock:
        return _secrets_call_action(self, *args, **kwargs)


SecretsManagerResponse.call_action = _serialised_secrets_call_action


class _NoTableCopies:
    """moto's TransactWriteItems backs up every table it names by deep-copying the whole table
    before it starts, and restores those copies if any item fails. The cost grows with the table:
    on a long soak each RecordPart transaction copied every part ever recorded, so the emulator
    slowed down the longer it ran (and any test comparing an early phase with a later one measured
    that). Whole tables are no longer copied; `_transact_with_undo_log` below saves and restores
    just the items the transaction names. Safe because DynamoDB requests run one at a time."""

    def deepcopy(self, obj, *args, **kwargs):
        if isinstance(obj, Table):
            return obj
        return copy.deepcopy(obj, *args, **kwargs)

    def __getattr__(self, name):
        return getattr(copy, name)


dynamodb_models.copy = _NoTableCopies()
_transact_write_items = dynamodb_models.DynamoDBBackend.transact_write_items


def _item_key(backend, op_type, op):
    table = backend.tables.get(op.get("TableName"))
    if table is None:
        return None
    keys = op["Item"] if op_type == "Put" else op.get("Key", {})
    try:
        hash_key, range_key = backend.get_keys_value(table, keys)
    except Exception:  # an invalid key: moto rejects the transaction before changing anything
        return None
    return table, hash_key, range_key


def _saved(table, hash_key, range_key):
    if table.range_key_attr is not None:
        return copy.deepcopy(table.items.get(hash_key, {}).get(range_key))
    return copy.deepcopy(table.items.get(hash_key))


def _restore(table, hash_key, range_key, item):
    if table.range_key_attr is not None:
        if item is None:
            table.items.get(hash_key, {}).pop(range_key, None)
        else:
            table.items[hash_key][range_key] = item
    elif item is None:
        table.items.pop(hash_key, None)
    else:
        table.items[hash_key] = item


@functools.wraps(_transact_write_items)
def _transact_with_undo_log(self, transact_items, *args, **kwargs):
    undo = []
    for entry in transact_items:
        op_type, op = next(iter(entry.items()))
        key = _item_key(self, op_type, op)
        if key is not None:
            undo.append((*key, _saved(*key)))
    try:
        return _transact_write_items(self, transact_items, *args, **kwargs)
    except BaseException:
        # Newest first, so an item named twice (moto refuses that, but only once it reaches it)
        # ends as it was before the transaction.
        for table, hash_key, range_key, item in reversed(undo):
            _restore(table, hash_key, range_key, item)
        raise


dynamodb_models.DynamoDBBackend.transact_write_items = _transact_with_undo_log


def _list_parts_after(self, part_number_marker, max_parts):
    """S3's ListParts returns the parts whose *number* is above `part-number-marker`; moto slices
    its sorted part list by *position*, so with parts missing below the marker (parts uploaded out
    of order, as direct transfer does) it skips parts that exist, and a confirmation reads them as
    missing forever."""
    for part_id in [n for n in self.partlist if n > part_number_marker][:max_parts]:
        yield self.parts[part_id]


def _parts_after(self, bucket_name, multipart_id, next_part_number_marker):
    parts = self.get_bucket(bucket_name).multiparts[multipart_id].partlist
    # An empty page answers a marker of 0: nothing more to read (moto would say "truncated").
    return next_part_number_marker > 0 and any(n > next_part_number_marker for n in parts)


s3_models.FakeMultipart.list_parts = _list_parts_after
s3_models.S3Backend.is_truncated = _parts_after

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
