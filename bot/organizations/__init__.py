"""Organizations: registering one with its board, its leaders, edits, and staff's verification."""
