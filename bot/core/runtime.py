"""What every part of the running bot shares: settings, database, clock, catalogues."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from bot.core.clock import Clock, SystemClock
from bot.core.config import Settings
from bot.core.crypto import IdNumberCipher, key_from_file
from bot.core.db import Database
from bot.core.i18n import Translator, translator
from bot.core.storage import FileStore
from bot.messaging import notices
from bot.messaging.broadcasting import Broadcaster
from bot.messaging.channels import Channels
from bot.messaging.marketing import WhatsAppRules
from bot.messaging.reminders import QuietHours, ReminderEngine
from bot.messaging.running import Outgoing
from bot.ruos.requirements import RequirementsCatalogue


@dataclass
class Runtime:
    settings: Settings
    database: Database
    clock: Clock = field(default_factory=SystemClock)

    @cached_property
    def cipher(self) -> IdNumberCipher:
        return IdNumberCipher(self.settings.id_encryption_key or key_from_file(self.settings.id_key_file))

    @cached_property
    def reminders(self) -> ReminderEngine:
        # A notice waits for the end of its recipient's own quiet hours, which the channels know.
        return ReminderEngine.from_settings(self.database, self.settings, clock=self.clock, quiet_by_recipient=(notices.KIND,))

    @cached_property
    def broadcasts(self) -> Broadcaster:
        """The task that sends due broadcasts through each recipient's channel; each channel adds
        its side when it starts (`broadcasts.add("telegram", …)`). WhatsApp's sends are paced here
        at Meta's rate per number; Telegram's channel paces its own."""
        return Broadcaster(self.database, clock=self.clock, quiet_hours=self.reminders.quiet_hours, files=self.files,
                           rates={"whatsapp": self.settings.whatsapp_messages_per_second},
                           rules={"whatsapp": WhatsAppRules(self.settings)})

    @cached_property
    def channels(self) -> Channels:
        """The deliverer per channel that reminders and notices go out through; each channel
        adds its own when it starts (`channels.add("telegram", …)`)."""
        return Channels(self.database, clock=self.clock, quiet_hours=QuietHours.from_settings(self.settings))

    @cached_property
    def outgoing(self) -> Outgoing:
        """The reminders engine and the broadcaster, run once per process: each channel adds
        its deliverer and sender, then starts it (`await runtime.outgoing.start()`)."""
        return Outgoing(engine=self.reminders, channels=self.channels, broadcasts=self.broadcasts,
                        interval=self.settings.reminder_interval_seconds)

    @cached_property
    def requirements(self) -> RequirementsCatalogue:
        """What each procedure asks for, from REQUIREMENTS_DIR or the lists shipped with the bot."""
        return RequirementsCatalogue.load(self.settings.requirements_dir, clock=self.clock)

    def reload_requirements(self) -> RequirementsCatalogue:
        """Read the requirement files again; on `CatalogueError` the catalogue in use stays."""
        catalogue = RequirementsCatalogue.load(self.settings.requirements_dir, clock=self.clock)
        self.requirements = catalogue  # replaces the cached value
        return catalogue

    @cached_property
    def files(self) -> FileStore:
        # Sealed with the identity-number key: uploaded documents may carry identity numbers.
        return FileStore(self.settings.storage_dir, cipher=self.cipher)

    def translator(self, language: str | None) -> Translator:
        return translator(language or self.settings.default_language, self.settings.timezone)
