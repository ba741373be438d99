"""The staff console: finding an organization, the audit log, exports and the programme's figures."""
