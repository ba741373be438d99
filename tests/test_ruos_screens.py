"""The RUOS's leader-facing screens (bot/ruos/screens.py): every one fits WhatsApp's limits with
every choice reachable and typed text never turning into markup, and Telegram shows /ruos's
checklist, a requirement's card, the upload's prompts and receipts, the registration status and
the inscription's offer with exactly the keyboards handlers/ruos/ built itself before screens
(the same callback data, so old buttons keep working).

Pure functions, no bot: test_ruos.py, test_ruos_conversation.py and test_uploads_by_bytes.py show
the same screens through the Bot API emulator.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest

from bot.core.clock import FakeClock
from bot.core.i18n import translator
from bot.core.screens import Screen, check_markup
from bot.core.textlimits import page_of, shorten
from bot.organizations.models import Organization
from bot.ruos import reminder_screens as reminders
from bot.ruos import review_screens as reviews
from bot.ruos import screens as ruos
from bot.ruos.checklists import (
    Checklist,
    ItemView,
    NextStep,
    NextStepKind,
    Readiness,
    RegistrationView,
)
from bot.ruos.conversation import NOT_A_LEADER, ChecklistScreen
from bot.ruos.models import ChecklistItem, ItemStatus, RegistrationStage, RegistryInscription
from bot.ruos.requirements import (
    CatalogueError,
    PageCount,
    ProcedureKind,
    RequirementsCatalogue,
    localized,
)
from bot.ruos.reviews import ItemForReview, WaitingItem
from bot.ruos.shared import Step
from bot.ruos.uploading import UploadReceipt
from handlers import screens as telegram
from handlers.common import keyboard, page_navigation
from handlers.whatsapp.render import render
from tests.test_screens import ids_shown, within_limits

ES = translator("es")
EN = translator("en")
TYPED = "Comedor <Las Flores> *unidas*_de_Ate & Co"  # what a leader typed: never markup anywhere
CATALOGUE = RequirementsCatalogue.load(clock=FakeClock())
RUOS = CATALOGUE.procedure("ruos-lima")
SUNARP = CATALOGUE.procedure("sunarp-asociacion")
SUNAT = CATALOGUE.procedure("sunat-ruc")
STATUSES = list(ItemStatus)
ORGANIZATION = Organization(id=7, name=TYPED, board_term_end=date(2027, 1, 6))


def views(procedure) -> tuple[ItemView, ...]:
    """Each requirement in a status of its own, in turn; a rejected one with the staff's reason."""
    return tuple(ItemView(r, STATUSES[n % 4], (n % 4 != 0) * (n + 1),
                          f"Falta la firma de {TYPED}" if STATUSES[n % 4] is ItemStatus.REJECTED else None)
                 for n, r in enumerate(procedure.items))


def checklist(procedure=RUOS, *, stage: RegistrationStage | None = RegistrationStage.OBSERVED, fallback: bool = True,
              next_kind: NextStepKind = NextStepKind.SEND_AGAIN) -> Checklist:
    items = views(procedure)
    registration = None if procedure.kind is not ProcedureKind.RUOS else RegistrationView(
        stage, renewal_due=True, expediente=f"EXP-{TYPED}", submitted_on=date(2026, 11, 18),
        observations=f"Falta el acta de {TYPED}", observation_deadline=date(2026, 12, 5),
        ruos_number="RUOS-123", resolution_date=date(2026, 12, 10))
    return Checklist(7, TYPED, "150103", date(2028, 3, 1), procedure, fallback, items, Readiness(len(items), 2, 1),
                     ("CE", "PTP"), registration, NextStep(next_kind, items[0].requirement, date(2026, 12, 5)))


def found(procedure=RUOS, following=SUNARP, moves=(RegistrationStage.SUBMITTED, RegistrationStage.REGISTERED), **changes) -> ChecklistScreen:
    return ChecklistScreen(checklist(procedure, **changes), RUOS.code, following, TYPED, date(2028, 3, 1), moves)


def every_screen(i18n) -> dict[str, Screen]:
    """Each leader-facing RUOS screen, in the situations that change what it shows."""
    ruos_list = checklist()
    one_page = next(r for r in RUOS.items if r.pages is PageCount.ONE)
    several = next(r for r in RUOS.items if r.pages is not PageCount.ONE)
    inscription = RegistryInscription(organization_id=7, inscribed_on=date(2026, 11, 18), office=f"Lima {TYPED}",
                                      partida=f"1122<{TYPED}>", recorded_at=datetime(2026, 12, 7, tzinfo=UTC))
    shown = {
        **{f"checklist: next step {kind}": ruos.checklist(i18n, found(next_kind=kind)) for kind in NextStepKind},
        "checklist: SUNARP, step 1": ruos.checklist(i18n, found(SUNARP, following=SUNAT)),
        "checklist: SUNAT, the last step": ruos.checklist(i18n, found(SUNAT, following=None)),
        "checklist: RUOS, nothing after it": ruos.checklist(i18n, found(following=None, fallback=False)),
        **{f"item: {view.requirement.code} {view.status}": ruos.item_card(i18n, ruos_list, view) for view in ruos_list.items},
        **{f"take back: {view.requirement.code}": ruos.take_back(i18n, ruos_list, view) for view in ruos_list.items[:2]},
        "upload: one page": ruos.upload_prompt(i18n, one_page),
        "upload: several pages": ruos.upload_prompt(i18n, several),
        "waiting for a file": ruos.waiting_for_file(i18n, several),
        "file refused": ruos.file_refused(i18n, "The file is too large."),
        "received: one page": ruos.file_received(i18n, one_page, UploadReceipt(1, 0, False)),
        "received: a page of several": ruos.file_received(i18n, several, UploadReceipt(3, 2, False)),
        "received: the same file": ruos.file_received(i18n, several, UploadReceipt(3, 0, True)),
        **{f"question: {step}": ruos.question(i18n, step) for step in ruos.QUESTION},
        "question again": ruos.question(i18n, Step.SUBMITTED_ON, problem="That is not a date: &lt;ayer&gt;"),
        "text please": ruos.text_please(i18n, Step.EXPEDIENTE),
        **{f"status: {stage}": ruos.status(i18n, found(stage=stage)) for stage in RegistrationStage},
        "status: no moves, moved meanwhile": ruos.status(i18n, found(moves=()), problem="Someone else moved it."),
        **{f"saved: {stage}": ruos.stage_saved(i18n, stage) for stage in RegistrationStage},
        "refused": ruos.refused("You no longer lead this organization."),
        "no checklist to open": ruos.said(i18n, NOT_A_LEADER),
        "stopped": ruos.stopped(i18n),
        "inscription offer": ruos.inscription_offer(i18n, 7, TYPED),
        "inscription recorded": ruos.inscription_recorded(i18n, inscription),
        "reminder: documents missing": reminders.missing(i18n, ORGANIZATION, ruos_list),
        "reminder: observations due": reminders.observation_deadline(i18n, ORGANIZATION, ruos_list.registration, date(2026, 12, 5)),
        "reminder: the board's term": reminders.board_term_ending(i18n, ORGANIZATION, CATALOGUE.procedure("ruos-ate"), 30),
    }
    return shown


def formatted(messages: list[dict]) -> list[str]:
    found_ = []
    for message in messages:
        content = message[message["type"]]
        found_ += [content.get("body", ""), content.get("caption", "")]
        if message["type"] == "interactive":
            found_.append(content["body"]["text"])
    return found_


@pytest.mark.parametrize("i18n", [ES, EN], ids=["es", "en"])
def test_every_ruos_screen_fits_whatsapp_and_every_choice_on_it_is_reachable(i18n):
    shown = every_screen(i18n)
    for name, one in shown.items():
        check_markup(one.text)  # both channels can render it; typed text stayed text
        messages = render(one, to="51987654321", gettext=i18n.gettext)
        within_limits(messages)
        assert not any("*unidas*" in text for text in formatted(messages)), name  # typed, never bold
        if one.choices:
            assert ids_shown(replace(one, files=()), i18n.gettext) == {c.id for c in one.choices}, name
        else:
            assert all(m["type"] != "interactive" for m in messages), name
    # The checklist's requirements say their status where WhatsApp's list has room for it.
    first = shown["checklist: RUOS, nothing after it"].choices[0]
    assert first.id == f"ruos:i:7:{RUOS.code}:{RUOS.items[0].code}"
    assert first.description == i18n.gettext(ruos.STATUS[ItemStatus.MISSING])
    # A question asked again says what was wrong above it; a move recorded meanwhile, above the status.
    assert shown["question again"].text == "⚠️ That is not a date: &lt;ayer&gt;\n\n" + i18n.gettext(ruos.QUESTION[Step.SUBMITTED_ON])
    assert shown["status: no moves, moved meanwhile"].text.startswith("⚠️ Someone else moved it.\n\n")


# --- Telegram: the keyboards handlers/ruos/ built before ------------------------------------------------------


def old_checklist_keyboard(i18n, checklist_: Checklist, following, ruos_code: str):
    _ = i18n.gettext
    procedure = checklist_.procedure
    rows = [[(shorten(f"{ruos.STATUS_ICON[v.status]} {localized(v.requirement.title, i18n.language)}", 60),
              f"ruos:i:7:{procedure.code}:{v.requirement.code}")] for v in checklist_.items]
    if procedure.kind is ProcedureKind.RUOS:
        rows.append([(_("📋 Registration status"), "ruos:status:7")])
        if following is not None:
            rows.append([(_("🏛 Registros Públicos and SUNAT"), f"ruos:list:7:{following.code}")])
    else:
        if following is not None:
            rows.append([(_("➡️ Next: %(title)s") % {"title": shorten(localized(following.title, i18n.language), 50)},
                          f"ruos:list:7:{following.code}")])
        rows.append([(_("⬅️ Back to the RUOS checklist"), f"ruos:list:7:{ruos_code}")])
    return keyboard(rows)


def old_item_keyboard(i18n, view: ItemView):
    _ = i18n.gettext
    upload = {ItemStatus.MISSING: _("📤 Upload"), ItemStatus.UPLOADED: _("📤 Add pages"),
              ItemStatus.VERIFIED: _("📤 Add pages"), ItemStatus.REJECTED: _("📤 Send it again")}[view.status]
    if view.requirement.pages is PageCount.ONE and view.status is not ItemStatus.MISSING:
        upload = _("📤 Replace it")
    where = f"7:{RUOS.code}:{view.requirement.code}"
    rows = [[(upload, f"ruos:u:{where}")]]
    if view.status is ItemStatus.UPLOADED and view.requirement.pages is not PageCount.ONE:
        rows.append([(_("🗑 Take back the pages and start over"), f"ruos:x:{where}")])
    rows.append([(_("⬅️ Back to the checklist"), f"ruos:list:7:{RUOS.code}")])
    return keyboard(rows)


OLD_STAGE_BUTTON = {
    RegistrationStage.PREPARING: "↩️ Back to preparing the documents",
    RegistrationStage.SUBMITTED: "📨 We handed it in to the municipality",
    RegistrationStage.OBSERVED: "📝 The municipality made observations",
    RegistrationStage.REGISTERED: "🎉 The organization is registered",
}


@pytest.mark.parametrize("i18n", [ES, EN], ids=["es", "en"])
def test_telegram_shows_the_ruos_screens_with_the_same_buttons_as_before(i18n):
    _ = i18n.gettext
    shown = every_screen(i18n)
    for procedure, following in ((RUOS, SUNARP), (RUOS, None), (SUNARP, SUNAT), (SUNAT, None)):
        one = found(procedure, following=following)
        text, markup = telegram.render(ruos.checklist(i18n, one))
        assert markup == old_checklist_keyboard(i18n, one.checklist, following, RUOS.code), procedure.code
        assert text == ruos.checklist_text(i18n, one.checklist)
    ruos_list = checklist()
    for view in ruos_list.items:
        assert telegram.render(ruos.item_card(i18n, ruos_list, view)) == (
            ruos.item_text(i18n, ruos_list, view), old_item_keyboard(i18n, view)), view.requirement.code
    view = ruos_list.items[1]
    where = f"7:{RUOS.code}:{view.requirement.code}"
    assert telegram.render(ruos.take_back(i18n, ruos_list, view))[1] == keyboard([
        [(_("🗑 Yes, take them back"), f"ruos:xy:{where}")], [(_("No, keep them"), f"ruos:i:{where}")]])
    done = keyboard([[(_("✅ Done"), "ruos:done")]])
    for name in ("upload: one page", "upload: several pages", "waiting for a file", "file refused",
                 "received: one page", "received: a page of several", "received: the same file"):
        assert telegram.render(shown[name])[1] == done, name
    for step in ruos.QUESTION:
        assert telegram.render(shown[f"question: {step}"]) == (_(ruos.QUESTION[step]), None)
    assert telegram.render(shown["text please"]) == (_("Please answer with text.") + "\n\n" + _(ruos.QUESTION[Step.EXPEDIENTE]), None)

    # The status: the moves the reader may record, "we answered the observations" from OBSERVED.
    back = [(_("⬅️ Back to the checklist"), f"ruos:list:7:{RUOS.code}")]
    for stage in RegistrationStage:
        labels = [_("📨 We answered the observations") if stage is RegistrationStage.OBSERVED and move is RegistrationStage.SUBMITTED
                  else _(OLD_STAGE_BUTTON[move]) for move in (RegistrationStage.SUBMITTED, RegistrationStage.REGISTERED)]
        expected = keyboard([[(labels[0], "ruos:to:7:submitted")], [(labels[1], "ruos:to:7:registered")], back])
        text, markup = telegram.render(shown[f"status: {stage}"])
        assert markup == expected, stage
        assert text.startswith(_("<b>Registration status of %(organization)s</b>") % {
            "organization": "Comedor &lt;Las Flores&gt; *unidas*_de_Ate &amp; Co"})
        assert text.endswith(_("What happened? Tap it below."))
    assert telegram.render(shown["status: no moves, moved meanwhile"])[1] == keyboard([back])
    assert telegram.render(shown["inscription offer"])[1] == keyboard([[(_("📝 Record the inscription"), "ruos:rp:7")]])
    assert telegram.render(shown[f"saved: {RegistrationStage.REGISTERED}"]) == (
        _("Saved. The registration is now: %(stage)s.") % {"stage": _(ruos.STAGE[RegistrationStage.REGISTERED])}, None)

    # The reminders open the checklist, or the status to record the answer to the observations.
    assert telegram.render(shown["reminder: documents missing"])[1] == keyboard([[(_("📋 Open the checklist"), f"ruos:list:7:{RUOS.code}")]])
    assert telegram.render(shown["reminder: observations due"])[1] == keyboard([[(_("📋 Registration status"), "ruos:status:7")]])
    assert telegram.render(shown["reminder: the board's term"])[1] == keyboard([[(_("📋 Open the checklist"), "ruos:list:7:ruos-ate")]])


# --- staff: /review, a document's card, /reload_requirements --------------------------------------------------


def document(number: int, status: ItemStatus = ItemStatus.UPLOADED) -> ChecklistItem:
    requirement = RUOS.items[number % len(RUOS.items)]
    return ChecklistItem(id=number, organization_id=7, procedure_code=RUOS.code, item_code=requirement.code, status=status,
                         revision=3, uploaded_at=datetime(2026, 11, 1 + number % 28, tzinfo=UTC))


def waiting(count: int) -> list[WaitingItem]:
    return [WaitingItem(document(n), f"{TYPED} {n}", RUOS.items[n % len(RUOS.items)] if n % 5 else None)
            for n in range(1, count + 1)]


def staff_screens(i18n) -> dict[str, Screen]:
    broken = CatalogueError(CATALOGUE.directory / "ruos-ate.yaml", "unknown key <titel>", line=4)
    return {
        "staff only": reviews.staff_only(i18n),
        "nothing waiting": reviews.waiting(i18n, [], page=1),
        "waiting: one page": reviews.waiting(i18n, waiting(4), page=1),
        **{f"waiting: page {page} of 3": reviews.waiting(i18n, waiting(25), page=page) for page in (1, 2, 3)},
        "document: waiting": reviews.review_card(i18n, ItemForReview(document(1), ORGANIZATION, RUOS.items[1], [None] * 3)),
        "document: verified": reviews.review_card(i18n, ItemForReview(document(5, ItemStatus.VERIFIED), ORGANIZATION, None, [])),
        "verified": reviews.verified(i18n, TYPED),
        "changes asked": reviews.changes_asked(i18n, TYPED),
        "not reloaded": reviews.reload_failed(i18n, broken),
        "not reloaded: the folder": reviews.reload_failed(i18n, CatalogueError(CATALOGUE.directory, "no .yaml files")),
        "reloaded": reviews.reloaded(i18n, CATALOGUE),
    }


@pytest.mark.parametrize("i18n", [ES, EN], ids=["es", "en"])
def test_staff_review_screens_fit_whatsapp_and_telegram_keeps_their_buttons(i18n):
    _ = i18n.gettext
    shown = staff_screens(i18n)
    for name, one in shown.items():
        check_markup(one.text)
        messages = render(one, to="51987654321", gettext=i18n.gettext)
        within_limits(messages)
        assert not any("*unidas*" in text for text in formatted(messages)), name
        if one.choices:
            assert ids_shown(one, i18n.gettext) == {c.id for c in one.choices}, name
    # /review's pages: ten documents each, numbered through the list, with ◀️ / ▶️ as before.
    entries = waiting(25)
    for page in (1, 2, 3):
        on_page = page_of(entries, page, size=10)
        rows = [[(f"{n}. {localized(e.requirement.title, i18n.language) if e.requirement else e.item.item_code}", f"ruos:rv:{e.item.id}")]
                for n, e in enumerate(on_page.items, start=on_page.first_index + 1)]
        rows += page_navigation(SimpleNamespace(gettext=_), on_page, callback_prefix="ruos:review:p")
        assert telegram.render(shown[f"waiting: page {page} of 3"])[1] == keyboard(rows), page
    assert telegram.render(shown["nothing waiting"]) == (_("No documents are waiting for review."), None)
    assert telegram.render(shown["document: waiting"])[1] == keyboard(
        [[(_("✅ Verify"), "ruos:ok:1:3"), (_("✏️ Ask for changes"), "ruos:no:1:3")]])
    assert telegram.render(shown["document: verified"])[1] is None
    assert shown["not reloaded"].text.endswith(_("In %(file)s, line %(line)s: %(problem)s") % {
        "file": "ruos-ate.yaml", "line": 4, "problem": "unknown key &lt;titel&gt;"})
