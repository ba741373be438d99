// The playground's chat page: a Telegram-like chat with the real bot, through the emulator's
// client API (/_emulator/...). Plain JS, no framework and no build step.
//
// Each demo person has their own chat. The page shows the chosen person's history, then
// long-polls that chat's events (new messages, edits, deletions, callback alerts, keyboard
// changes) and applies them in place. Bot text arrives as safe HTML (the emulator escapes every
// character and only emits markup for Telegram's entities), so it can be inserted as is.
"use strict";

(() => {
  // The page's own words; the bot's words come from its catalogs.
  const TEXTS = {
    es: {
      tryAs: "Probar como",
      bot: "bot",
      newcomer: "nueva",
      leader: "líder",
      coordinator: "coordinador",
      staff: "equipo",
      typeMessage: "Escribe un mensaje",
      commands: "Comandos",
      attach: "Adjuntar",
      keyboard: "Teclado del bot",
      send: "Enviar",
      photoOrFile: "🖼️ Foto o archivo",
      myContact: "📱 Mi contacto",
      noCommands: "El bot aún no tiene comandos.",
      edited: "editado",
      start: "Iniciar",
      emptyTitle: "¿Qué puede hacer este bot?",
      emptyText: "Es Voces, el bot real, sin Telegram: registra organizaciones, revisa documentos del RUOS y más. Los datos son de demostración.",
      offline: "Sin conexión con el playground; reintentando…",
      failed: "No se pudo enviar: ",
      contact: "Contacto",
      poll: "Encuesta",
      unsupported: "Este botón no funciona en el playground.",
      starting: "El playground está arrancando…",
      toBottom: "Ir al último mensaje",
      today: "Hoy",
      yesterday: "Ayer",
    },
    en: {
      tryAs: "Try as",
      bot: "bot",
      newcomer: "new",
      leader: "leader",
      coordinator: "coordinator",
      staff: "staff",
      typeMessage: "Type a message",
      commands: "Commands",
      attach: "Attach",
      keyboard: "Bot keyboard",
      send: "Send",
      photoOrFile: "🖼️ Photo or file",
      myContact: "📱 My contact",
      noCommands: "The bot has no commands yet.",
      edited: "edited",
      start: "Start",
      emptyTitle: "What can this bot do?",
      emptyText: "This is Voces, the real bot, without Telegram: register organizations, review RUOS documents and more. The data is for demonstration.",
      offline: "Lost contact with the playground; retrying…",
      failed: "Could not send: ",
      contact: "Contact",
      poll: "Poll",
      unsupported: "This button does not work in the playground.",
      starting: "The playground is starting…",
      toBottom: "Go to the newest message",
      today: "Today",
      yesterday: "Yesterday",
    },
  };
  const requested = new URLSearchParams(location.search).get("lang") || navigator.language || "es";
  const LANGUAGE = requested.toLowerCase().startsWith("en") ? "en" : "es";
  const t = (key) => TEXTS[LANGUAGE][key];

  const STORAGE_KEY = "voces-playground-person";
  const POLL_SECONDS = 25;
  const RETRY_MS = 2000;
  const TOAST_MS = 2500;

  const $ = (id) => document.getElementById(id);
  const state = {
    people: [],
    whatsapp: [], // demo people on WhatsApp: links to the WhatsApp-like page
    person: null,
    messages: new Map(), // message_id → the client API's message JSON, for quotes
    seq: 0,
    generation: 0, // bumped on every switch, so a stale long poll stops
    poll: null,
    replyKeyboard: null,
    keyboardHidden: false,
    commands: [],
    botUsername: "",
    unread: 0, // bot messages that arrived while the reader was scrolled up
  };

  // --- the client API ---------------------------------------------------------------------------

  async function api(path, options = {}) {
    const response = await fetch(path, options);
    if (!response.ok) throw new Error(`${response.status} ${await response.text()}`);
    return response.json();
  }

  const chatPath = (person, suffix) => `/_emulator/chats/${person.id}/${suffix}`;

  function post(suffix, body) {
    const person = state.person;
    const options = body instanceof FormData
      ? { method: "POST", body }
      : { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
    return api(chatPath(person, suffix), options)
      .then((result) => {
        // Show the person's own message at once; the event stream brings the bot's answer.
        if (result.message && person === state.person) upsert(result.message, true);
        return result;
      })
      .catch((error) => showToast(t("failed") + error.message));
  }

  // --- choosing who you are ---------------------------------------------------------------------

  function restart() {
    start().catch((error) => showToast(String(error), 0));
  }

  async function start() {
    translateChrome();
    const data = await people();
    $("bot-name").textContent = data.bot.first_name;
    state.botUsername = data.bot.username;
    state.people = data.people;
    state.whatsapp = data.whatsapp || [];
    renderSwitcher();
    const saved = Number(localStorage.getItem(STORAGE_KEY));
    await choose(state.people.find((person) => person.id === saved) || state.people[0]);
  }

  // A page opened while the playground starts waits for its people instead of breaking.
  async function people() {
    for (let attempt = 0; ; attempt++) {
      try {
        const data = await api("/playground/people");
        if (data.people.length) {
          if (attempt) hideToast();
          return data;
        }
      } catch (error) {
        // not answering yet
      }
      if (attempt === 0) showToast(t("starting"), 0);
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS / 4));
    }
  }

  function translateChrome() {
    document.documentElement.lang = LANGUAGE;
    for (const element of document.querySelectorAll("[data-text]")) element.textContent = t(element.dataset.text);
    for (const element of document.querySelectorAll("[data-title]")) {
      element.title = t(element.dataset.title);
      element.setAttribute("aria-label", t(element.dataset.title));
    }
    for (const element of document.querySelectorAll("[data-placeholder]")) element.placeholder = t(element.dataset.placeholder);
  }

  function avatar(person) {
    const element = document.createElement("span");
    element.className = `avatar role-${person.role}`;
    element.setAttribute("aria-hidden", "true");
    element.textContent = person.first_name.slice(0, 1);
    return element;
  }

  function personLabel(element, person, roleText) {
    const text = document.createElement("span");
    text.className = "person-text";
    const name = document.createElement("span");
    name.textContent = person.first_name;
    const role = document.createElement("span");
    role.className = "person-role";
    role.textContent = roleText;
    text.append(name, role);
    element.append(avatar(person), text);
    return element;
  }

  function renderSwitcher() {
    const buttons = state.people.map((person) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "person";
      button.dataset.personId = person.id;
      button.dataset.role = person.role;
      button.addEventListener("click", () => choose(person));
      return personLabel(button, person, t(person.role));
    });
    // The same bot on WhatsApp, in its own page (whatsapp.html), one link per demo person there.
    const links = state.whatsapp.map((person) => {
      const link = document.createElement("a");
      link.className = "person on-whatsapp";
      link.title = `${person.name} · ${t(person.role)} · WhatsApp`;
      link.href = `/whatsapp?wa=${encodeURIComponent(person.wa_id)}${LANGUAGE === "en" ? "&lang=en" : ""}`;
      return personLabel(link, person, "WhatsApp");
    });
    $("people").replaceChildren(...buttons, ...links);
  }

  async function choose(person) {
    const generation = ++state.generation;
    if (state.poll) state.poll.abort();
    state.person = person;
    localStorage.setItem(STORAGE_KEY, String(person.id));
    for (const button of $("people").querySelectorAll("button.person")) {
      button.setAttribute("aria-pressed", String(Number(button.dataset.personId) === person.id));
    }
    const you = $("you");
    const label = document.createElement("span");
    label.textContent = `${person.first_name} ${person.last_name}`;
    you.replaceChildren(label, avatar(person));
    closePopups();
    state.messages.clear();
    state.commands = [];
    state.keyboardHidden = false;
    $("messages").replaceChildren();
    setReplyKeyboard(null);

    let history;
    try {
      history = await api(chatPath(person, "history"));
    } catch (error) {
      showToast(String(error), 0);
      return;
    }
    if (generation !== state.generation) return;
    for (const message of history.messages) upsert(message, false);
    setReplyKeyboard(history.reply_keyboard);
    state.seq = history.seq;
    showEmptyStateIfNeeded();
    scrollToBottom();
    state.unread = 0;
    updateToBottomButton();
    $("text").focus();
    listen(person, generation);
  }

  // --- the event stream -------------------------------------------------------------------------

  async function listen(person, generation) {
    while (generation === state.generation) {
      const controller = new AbortController();
      state.poll = controller;
      let data;
      try {
        data = await api(chatPath(person, `events?after=${state.seq}&timeout=${POLL_SECONDS}`), { signal: controller.signal });
      } catch (error) {
        if (generation === state.generation) await reconnect();
        return;
      }
      if (generation !== state.generation) return;
      if (data.seq < state.seq) {
        // The playground was started afresh (its data folder deleted): its chats begin again.
        restart();
        return;
      }
      for (const event of data.events) apply(event);
      state.seq = data.seq;
    }
  }

  // Wait for the playground to answer again, then load everything afresh.
  async function reconnect() {
    showToast(t("offline"), 0);
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
      try {
        if ((await api("/playground/people")).people.length) break;
      } catch (error) {
        // still away
      }
    }
    hideToast();
    restart();
  }

  function apply(event) {
    if (event.type === "message" || event.type === "edited" || event.type === "deleted") {
      upsert(event.message, event.type === "message");
    } else if (event.type === "alert") {
      if (event.show_alert) showAlert(event.text);
      else showToast(event.text);
    } else if (event.type === "keyboard") {
      state.keyboardHidden = false;
      setReplyKeyboard(event.reply_keyboard);
    }
  }

  // --- messages ---------------------------------------------------------------------------------

  // Add a message, or replace it where it stands (an edit), or remove it (a deletion). The chat
  // follows a new message only if the reader was at the bottom (or sent it), as Telegram does;
  // otherwise the ↓ button counts it.
  function upsert(message, isNew) {
    const container = $("messages");
    const existing = container.querySelector(`[data-message-id="${message.message_id}"]`);
    if (message.deleted) {
      state.messages.delete(message.message_id);
      if (existing) existing.remove();
      renderDateSeparators();
      showEmptyStateIfNeeded();
      return;
    }
    const nearBottom = isNearBottom();
    state.messages.set(message.message_id, message);
    const element = renderMessage(message);
    if (existing) {
      existing.replaceWith(element);
    } else {
      container.querySelector(".empty")?.remove();
      const later = [...container.children].find((child) => Number(child.dataset.messageId) > message.message_id);
      container.insertBefore(element, later || null);
      renderDateSeparators();
    }
    if (nearBottom || (isNew && !message.from_bot)) {
      scrollToBottom();
    } else if (isNew) {
      state.unread += 1;
      updateToBottomButton();
    }
  }

  // A day's first message gets the day above it, as in Telegram.
  function renderDateSeparators() {
    const container = $("messages");
    for (const separator of container.querySelectorAll(".date-separator")) separator.remove();
    let previous = "";
    for (const row of container.querySelectorAll(".row")) {
      const message = state.messages.get(Number(row.dataset.messageId));
      if (!message) continue;
      const day = new Date(message.date * 1000);
      const key = day.toDateString();
      if (key === previous) continue;
      previous = key;
      const separator = document.createElement("div");
      separator.className = "date-separator";
      const label = document.createElement("span");
      label.textContent = dayLabel(day);
      separator.append(label);
      row.before(separator);
    }
  }

  function dayLabel(day) {
    const today = new Date();
    const yesterday = new Date(today.getFullYear(), today.getMonth(), today.getDate() - 1);
    if (day.toDateString() === today.toDateString()) return t("today");
    if (day.toDateString() === yesterday.toDateString()) return t("yesterday");
    const options = { day: "numeric", month: "long" };
    if (day.getFullYear() !== today.getFullYear()) options.year = "numeric";
    return day.toLocaleDateString(LANGUAGE, options);
  }

  function renderMessage(message) {
    const row = document.createElement("div");
    row.className = `row ${message.from_bot ? "bot" : "me"}`;
    row.dataset.messageId = message.message_id;
    const bubble = document.createElement("div");
    bubble.className = "bubble";

    const quoted = message.reply_to_message_id && state.messages.get(message.reply_to_message_id);
    if (quoted) {
      const quote = document.createElement("div");
      quote.className = "quote";
      quote.textContent = quoted.text || quoted.document?.file_name || "…";
      bubble.append(quote);
    }
    if (message.photo) bubble.append(renderPhoto(message.photo));
    if (message.document) bubble.append(renderDocument(message.document));
    if (message.contact) bubble.append(renderContact(message.contact));
    if (message.sticker) {
      const sticker = document.createElement("div");
      sticker.className = "sticker";
      sticker.textContent = message.sticker.emoji || "🖼️";
      bubble.append(sticker);
    }
    if (message.poll) bubble.append(renderPoll(message.poll));

    const text = document.createElement("div");
    text.className = "text";
    text.innerHTML = message.html; // safe: escaped by the emulator's to_html
    linkify(text, message.from_bot);
    for (const link of text.querySelectorAll("a[href]")) openLinksLikeTelegram(link);
    for (const spoiler of text.querySelectorAll(".tg-spoiler")) {
      spoiler.addEventListener("click", () => spoiler.classList.add("revealed"));
    }
    const meta = document.createElement("span");
    meta.className = "meta";
    const time = new Date(message.date * 1000).toLocaleTimeString(LANGUAGE, { hour: "2-digit", minute: "2-digit" });
    meta.textContent = (message.edit_date ? `${t("edited")} ` : "") + time + (message.from_bot ? "" : " ✓✓");
    if (message.html) {
      // An invisible copy keeps room on the last line for the time in the corner.
      const spacer = document.createElement("span");
      spacer.className = "meta-spacer";
      spacer.setAttribute("aria-hidden", "true");
      spacer.textContent = meta.textContent;
      text.append(spacer);
      bubble.append(text);
    } else {
      meta.classList.add("standalone");
    }
    bubble.append(meta);
    row.append(bubble);

    const rows = message.reply_markup?.inline_keyboard;
    if (rows?.length) {
      row.classList.add("with-keyboard");
      row.append(renderInlineKeyboard(message, rows));
    }
    return row;
  }

  // What Telegram's apps find in plain text: links, and the bot's /commands (tapping one sends
  // it). The emulator, like Telegram's server, sends no entities for them.
  const FINDABLE = /(https?:\/\/[^\s<]*[^\s<.,:;!?)\]"'»]|\bt\.me\/[A-Za-z0-9_]{3,}(?:\?[^\s<]*[^\s<.,:;!?)\]"'»])?)|(?<![\w\/@.])(\/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?)(?![\w\/])/g;

  function linkify(element, fromBot) {
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT, {
      acceptNode: (node) => (node.parentElement.closest("a, code, pre") ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT),
    });
    const nodes = [];
    while (walker.nextNode()) nodes.push(walker.currentNode);
    for (const node of nodes) {
      const text = node.data;
      const parts = [];
      let last = 0;
      for (const match of text.matchAll(FINDABLE)) {
        const [found, url, command] = match;
        if (command && !fromBot) continue;
        parts.push(text.slice(last, match.index));
        const link = document.createElement("a");
        link.textContent = found;
        if (url) {
          link.href = url.startsWith("http") ? url : `https://${url}`;
        } else {
          link.href = "#";
          link.className = "bot-command";
          link.addEventListener("click", (event) => {
            event.preventDefault();
            post("send", { text: command });
          });
        }
        parts.push(link);
        last = match.index + found.length;
      }
      if (!parts.length) continue;
      parts.push(text.slice(last));
      node.replaceWith(...parts);
    }
  }

  // A link to this bot (t.me/<bot>?start=…) opens as /start … in this chat; others in a tab.
  function openLinksLikeTelegram(link) {
    if (link.classList.contains("bot-command")) return;
    const start = startParameter(link.href);
    if (start === null) {
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      return;
    }
    link.classList.add("deep-link");
    link.addEventListener("click", (event) => {
      event.preventDefault();
      post("send", { text: start ? `/start ${start}` : "/start" });
    });
  }

  function startParameter(href) {
    let url;
    try {
      url = new URL(href);
    } catch (error) {
      return null;
    }
    const host = url.hostname.toLowerCase();
    const bot = url.pathname.replace(/^\//, "").split("/")[0].toLowerCase();
    if (!["t.me", "telegram.me", "www.t.me"].includes(host) || !bot || bot !== state.botUsername.toLowerCase()) return null;
    return url.searchParams.get("start") || "";
  }

  function renderPhoto(photo) {
    const link = document.createElement("a");
    link.className = "photo";
    link.href = photo.url;
    link.target = "_blank";
    const image = document.createElement("img");
    image.src = photo.url;
    image.alt = "";
    image.loading = "lazy";
    // The photo's height is known only now; the newest message must stay in view.
    image.addEventListener("load", () => {
      if (!link.closest(".row")?.nextElementSibling) scrollToBottom();
    }, { once: true });
    link.append(image);
    return link;
  }

  function renderDocument(document_) {
    const link = document.createElement("a");
    link.className = "attachment";
    link.href = document_.url;
    link.download = document_.file_name || "";
    const icon = document.createElement("span");
    icon.className = "attachment-icon";
    icon.textContent = "📄";
    const details = document.createElement("span");
    const name = document.createElement("div");
    name.className = "attachment-name";
    name.textContent = document_.file_name || document_.mime_type || "document";
    const size = document.createElement("div");
    size.className = "attachment-size";
    size.textContent = formatSize(document_.file_size || 0);
    details.append(name, size);
    link.append(icon, details);
    return link;
  }

  function renderContact(contact) {
    const card = document.createElement("div");
    card.className = "attachment";
    const icon = document.createElement("span");
    icon.className = "attachment-icon";
    icon.textContent = "👤";
    const details = document.createElement("span");
    const name = document.createElement("div");
    name.className = "attachment-name";
    name.textContent = [contact.first_name, contact.last_name].filter(Boolean).join(" ") || t("contact");
    const phone = document.createElement("div");
    phone.className = "attachment-size";
    phone.textContent = contact.phone_number;
    details.append(name, phone);
    card.append(icon, details);
    return card;
  }

  function renderPoll(poll) {
    const box = document.createElement("div");
    const question = document.createElement("strong");
    question.textContent = `📊 ${poll.question}`;
    const options = document.createElement("ul");
    options.className = "poll-options";
    for (const option of poll.options) {
      const item = document.createElement("li");
      item.textContent = `${option.text} (${option.voter_count})`;
      options.append(item);
    }
    box.append(question, options);
    return box;
  }

  function renderInlineKeyboard(message, rows) {
    const keyboard = document.createElement("div");
    keyboard.className = "inline-keyboard";
    for (const buttons of rows) {
      const row = document.createElement("div");
      row.className = "keyboard-row";
      for (const button of buttons) row.append(renderInlineButton(message, button));
      keyboard.append(row);
    }
    return keyboard;
  }

  function renderInlineButton(message, button) {
    if (button.url) {
      const link = document.createElement("a");
      link.className = "inline-button";
      link.href = button.url;
      openLinksLikeTelegram(link);
      link.textContent = startParameter(button.url) === null ? `${button.text} ↗` : button.text;
      return link;
    }
    const element = document.createElement("button");
    element.type = "button";
    element.className = "inline-button";
    element.textContent = button.text;
    if (button.callback_data === undefined) {
      element.addEventListener("click", () => showToast(t("unsupported")));
      return element;
    }
    element.addEventListener("click", async () => {
      // Telegram shows a pending button until the bot answers; the message usually changes.
      element.classList.add("waiting");
      await post("tap", { message_id: message.message_id, callback_data: button.callback_data });
      setTimeout(() => element.classList.remove("waiting"), 600);
    });
    return element;
  }

  function formatSize(bytes) {
    if (bytes < 1024) return `${bytes} B`;
    if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
    return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  }

  function showEmptyStateIfNeeded() {
    const container = $("messages");
    if (state.messages.size > 0 || container.querySelector(".empty")) return;
    const card = document.createElement("div");
    card.className = "empty";
    const title = document.createElement("strong");
    title.textContent = t("emptyTitle");
    const text = document.createElement("span");
    text.textContent = t("emptyText");
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = t("start");
    button.addEventListener("click", () => post("send", { text: "/start" }));
    card.append(title, text, document.createElement("br"), button);
    container.append(card);
  }

  function scrollToBottom() {
    const container = $("messages");
    container.scrollTop = container.scrollHeight;
    state.unread = 0;
    updateToBottomButton();
  }

  // Shown while the reader is away from the newest message, with how many arrived meanwhile.
  function updateToBottomButton() {
    const away = !isNearBottom();
    if (!away) state.unread = 0;
    $("to-bottom").hidden = !away;
    const badge = $("unread");
    badge.hidden = state.unread === 0;
    badge.textContent = String(state.unread);
  }

  function isNearBottom() {
    const container = $("messages");
    return container.scrollHeight - container.scrollTop - container.clientHeight < 80;
  }

  // Keep the newest message in view when the reply keyboard takes or gives back room.
  function keepBottom(change = () => {}) {
    const wasNearBottom = isNearBottom();
    change();
    if (wasNearBottom) scrollToBottom();
  }

  // --- the reply keyboard -----------------------------------------------------------------------

  function setReplyKeyboard(rows) {
    keepBottom(() => renderReplyKeyboard(rows));
  }

  function renderReplyKeyboard(rows) {
    state.replyKeyboard = rows && rows.length ? rows : null;
    const panel = $("reply-keyboard");
    $("keyboard-button").hidden = !state.replyKeyboard;
    panel.hidden = !state.replyKeyboard || state.keyboardHidden;
    if (!state.replyKeyboard) {
      panel.replaceChildren();
      return;
    }
    panel.replaceChildren(...state.replyKeyboard.map((buttons) => {
      const row = document.createElement("div");
      row.className = "keyboard-row";
      for (const button of buttons) {
        const element = document.createElement("button");
        element.type = "button";
        element.className = "reply-button";
        element.textContent = button.text;
        if (button.request_contact) {
          element.addEventListener("click", () => post("contact", {}));
        } else if (Object.keys(button).some((key) => key.startsWith("request_") || key === "web_app")) {
          element.addEventListener("click", () => showToast(t("unsupported")));
        } else {
          element.addEventListener("click", () => post("send", { text: button.text }));
        }
        row.append(element);
      }
      return row;
    }));
  }

  // --- typing, commands and attachments ---------------------------------------------------------

  function sendTyped(event) {
    event.preventDefault();
    const input = $("text");
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    closePopups();
    post("send", { text });
  }

  async function toggleCommandMenu(filter) {
    const menu = $("command-menu");
    if (filter === undefined && !menu.hidden) {
      closePopups();
      return;
    }
    closePopups();
    const person = state.person;
    state.commands = await api(chatPath(person, "commands")).catch(() => []);
    if (person !== state.person) return;
    if (filter === undefined) {
      renderCommandMenu("");
      return;
    }
    // The commands arrive after the typing went on: a message sent meanwhile, or text that is no
    // longer a /command, must not get a menu popping up over the chat.
    const typed = $("text").value;
    if (/^\/\w*$/.test(typed)) renderCommandMenu(typed);
  }

  function renderCommandMenu(filter) {
    const menu = $("command-menu");
    const wanted = filter.replace(/^\//, "").toLowerCase();
    const matching = state.commands.filter((command) => command.command.startsWith(wanted));
    if (!matching.length && filter) {
      menu.hidden = true;
      return;
    }
    const items = matching.map((command) => {
      const item = document.createElement("button");
      item.type = "button";
      item.setAttribute("role", "menuitem");
      const name = document.createElement("span");
      name.className = "command-name";
      name.textContent = `/${command.command}`;
      const description = document.createElement("span");
      description.className = "command-description";
      description.textContent = command.description;
      item.append(name, description);
      item.addEventListener("click", () => {
        $("text").value = "";
        closePopups();
        post("send", { text: `/${command.command}` });
      });
      return item;
    });
    if (!items.length) {
      const note = document.createElement("div");
      note.className = "popup-note";
      note.textContent = t("noCommands");
      items.push(note);
    }
    menu.replaceChildren(...items);
    menu.hidden = false;
  }

  // Typing "/" offers the matching commands, as Telegram does.
  function suggestCommands() {
    const value = $("text").value;
    if (/^\/\w*$/.test(value)) {
      if (state.commands.length) renderCommandMenu(value);
      else toggleCommandMenu(value);
    } else {
      $("command-menu").hidden = true;
    }
  }

  function upload() {
    const input = $("file-input");
    const file = input.files[0];
    input.value = "";
    if (!file) return;
    const form = new FormData();
    form.append("file", file, file.name);
    form.append("kind", file.type.startsWith("image/") ? "photo" : "document");
    const caption = $("text").value.trim();
    if (caption) {
      form.append("caption", caption);
      $("text").value = "";
    }
    post("upload", form);
  }

  function closePopups() {
    $("command-menu").hidden = true;
    $("attach-menu").hidden = true;
  }

  // --- toasts and alerts ------------------------------------------------------------------------

  let toastTimer = 0;
  function showToast(text, lasting = TOAST_MS) {
    const toast = $("toast");
    toast.textContent = text;
    toast.hidden = false;
    clearTimeout(toastTimer);
    if (lasting) toastTimer = setTimeout(hideToast, lasting);
  }

  function hideToast() {
    $("toast").hidden = true;
  }

  function showAlert(text) {
    $("alert-text").textContent = text;
    $("alert").hidden = false;
    $("alert-ok").focus();
  }

  // --- wiring -----------------------------------------------------------------------------------

  document.addEventListener("DOMContentLoaded", () => {
    $("composer").addEventListener("submit", sendTyped);
    $("text").addEventListener("input", suggestCommands);
    $("menu-button").addEventListener("click", () => toggleCommandMenu());
    $("attach-button").addEventListener("click", () => {
      const menu = $("attach-menu");
      const wasHidden = menu.hidden;
      closePopups();
      menu.hidden = !wasHidden;
    });
    $("attach-file").addEventListener("click", () => {
      closePopups();
      $("file-input").click();
    });
    $("attach-contact").addEventListener("click", () => {
      closePopups();
      post("contact", {});
    });
    $("file-input").addEventListener("change", upload);
    $("keyboard-button").addEventListener("click", () => {
      state.keyboardHidden = !state.keyboardHidden;
      setReplyKeyboard(state.replyKeyboard);
    });
    $("alert-ok").addEventListener("click", () => { $("alert").hidden = true; });
    $("messages").addEventListener("scroll", updateToBottomButton, { passive: true });
    $("to-bottom").addEventListener("click", () => {
      const container = $("messages");
      container.scrollTo({ top: container.scrollHeight, behavior: "smooth" });
      state.unread = 0;
    });
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        closePopups();
        $("alert").hidden = true;
      }
    });
    document.addEventListener("click", (event) => {
      if (!event.target.closest(".popup, #menu-button, #attach-button, #text")) closePopups();
    });
    restart();
  });
})();
