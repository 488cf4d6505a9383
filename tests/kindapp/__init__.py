"""A test-only app that declares an event kind of its own, to show that a kind needs no change to the
ledger app (tests/test_event_kinds.py)."""
