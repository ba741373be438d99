"""The Telegram layer: parse updates, call one service, answer through the catalogs."""
