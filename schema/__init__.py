"""The GraphQL layer: Strawberry types that translate GraphQL to domain calls and back."""
