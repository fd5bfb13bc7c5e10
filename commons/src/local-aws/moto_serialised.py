"""Starts moto_server with DynamoDB requests serialised.

moto 5.2 runs each request on its own thread, and a DynamoDB TransactWriteItems that fails a
condition rolls back by restoring a deep copy of the whole table taken before it started. A
transaction that succeeded on another thread in between is silently erased (its client was told
it succeeded), and the copy itself can fail mid-iteration with a 500. Real DynamoDB is atomic and
isolated, so the emulator must be too: one DynamoDB request at a time. S3 and SQS (long polls)
stay concurrent. Arguments are moto_server's (-H host -p port).
"""

import copy
import functools
import sys
import threading

import moto.dynamodb.models as dynamodb_models
from moto.dynamodb.models.table import Table
from moto.dynamodb.responses import DynamoHandler
from moto.server import main

_lock = threading.Lock()
_call_action = DynamoHandler.call_action


@functools.wraps(_call_action)
def _serialised_call_action(self, *args, **kwargs):
    with _lock:
        return _call_action(self, *args, **kwargs)


DynamoHandler.call_action = _serialised_call_action


class _DeepCopyOncePerTransaction:
    """moto's TransactWriteItems backs up a table by deep-copying it once per *item* that names
    it, all before any item is applied: a 3-item transaction on one table copies it three times,
    so every extra ConditionCheck made the emulator slower in proportion to the table's size. The
    copies are identical, so one per table per transaction restores the same state on rollback.
    Safe because DynamoDB requests run one at a time (above)."""

    memo = None

    def deepcopy(self, obj, *args, **kwargs):
        # Only whole tables: they stay alive through the transaction, so their ids cannot be reused.
        if self.memo is None or not isinstance(obj, Table):
            return copy.deepcopy(obj, *args, **kwargs)
        if id(obj) not in self.memo:
            self.memo[id(obj)] = copy.deepcopy(obj, *args, **kwargs)
        return self.memo[id(obj)]

    def __getattr__(self, name):
        return getattr(copy, name)


_copy_once = _DeepCopyOncePerTransaction()
dynamodb_models.copy = _copy_once
_transact_write_items = dynamodb_models.DynamoDBBackend.transact_write_items


@functools.wraps(_transact_write_items)
def _transact_copying_once(self, *args, **kwargs):
    _copy_once.memo = {}
    try:
        return _transact_write_items(self, *args, **kwargs)
    finally:
        _copy_once.memo = None


dynamodb_models.DynamoDBBackend.transact_write_items = _transact_copying_once

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
