"""Screens: what the domain says to show, rendered for Telegram exactly as before and for
WhatsApp within the Cloud API's limits; answers read back to the choices' ids; the 24-hour
window's gate and its templates.

Pure functions, no bot: the registration's story tests (test_registration.py,
test_onboarding.py) show the same screens through the Bot API emulator.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from cryptography.fernet import Fernet

from bot.core.config import SUPPORTED_LANGUAGES
from bot.core.crypto import IdNumberCipher
from bot.core.districts import find_districts
from bot.core.i18n import translator
from bot.core.screens import (
    Choice,
    File,
    MarkupError,
    bold,
    check_markup,
    escape,
    link,
    one_per_row,
    screen,
)
from bot.core.textlimits import shorten
from bot.messaging.window import (
    Hold,
    OutboundKind,
    SendNow,
    SendTemplate,
    TemplateError,
    gate,
    load_templates,
    template_text,
)
from bot.organizations import registration
from bot.organizations import registration_screens as asking
from bot.organizations.card import organization_card
from bot.organizations.labels import BOARD_ROLE, DOCUMENT_BUTTON, FOCUS_BUTTON, KIND_BUTTON
from bot.organizations.models import RegistrationDraft
from bot.organizations.registration import Step
from handlers import screens as telegram
from handlers.common import keyboard, paged_rows
from handlers.whatsapp.render import (
    MORE_PREFIX,
    Chosen,
    NextPage,
    Sent,
    Typed,
    read_reply,
    render,
    split_text,
    template_message,
    whatsapp_text,
)

ES = translator("es")
EN = translator("en")
NOW = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)


# --- WhatsApp: every message within the Cloud API's limits --------------------------------------------


def within_limits(messages: list[dict]) -> None:
    """Every limit of ../shared/reference/whatsapp.md, on every message."""
    assert messages
    for message in messages:
        assert message["messaging_product"] == "whatsapp"
        kind = message["type"]
        content = message[kind]
        texts = []
        if kind == "text":
            assert 0 < len(content["body"]) <= 4096
            texts.append(content["body"])
        elif kind == "interactive":
            body = content["body"]["text"]
            assert 0 < len(body) <= 1024
            texts.append(body)
            action = content["action"]
            if content["type"] == "button":
                titles = [b["reply"]["title"] for b in action["buttons"]]
                assert 1 <= len(titles) <= 3
                assert all(0 < len(t) <= 20 for t in titles), titles
                assert len({t.casefold() for t in titles}) == len(titles), titles
                assert all(len(b["reply"]["id"]) <= 256 for b in action["buttons"])
            elif content["type"] == "list":
                assert 0 < len(action["button"]) <= 20
                rows = [row for section in action["sections"] for row in section["rows"]]
                assert 1 <= len(rows) <= 10
                assert all(0 < len(r["title"]) <= 24 and len(r.get("description", "")) <= 72 for r in rows), rows
                assert all(len(r["id"]) <= 200 for r in rows)
                assert len({r["id"] for r in rows}) == len(rows)
                assert len({r["title"].casefold() for r in rows}) == len(rows), rows
            else:
                assert content["type"] == "cta_url"
                assert 0 < len(action["parameters"]["display_text"]) <= 20
        else:
            assert kind in ("document", "image")
            assert len(content.get("caption", "")) <= 1024
            texts.append(content.get("caption", ""))
        for text in texts:
            assert not re.search(r"</?(b|i|a)\b", text), text  # no HTML on WhatsApp


def ids_shown(screen_, gettext) -> set[str]:
    """Every choice id a person can reach, following "More" through the pages."""
    found, page = set(), 1
    while True:
        messages = render(screen_, to="51987654321", gettext=gettext, page=page)
        within_limits(messages)
        last = messages[-1]["interactive"]
        if last["type"] == "button":
            return found | {b["reply"]["id"] for b in last["action"]["buttons"]}
        rows = [r["id"] for s in last["action"]["sections"] for r in s["rows"]]
        found |= {i for i in rows if not i.startswith(MORE_PREFIX)}
        more = [i for i in rows if i.startswith(MORE_PREFIX)]
        if not more:
            return found
        assert read_reply(screen_, {"type": "interactive", "interactive": {
            "type": "list_reply", "list_reply": {"id": more[0], "title": "Más"}}}) == NextPage(page + 1)
        page += 1


@pytest.mark.parametrize("count", [1, 3, 4, 10, 11, 25])
def test_any_number_of_choices_fits_whatsapp_and_every_one_is_reachable(count):
    # Long labels, some alike, as real ones are (districts, organization names).
    choices = [Choice(f"reg:district:{150100 + n}", f"San Juan de Lurigancho zona {n % 3} — sector largo número {n}",
                      description="Lima Metropolitana, cerca del mercado central y del paradero final" * (n % 2))
               for n in range(count)]
    shown = screen("¿Cuál de estos es?", one_per_row(choices))
    messages = render(shown, to="51987654321", gettext=ES.gettext)
    last = messages[-1]["interactive"]
    assert last["type"] == ("button" if count <= 3 else "list")
    if count <= 3:  # the titles lost words: the body says each choice in full
        assert all(c.label in last["body"]["text"] for c in choices)
    if count > 10:
        rows = last["action"]["sections"][0]["rows"]
        assert rows[-1]["id"] == f"{MORE_PREFIX}2" and rows[-1]["title"] == "Más"
        assert last["action"]["button"] == "Opciones"
    assert ids_shown(shown, ES.gettext) == {c.id for c in choices}
    if count > 10:  # the text, files and links come with the first page only
        second = render(screen("Texto", one_per_row(choices), files=[File("a.pdf", "application/pdf", data=b"%PDF")]),
                        to="51987654321", gettext=ES.gettext, page=2, media_ids=["M1"])
        assert [m["type"] for m in second] == ["interactive"]
        assert second[0]["interactive"]["body"]["text"].startswith("Elige una opción (página 2 de ")


def test_titles_that_would_read_the_same_are_told_apart_and_a_typed_number_or_words_name_a_choice():
    alike = [Choice("org:open:1", "Comedor Popular Virgen de la Candelaria de Comas"),
             Choice("org:open:2", "Comedor Popular Virgen de la Candelaria del Callao"),
             Choice("org:open:3", "Asociación Civil Ñañitas")]
    shown = screen("¿Cuál?", one_per_row(alike))
    buttons = render(shown, to="51987654321", gettext=ES.gettext)[-1]["interactive"]["action"]["buttons"]
    titles = [b["reply"]["title"] for b in buttons]
    assert len(set(titles)) == 3 and titles[0].startswith("1. ") and titles[1].startswith("2. ")
    assert [b["reply"]["id"] for b in buttons] == ["org:open:1", "org:open:2", "org:open:3"]

    def typed(text):
        return read_reply(shown, {"type": "text", "text": {"body": text}})

    assert typed("2") == Chosen("org:open:2")
    assert typed(" 3. ") == Chosen("org:open:3")
    assert typed("asociacion civil ÑAÑITAS") == Chosen("org:open:3")  # case and accents aside
    assert typed("4") == Typed("4")  # no such choice: it is typed text for the flow
    assert typed("Comedor") == Typed("Comedor")  # names two, so none
    # A tapped button is routed on its id, never its title (even a stale or renamed one).
    assert read_reply(shown, {"type": "interactive", "interactive": {
        "type": "button_reply", "button_reply": {"id": "org:open:2", "title": "something else"}}}) == Chosen("org:open:2")
    # A file is no choice: it is what was sent, by its media id, for the flow to fetch (or not).
    assert read_reply(shown, {"type": "image", "image": {"id": "m1"}}) == Sent("image", "m1", None)
    assert read_reply(shown, {"type": "location", "location": {}}) is None

    # The registration's own screen, in Spanish: the kind typed in words.
    kinds = asking.question(RegistrationDraft(step=Step.KIND, answers={}), i18n=ES, cipher=None)
    assert read_reply(kinds, {"type": "text", "text": {"body": "asociacion CIVIL"}}) == Chosen("reg:kind:asociacion_civil")
    focus = asking.question(RegistrationDraft(step=Step.FOCUS, answers={"focus": ["health"]}), i18n=ES, cipher=None)
    assert read_reply(focus, {"type": "text", "text": {"body": "salud"}}) == Chosen("reg:focus:health")  # ✅ aside


def test_a_long_text_goes_first_as_text_messages_and_the_end_is_the_interactive_body():
    paragraph = "Una línea del reglamento con palabras que se repiten para llenar el mensaje. " * 8
    text = "\n".join(f"{n}. {paragraph}" for n in range(20))  # about 12 000 characters
    shown = screen(text, [[Choice("reg:confirm", "Confirmar")], [Choice("reg:edit", "Editar")]])
    messages = render(shown, to="51987654321", gettext=ES.gettext)
    within_limits(messages)
    assert [m["type"] for m in messages[:-1]] == ["text"] * (len(messages) - 1) and len(messages) >= 4
    assert messages[-1]["interactive"]["type"] == "button"
    parts = [m["text"]["body"] for m in messages[:-1]] + [messages[-1]["interactive"]["body"]["text"]]
    assert " ".join(" ".join(parts).split()) == " ".join(text.split())  # nothing lost, in order
    assert all(len(p) <= 4096 for p in split_text("x" * 10_000))


def test_markup_becomes_whatsapps_and_what_a_person_typed_never_does():
    name = "Ana_María *la* <b>jefa</b> & ~co~ `x`"
    markup = "Hola " + bold(escape(name)) + ", mira " + link("nuestra web", "https://voces.pe/a_b") + " " + "<i>hoy</i>"
    assert check_markup(markup) == markup
    converted = whatsapp_text(markup)
    assert converted.startswith("Hola *") and converted.endswith(" _hoy_")
    inside = converted[len("Hola *") : converted.index("*,")]
    assert "*" not in inside and "_" not in inside and "~" not in inside and "`" not in inside
    assert "<b>jefa</b>" in inside and "&" in inside  # shown as typed, not as markup or entities
    assert "nuestra web (https://voces.pe/a_b)" in converted  # a link keeps its own underscores
    assert whatsapp_text("<b>uno\ndos </b>fin") == "*uno*\n*dos* fin"  # markers around words, each line
    assert whatsapp_text("<code>Inscríbete | https://t.me/x</code>") == "```Inscríbete | https://t.me/x```"
    with pytest.raises(MarkupError):
        check_markup("<u>no</u>")
    with pytest.raises(MarkupError):
        check_markup("a < b")
    # A typed name in a file's caption and a link choice on their own messages.
    shown = screen(bold(escape("Informe_1*")), [[Choice("", "Abrir la guía", url="https://voces.pe/guia")]],
                   files=[File("informe.pdf", "application/pdf", data=b"%PDF", caption=escape("a_b*c") * 400)])
    messages = render(shown, to="51987654321", gettext=ES.gettext, media_ids=["MEDIA1"])
    within_limits(messages)
    assert [m["type"] for m in messages] == ["text", "document", "interactive"]  # the long caption went before
    assert messages[1]["document"] == {"id": "MEDIA1", "filename": "informe.pdf"}
    assert messages[2]["interactive"]["type"] == "cta_url"
    assert messages[2]["interactive"]["body"]["text"] == "*Informeˍ1∗*"
    with pytest.raises(ValueError):
        render(shown, to="51987654321", gettext=ES.gettext)  # files are uploaded first
    assert hash(shown) == hash(screen(shown.text, shown.rows, files=shown.files))  # frozen: a screen is a value


# --- the 24-hour window ---------------------------------------------------------------------------------


def test_the_window_gate_sends_inside_the_window_a_template_outside_and_holds_without_one():
    def decide(channel="whatsapp", ago=None, kind=OutboundKind.REMINDER, language="es", **kwargs):
        return gate(channel=channel, last_inbound=None if ago is None else NOW - ago, now=NOW, kind=kind,
                    language=language, parameters=kwargs.pop("parameters", {"name": "Rosa", "summary": "Taller\nmañana  10:00"}),
                    message_ref="42", **kwargs)

    assert decide(channel="telegram") == SendNow()  # Telegram has no window
    assert decide(ago=timedelta(hours=2)) == SendNow()
    outside = decide(ago=timedelta(hours=25))
    assert outside == SendTemplate(name="voces_recordatorio", language="es", category="utility",
                                   parameters=("Rosa", "Taller mañana 10:00"), button_id="wa:show:42")
    assert isinstance(decide(ago=timedelta(hours=23, minutes=58)), SendTemplate)  # too close to the end
    assert isinstance(decide(), SendTemplate)  # never wrote: only a template reaches them
    assert decide(ago=timedelta(days=3), kind=OutboundKind.BROADCAST, language="en").category == "marketing"
    assert isinstance(decide(ago=timedelta(days=3), language="pt"), Hold)  # no template in that language
    assert isinstance(decide(ago=timedelta(days=3), templates={}), Hold)
    assert isinstance(decide(ago=timedelta(days=3), parameters={"name": "Rosa"}), Hold)
    with pytest.raises(ValueError):
        decide(channel="sms")
    payload = template_message("51987654321", outside)
    assert payload["template"]["name"] == "voces_recordatorio" and payload["template"]["language"] == {"code": "es"}
    body, button = payload["template"]["components"]
    assert [p["text"] for p in body["parameters"]] == ["Rosa", "Taller mañana 10:00"]
    assert button["parameters"] == [{"type": "payload", "payload": "wa:show:42"}]
    # The template's button comes back as an id like any choice.
    assert read_reply(None, {"type": "button", "button": {"payload": "wa:show:42", "text": "Ver mensaje"}}) == Chosen("wa:show:42")


def test_there_is_a_valid_template_for_every_kind_in_every_language_and_a_broken_file_is_refused(tmp_path):
    book = load_templates()
    for language in SUPPORTED_LANGUAGES:
        for kind in OutboundKind:
            template = book[(language, kind)]
            filled = template_text(template, template.examples)
            assert "{{" not in filled and len(filled) <= 1024 and template.examples[0] in filled
            assert book[(SUPPORTED_LANGUAGES[0], kind)].name == template.name  # one name, a version per language
    assert {t.category for t in book.values()} == {"utility", "marketing"}

    source = json.loads((Path(__file__).parents[1] / "bot/data/whatsapp_templates/es.json").read_text(encoding="utf-8"))
    for breaking in (
        lambda t: t["templates"]["reminder"].update(body="Hola {{2}}, {{1}} espera."),
        lambda t: t["templates"]["notice"].update(name="Voces Aviso"),
        lambda t: t["templates"].pop("broadcast"),
        lambda t: t["templates"]["reminder"]["button"].update(text="Un botón con un texto demasiado largo"),
        lambda t: t["templates"]["reminder"].update(category="transactional"),
        lambda t: t["templates"]["reminder"].update(body="{{1}}: tienes un recordatorio, {{2}}"),
    ):
        broken = json.loads(json.dumps(source))
        breaking(broken)
        folder = tmp_path / str(len(list(tmp_path.iterdir())))
        folder.mkdir()
        (folder / "es.json").write_text(json.dumps(broken), encoding="utf-8")
        with pytest.raises(TemplateError):
            load_templates(folder)


# --- Telegram: the registration's screens as its keyboards always were -------------------------------------


def old_keyboard_for(step: Step, draft: RegistrationDraft, _):
    """The keyboards handlers/organizations/registration.py built itself before screens."""
    if step is Step.KIND:
        return keyboard([[(_(label), f"reg:kind:{kind.value}")] for kind, label in KIND_BUTTON.items()])
    if step is Step.FOCUS:
        chosen = set(draft.answers.get("focus", []))
        rows = [[(("✅ " if a.value in chosen else "") + _(label), f"reg:focus:{a.value}")] for a, label in FOCUS_BUTTON.items()]
        return keyboard([*rows, [(_("Done"), "reg:focus:done")]])
    if step is Step.BOARD_ROLE:
        return keyboard([[(_(label), f"reg:role:{role.value}")] for role, label in BOARD_ROLE.items()])
    if step is Step.BOARD_DOCUMENT_TYPE:
        return keyboard([[(_(label), f"reg:doc:{doc.value}")] for doc, label in DOCUMENT_BUTTON.items()])
    if step is Step.BOARD_MORE:
        return keyboard([[(_("➕ Add another member"), "reg:board:add")], [(_("That is the whole board"), "reg:board:done")]])
    if step is Step.SUMMARY:
        return keyboard([[(_("✏️ Edit a field"), "reg:edit")], [(_("✅ Confirm and send"), "reg:confirm")]])
    return None


@pytest.mark.parametrize("i18n", [ES, EN], ids=["es", "en"])
def test_telegram_shows_the_registrations_screens_with_the_same_buttons_as_before(i18n):
    _ = i18n.gettext
    cipher = IdNumberCipher(Fernet.generate_key())
    board = [{"role": "president", "full_name": f"Ana María Quispe <Huamán> número {n}", "document_type": "DNI",
              "id_number": cipher.encrypt("12345678")} for n in range(12)]
    answers = {"name": "Las Ñañas & Co", "kind": "osb", "district": "150110", "address": "Jr. Los Pinos 123",
               "founded": {"year": 2021, "month": 3, "day": None}, "members_pe": 3, "members_ve": 9, "members_other": 0,
               "focus": ["health", "culture"], "phone": "+51987654321", "board": board,
               "pending_member": {"document_type": "CE"}, "term_start": "2025-02-01", "term_end": "2027-01-31"}
    for step in Step:
        draft = RegistrationDraft(step=step, answers=answers)
        shown = asking.question(draft, i18n=i18n, cipher=cipher)
        text, markup = telegram.render(shown)
        check_markup(text)
        if step is Step.PHONE:
            assert markup.keyboard[0][0].request_contact and markup.keyboard[0][0].text == _("📱 Share my phone number")
        else:
            assert markup == old_keyboard_for(step, draft, _), step
        within_limits(render(shown, to="51987654321", gettext=_))  # and WhatsApp can show every step
    summary = asking.question(RegistrationDraft(step=Step.SUMMARY, answers=answers), i18n=i18n, cipher=cipher)
    assert summary.text == _("Please check your answers:") + "\n\n" + organization_card(i18n, registration.view(
        RegistrationDraft(step=Step.SUMMARY, answers=answers)), cipher)
    assert "&lt;Huamán&gt;" in summary.text and "Ñañas &amp; Co" in summary.text

    context = SimpleNamespace(gettext=_)
    draft = RegistrationDraft(step=Step.SUMMARY, answers=answers)
    for page in (1, 2):
        rows = [[(f"❌ {i + 1}. {shorten(m['full_name'], 40)}", f"reg:rm:{i}")] for i, m in enumerate(board)]
        old = paged_rows(context, rows, page=page, callback_prefix="reg:edit:board:p")
        old += [[(_("➕ Add a member"), "reg:edit:board_add")], [(_("⬅️ Back to the summary"), "reg:summary")]]
        assert telegram.inline_keyboard(asking.board_menu(draft, i18n, page=page)) == keyboard(old)
    fields = [("name", _("Name")), ("kind", _("Type")), ("district", _("District")), ("address", _("Address")),
              ("founded", _("Founding date")), ("members", _("Members")), ("focus", _("Focus areas")),
              ("phone", _("Phone")), ("board", _("Board")), ("term", _("Board term"))]
    assert telegram.inline_keyboard(asking.fields_menu(i18n)) == keyboard([
        *([(label, f"reg:edit:{code}") for code, label in fields[i : i + 2]] for i in range(0, 10, 2)),
        [(_("⬅️ Back to the summary"), "reg:summary")]])
    matches = find_districts("san")
    assert telegram.inline_keyboard(asking.district_matches(matches, i18n)) == keyboard(
        [[(f"{d.name} ({d.province})", f"reg:district:{d.ubigeo}")] for d in matches])
    assert telegram.render(asking.resume(RegistrationDraft(step=Step.NAME, answers={"name": "A<b>"}), i18n)) == (
        _("You have a registration in progress") + ": <b>A&lt;b&gt;</b>. " + _("Continue where you left off, or start over?"),
        keyboard([[(_("Continue"), "reg:resume"), (_("Start over"), "reg:restart")]]))
