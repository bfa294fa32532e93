"""Helpers of the attack suite (tests/test_attack_suite.py).

- ``walk``: the schema as a client sees it (introspection), operation documents generated
  for any root field, argument values filled from their types.
- ``world``: partners A and B with workers, events, contributions, keys, accounts and
  sessions, the credentials used to attack, the markers of A's data and a snapshot of it.
- ``leaks``: finding A's markers (and any secret) in a response.
- ``ws``: a minimal graphql-transport-ws client on the ``websockets`` package.
"""
