"""Steps many stories share, taken through the chat like a person would."""

from __future__ import annotations

import re


async def consented(user) -> None:
    await user.sends("/start")
    await user.taps("✅ Acepto" if (user.language_code or "es").startswith("es") else "✅ I accept")


async def register_organization(user, *, name: str = "Mujeres Emprendedoras del Callao", district: str = "carmen legua",
                                district_button: str = "Carmen de la Legua Reynoso", document: str = "Carné de extranjería",
                                number: str = "001234567", term_end: str = "31/01/2027") -> None:
    """A Spanish-speaking leader who already consented registers a small organization."""
    await user.sends("/register")
    await user.sends(name)
    await user.taps("OSB")
    await user.sends(district)
    await user.taps(district_button)
    await user.sends("Av. Argentina 1234")
    await user.sends("2021")
    for count in ("10", "20", "0"):
        await user.sends(count)
    await user.taps("Salud")
    await user.taps("Listo")
    await user.sends("987654321")
    await user.taps("Presidencia")
    await user.sends("Carmen Rojas Pérez")
    await user.taps(document)
    await user.sends(number)
    await user.taps("Esa es toda la junta")
    await user.sends("01/02/2025")
    await user.sends(term_end)
    await user.taps("Confirmar y enviar")
    assert "quedó registrada" in user.last_text, user.last_text


def invite_link(text: str) -> str:
    """The `/start` payload of the invite link in the bot's answer to /invite."""
    match = re.search(r"https://t\.me/\w+\?start=(join_[\w-]+)", text)
    assert match, text
    return match.group(1)


async def joins_as_co_leader(bot, owner, *, first_name: str = "Rosa"):  # noqa: ANN201 - a SimulatedUser
    """The owner sends /invite; someone new, who consents, opens the link: a co-leader."""
    await owner.sends("/invite")
    person = bot.user(first_name=first_name, language_code="es")
    await consented(person)
    await person.sends(f"/start {invite_link(owner.last_text)}")
    return person


async def newtraining_in_person_up_to_the_district(coordinator, venue: str) -> None:
    """/newtraining for "Leading an assembly" on Leadership, no description, in person at
    `venue`: the bot asks the district next."""
    await coordinator.sends("/newtraining")
    await coordinator.taps("Leadership")
    await coordinator.sends("Leading an assembly")
    await coordinator.taps("Skip")
    await coordinator.taps("In person")
    await coordinator.sends(venue)
