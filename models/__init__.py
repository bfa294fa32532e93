"""Data and domain rules of the Partner Portal.

No GraphQL and no HTTP here: the CLI, the GraphQL layer and the tests all use the same
rules. The Tortoise models are registered under the app label ``portal``.
"""
