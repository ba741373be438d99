"""Projects: proposals, funding, and the reports of funded projects with staff's review."""
