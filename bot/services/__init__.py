"""Services: plain async functions over a session, one module per area."""
