"""Starts moto_server with DynamoDB requests serialised.

moto 5.2 runs each request on its own thread, and a DynamoDB TransactWriteItems that fails a
condition rolls back by restoring a deep copy of the whole table taken before it started. A
transaction that succeeded on another thread in between is silently erased (its client was told
it succeeded), and the copy itself can fail mid-iteration with a 500. Real DynamoDB is atomic and
isolated, so the emulator must be too: one DynamoDB request at a time. S3 and SQS (long polls)
stay concurrent. Arguments are moto_server's (-H host -p port).
"""

import functools
import sys
import threading

from moto.dynamodb.responses import DynamoHandler
from moto.server import main

_lock = threading.Lock()
_call_action = DynamoHandler.call_action


@functools.wraps(_call_action)
def _serialised_call_action(self, *args, **kwargs):
    with _lock:
        return _call_action(self, *args, **kwargs)


DynamoHandler.call_action = _serialised_call_action

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
