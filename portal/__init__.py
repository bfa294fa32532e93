"""The running Partner Portal service: app, settings, authentication, events, CLI."""
