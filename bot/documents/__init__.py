"""Files the bot makes (.ics, PDF, XLSX, chart images): pure functions from data to bytes."""
