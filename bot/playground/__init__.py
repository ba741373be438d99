"""The playground: a Telegram Bot API emulator and the browser chat that talks to it."""
