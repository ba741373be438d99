"""The core every area shares: settings, database, clock, languages, text limits, validation,
crypto, the file store, uploads, and the tools that keep them (backup, catalogs, migrations)."""
