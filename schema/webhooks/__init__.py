"""Webhooks in the GraphQL API: endpoints, deliveries, dead letters."""
