"""Broadcasts: composing, approving, the audience, the file, scheduling and delivery records."""
