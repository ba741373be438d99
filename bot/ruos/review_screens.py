"""What programme staff see of the RUOS, as screens (bot/core/screens.py): /review's list of the
documents waiting (the longest first, paged), one document's card with verify and ask for
changes, how each ended, and /reload_requirements' answers. The document's pages themselves go
as files from the bot's store (handlers/ruos/staff.py sends them before the card).

Choice ids: ``ruos:rv:<item>`` opens a document, ``ruos:review:p<page>`` a page of the list,
``ruos:ok:<item>:<revision>`` / ``ruos:no:<item>:<revision>`` verify it or ask for changes (the
revision makes staff verify exactly the pages they opened).
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.i18n import Translator
from bot.core.screens import Choice, Screen, escape, paged, screen
from bot.core.textlimits import page_of
from bot.ruos.models import ItemStatus
from bot.ruos.requirements import CatalogueError, RequirementsCatalogue, localized
from bot.ruos.reviews import ItemForReview, WaitingItem
from bot.ruos.screens import STATUS, data

ROWS_PER_PAGE = 10  # as every list of records: well under Telegram's 100 buttons a message


def staff_only(i18n: Translator) -> Screen:
    return screen(i18n.gettext("Only programme staff can do that."))


def waiting(i18n: Translator, entries: Sequence[WaitingItem], *, page: int) -> Screen:
    """A page of the documents waiting, numbered; each opens with its number and title (the
    organization is on its line of the text, and where a channel has room for it)."""
    _ = i18n.gettext
    if not entries:
        return screen(_("No documents are waiting for review."))
    lines = [_("<b>Documents waiting for review</b>"), ""]
    shown = page_of(entries, page, size=ROWS_PER_PAGE)
    for number, entry in enumerate(shown.items, start=shown.first_index + 1):
        sent = i18n.date(entry.item.uploaded_at) if entry.item.uploaded_at else ""
        lines.append(f"{number}. {escape(entry.organization_name)} — {escape(title(i18n, entry))} ({sent})")
    rows = [[Choice(data("rv", entry.item.id), f"{number}. {title(i18n, entry)}", description=entry.organization_name)]
            for number, entry in enumerate(entries, start=1)]
    return screen("\n".join(lines), paged(_, rows, page=shown.number, id_prefix=data("review", "p"), size=ROWS_PER_PAGE))


def title(i18n: Translator, entry: WaitingItem | ItemForReview) -> str:
    """The requirement's title, or its code if the catalogue no longer lists it (plain text)."""
    return localized(entry.requirement.title, i18n.language) if entry.requirement else entry.item.item_code


def review_card(i18n: Translator, review: ItemForReview) -> Screen:
    """The document after its pages: what it is and where it stands; verify it or ask for changes."""
    _ = i18n.gettext
    item = review.item
    lines = [
        f"<b>{escape(review.organization.name)}</b> — {escape(title(i18n, review))}",
        _("Status: %(status)s") % {"status": _(STATUS[item.status])},
        _("Pages: %(count)s") % {"count": len(review.files)},
    ]
    if review.requirement:
        lines += ["", escape(localized(review.requirement.explanation, i18n.language).strip())]
    rows = []
    if item.status is ItemStatus.UPLOADED:
        rows.append([Choice(data("ok", item.id, item.revision), _("✅ Verify")),
                     Choice(data("no", item.id, item.revision), _("✏️ Ask for changes"))])
    return screen("\n".join(lines), rows)


def verified(i18n: Translator, organization_name: str) -> Screen:
    return screen(i18n.gettext("✅ Verified. I told the leaders of %(organization)s.") % {"organization": escape(organization_name)})


def changes_asked(i18n: Translator, organization_name: str) -> Screen:
    return screen(i18n.gettext("✏️ Sent. I asked the leaders of %(organization)s for the changes.") % {
        "organization": escape(organization_name)})


def reload_failed(i18n: Translator, error: CatalogueError) -> Screen:
    """The requirement files were not reloaded: where the problem is, to correct it."""
    _ = i18n.gettext
    if error.line is None:
        where = _("In the folder %(folder)s: %(problem)s") % {"folder": escape(str(error.path)), "problem": escape(error.problem)}
    else:
        where = _("In %(file)s, line %(line)s: %(problem)s") % {"file": escape(error.path.name), "line": error.line, "problem": escape(error.problem)}
    return screen(_("⚠️ The requirement files were not reloaded, and the lists in use stay as they were. Correct this and send /reload_requirements again:") + "\n\n" + where)


def reloaded(i18n: Translator, catalogue: RequirementsCatalogue) -> Screen:
    count = len(catalogue.procedures)
    return screen(i18n.ngettext(
        "✅ Requirement lists reloaded from %(folder)s: %(count)s list.", "✅ Requirement lists reloaded from %(folder)s: %(count)s lists.",
        count) % {"folder": escape(str(catalogue.directory)), "count": count})
