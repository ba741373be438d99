"""People: who talks to the bot, their consent, language, role and rights, and who may act."""
