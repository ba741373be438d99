"""The data rights on WhatsApp through the Cloud API stand-in: /misdatos with its files sent as
documents (uploaded first), /ajustes, withdrawing consent, and /borrardatos erasing the leader
and the organization they led alone."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from bot.messaging.whatsapp_models import WhatsAppInbound, WhatsAppShown
from bot.organizations.models import Organization
from bot.people.models import User
from tests.test_whatsapp_registration import register_on_whatsapp
from tests.whatsapp_harness import consented, wa  # noqa: F401 - the fixture


async def count(wa, model) -> int:  # noqa: ANN001, F811
    async with wa.session() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_a_leader_sees_their_data_as_files_changes_settings_and_erases_everything(wa):  # noqa: F811
    ana = wa.person("Ana Torres")
    await consented(ana)
    await register_on_whatsapp(ana)

    await ana.writes("/misdatos")
    assert [message.kind for message in ana.replies][:2] == ["document", "document"]   # the files first
    names = [file.file_name for file in ana.files]
    assert names[0].endswith(".txt") and names[1].endswith(".json")
    summary, records = ana.files[0].content.decode(), json.loads(ana.files[1].content)["records"]
    assert f"WhatsApp: {ana.wa_id}" in summary and "Telegram" not in summary
    assert "Mujeres Emprendedoras del Callao" in summary and "Ana Torres" in summary
    assert any(row.get("wa_id") == ana.wa_id for row in records["users"])
    assert "Mujeres Emprendedoras del Callao" in ana.last.text
    assert [c.id for c in ana.choices] == ["privacy:withdraw"]

    await ana.writes("/ajustes")
    assert ana.last.kind == "list" and any(c.id == "set:pause" for c in ana.choices)
    announcements = next(c for c in ana.choices if c.id == "set:kind:announcements")
    assert announcements.title.startswith("✅")
    await ana.presses("set:kind:announcements")            # no edits: the card again, changed
    assert next(c for c in ana.choices if c.id == "set:kind:announcements").title.startswith("▫️")

    await ana.writes("/borrardatos")
    assert [c.id for c in ana.choices] == ["privacy:erase", "privacy:keep"]
    await ana.chooses("No, conservarlos")
    assert "No se borró nada" in ana.last.text
    await ana.writes("/borrardatos")
    await ana.writes("1")                                  # "Yes, erase my data", typed
    assert "Tus datos fueron borrados" in ana.last.text and "WhatsApp" in ana.last.text
    assert "Telegram" not in ana.last.text
    for model in (User, Organization, WhatsAppInbound, WhatsAppShown):
        assert await count(wa, model) == 0, model

    await ana.writes("hola")                               # someone new again: the language first
    assert "¿Qué idioma prefieres?" in ana.last.text


async def test_withdrawing_consent_from_mydata_brings_the_notice_back(wa):  # noqa: F811
    rosa = wa.person("Rosa")
    await consented(rosa)
    await rosa.writes("misdatos")
    await rosa.presses("privacy:withdraw")
    await rosa.presses("privacy:stay")
    assert "tu consentimiento sigue" in rosa.last.text.lower()
    await rosa.presses("privacy:withdraw")
    await rosa.presses("consent:no")
    assert "Retiraste tu consentimiento" in rosa.last.text
    await rosa.writes("menu")                              # the consent gate again
    assert [c.id for c in rosa.choices] == ["consent:yes", "consent:no", "consent:more"]


async def test_a_leader_corrects_their_name_and_says_their_sex_and_nationality(wa):  # noqa: F811
    ana = wa.person("ana")
    await consented(ana)
    await ana.writes("/corregir")
    assert [c.id for c in ana.choices] == ["me:name", "me:about"]
    await ana.presses("me:name")
    await ana.writes("x")                                  # too short: said so, the question again
    assert "⚠️" in ana.last.text
    await ana.writes("Ana María Torres")
    assert "Ana María Torres" in ana.last.text
    await ana.writes("corregir")
    await ana.presses("me:about")
    await ana.chooses("Mujer")
    await ana.writes("venezolana")                         # the option's words
    assert "Mujer" in ana.last.text and "Venezolana" in ana.last.text
    async with wa.session() as session:
        person = await session.scalar(select(User))
        assert person.display_name == "Ana María Torres"
        assert (person.sex.value, person.nationality.value) == ("female", "venezuelan")

