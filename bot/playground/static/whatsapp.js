// The playground's WhatsApp-like chat page: the real bot on its WhatsApp channel, through the
// Cloud API stand-in's JSON API (/_standin/...). Plain JS, no framework and no build step.
//
// The page is one person on WhatsApp (?wa=<number>, else the first demo person there). It loads
// the chat, then long-polls it for new messages both ways: what the person sends appears when
// the stand-in has turned it into a webhook for the bot, the bot's answers when it has sent them.
// Reply buttons sit under their message; a list opens from its button as a bottom sheet; a
// cta_url is a link. Old buttons stay pressable, as in WhatsApp: the bot routes on their ids.
"use strict";

(() => {
  const TEXTS = {
    es: {
      back: "Volver a Telegram",
      business: "Cuenta de empresa",
      notice: "Los mensajes van al bot real, a través del simulador de la API de WhatsApp. Los datos son de demostración.",
      typeMessage: "Mensaje",
      attach: "Adjuntar",
      send: "Enviar",
      close: "Cerrar",
      offline: "Sin conexión con el playground; reintentando…",
      failed: "No se pudo enviar: ",
      starting: "El playground está arrancando…",
      nobody: "El playground no tiene a nadie en WhatsApp.",
      location: "Ubicación",
      document: "Documento",
      photo: "Foto",
      unsupported: "Mensaje no admitido",
    },
    en: {
      back: "Back to Telegram",
      business: "Business account",
      notice: "Messages go to the real bot, through the WhatsApp API stand-in. The data is for demonstration.",
      typeMessage: "Message",
      attach: "Attach",
      send: "Send",
      close: "Close",
      offline: "Lost contact with the playground; retrying…",
      failed: "Could not send: ",
      starting: "The playground is starting…",
      nobody: "The playground has nobody on WhatsApp.",
      location: "Location",
      document: "Document",
      photo: "Photo",
      unsupported: "Unsupported message",
    },
  };
  const query = new URLSearchParams(location.search);
  const requested = query.get("lang") || navigator.language || "es";
  const LANGUAGE = requested.toLowerCase().startsWith("en") ? "en" : "es";
  const t = (key) => TEXTS[LANGUAGE][key];

  const POLL_SECONDS = 25;
  const RETRY_MS = 2000;
  const $ = (id) => document.getElementById(id);
  const state = { person: null, seq: 0, shown: new Set() };

  // --- the stand-in's JSON API ------------------------------------------------------------------

  async function api(path, options = {}) {
    const response = await fetch(path, options);
    if (!response.ok) throw new Error(`${response.status} ${await response.text()}`);
    return response.json();
  }

  const chatPath = (suffix) => `/_standin/chats/${state.person.wa_id}/${suffix}`;

  function post(suffix, body) {
    const options = body instanceof FormData
      ? { method: "POST", body }
      : { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
    // The message itself comes back through the event stream, as the stand-in records it.
    return api(chatPath(suffix), options).catch((error) => showToast(t("failed") + error.message));
  }

  // --- starting ---------------------------------------------------------------------------------

  async function start() {
    translateChrome();
    const people = await whatsappPeople();
    const wanted = query.get("wa");
    const person = people.find((candidate) => candidate.wa_id === wanted) || people[0];
    if (!person) {
      showToast(t("nobody"));
      return;
    }
    state.person = person;
    const you = $("you");
    you.textContent = person.first_name;
    you.title = `+${person.wa_id}`;
    document.title = `${person.first_name} · Voces · WhatsApp`;
    if (LANGUAGE === "en") $("back").href = "/?lang=en";
    listen();
  }

  // A page opened while the playground starts waits for its people instead of breaking.
  async function whatsappPeople() {
    for (let attempt = 0; ; attempt++) {
      try {
        const data = await api("/playground/people");
        if (data.people.length) {
          if (attempt) hideToast();
          return data.whatsapp || [];
        }
      } catch (error) {
        // not answering yet
      }
      if (attempt === 0) showToast(t("starting"));
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

  async function listen() {
    for (;;) {
      let data;
      try {
        // The first call answers at once with the whole chat; then it waits for news.
        const wait = state.seq ? POLL_SECONDS : 0;
        data = await api(chatPath(`events?after=${state.seq}&timeout=${wait}`));
      } catch (error) {
        showToast(t("offline"));
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
        continue;
      }
      hideToast();
      if (data.seq < state.seq) {
        location.reload(); // the playground started afresh: its chats begin again
        return;
      }
      const nearBottom = isNearBottom();
      for (const message of data.messages) show(message);
      state.seq = Math.max(state.seq, data.seq);
      if (data.messages.length && (nearBottom || data.messages.some((m) => !m.from_business))) scrollToBottom();
    }
  }

  // --- showing messages ---------------------------------------------------------------------------

  // WhatsApp's own markup (*bold*, _italic_, ~strike~, ```mono```) and bare links, made safe.
  function markup(text) {
    const escaped = text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
    return escaped
      .replace(/```([\s\S]+?)```/g, "<code>$1</code>")
      .replace(/(^|[\s(])\*(\S(?:[^*\n]*\S)?)\*(?=$|[\s).,:;!?])/gm, "$1<strong>$2</strong>")
      .replace(/(^|[\s(])_(\S(?:[^_\n]*\S)?)_(?=$|[\s).,:;!?])/gm, "$1<em>$2</em>")
      .replace(/(^|[\s(])~(\S(?:[^~\n]*\S)?)~(?=$|[\s).,:;!?])/gm, "$1<s>$2</s>")
      .replace(/\bhttps?:\/\/[^\s<]+[^\s<.,:;!?)]/g, (url) => `<a href="${url}" target="_blank" rel="noopener">${url}</a>`);
  }

  function element(tag, className, text) {
    const made = document.createElement(tag);
    if (className) made.className = className;
    if (text !== undefined) made.textContent = text;
    return made;
  }

  function clock(seconds) {
    const at = seconds ? new Date(seconds * 1000) : new Date();
    return at.toLocaleTimeString(LANGUAGE === "en" ? "en-US" : "es-PE", { hour: "2-digit", minute: "2-digit" });
  }

  function textBlock(text) {
    const block = element("div", "wa-text");
    block.innerHTML = markup(text);
    return block;
  }

  function show(message) {
    const key = `${message.from_business ? "b" : "p"}:${message.id}`;
    if (state.shown.has(key)) return;
    state.shown.add(key);
    const row = element("div", `wa-row ${message.from_business ? "bot" : "me"}`);
    row.dataset.seq = message.seq;
    row.dataset.kind = message.kind;
    const bubble = element("div", "wa-bubble");
    row.append(bubble);
    if (message.from_business) fillBusiness(row, bubble, message);
    else fillOwn(bubble, message);
    const meta = element("span", "wa-meta", clock(message.at));
    if (!message.from_business) meta.append(element("span", "wa-ticks", " ✓✓"));
    bubble.append(meta);
    $("messages").append(row);
  }

  function fillBusiness(row, bubble, message) {
    if (message.header) bubble.append(element("div", "wa-header-text", message.header));
    if (message.kind === "image" && message.media_url) {
      const image = element("img", "wa-image");
      image.src = message.media_url;
      image.alt = message.text || t("photo");
      bubble.append(image);
    } else if (message.kind === "document") {
      bubble.append(documentCard(message.file_name || t("document"), message.media_url));
    } else if (!["text", "button", "list", "cta_url", "template"].includes(message.kind) && message.media_url) {
      bubble.append(documentCard(message.file_name || message.kind, message.media_url));
    }
    if (message.text) bubble.append(textBlock(message.text));
    if (message.footer) bubble.append(element("div", "wa-footer", message.footer));
    if (message.kind === "list") {
      const opener = element("button", "wa-action wa-list-button");
      opener.type = "button";
      opener.append(element("span", "wa-action-icon", "☰"), element("span", "", message.list_button));
      opener.addEventListener("click", () => openList(message));
      row.append(actions(opener));
    } else if (message.kind === "cta_url" && message.url) {
      const link = element("a", "wa-action wa-link");
      link.href = message.url;
      link.target = "_blank";
      link.rel = "noopener";
      link.append(element("span", "wa-action-icon", "↗"), element("span", "", message.url_label || message.url));
      row.append(actions(link));
    } else if (message.choices.length) {
      // Reply buttons (and a template's quick replies), each a block under the message.
      row.append(actions(...message.choices.map((choice) => {
        const button = element("button", "wa-action wa-reply", choice.title);
        button.type = "button";
        button.addEventListener("click", () => post("press", { id: choice.id }));
        return button;
      })));
    }
  }

  function actions(...items) {
    const box = element("div", "wa-actions");
    box.append(...items);
    return box;
  }

  function documentCard(name, url) {
    const card = element(url ? "a" : "div", "wa-document");
    if (url) {
      card.href = url;
      card.download = name;
    }
    card.append(element("span", "wa-document-icon", "📄"), element("span", "wa-document-name", name));
    return card;
  }

  function fillOwn(bubble, message) {
    const content = message[message.kind] || {};
    if (message.kind === "text") {
      bubble.append(textBlock(content.body || ""));
    } else if (message.kind === "interactive") {
      const chosen = content.button_reply || content.list_reply || {};
      bubble.append(textBlock(chosen.title || ""));
    } else if (message.kind === "button") {
      bubble.append(textBlock(content.text || ""));
    } else if (message.kind === "image") {
      const image = element("img", "wa-image");
      image.src = content.media_url;
      image.alt = content.caption || t("photo");
      bubble.append(image);
      if (content.caption) bubble.append(textBlock(content.caption));
    } else if (message.kind === "document") {
      bubble.append(documentCard(content.filename || t("document"), content.media_url));
      if (content.caption) bubble.append(textBlock(content.caption));
    } else if (message.kind === "location") {
      bubble.append(textBlock(`📍 ${t("location")}: ${content.latitude}, ${content.longitude}`));
    } else {
      bubble.append(textBlock(t("unsupported")));
    }
  }

  // --- a list, opened from its button as a bottom sheet -------------------------------------------

  function openList(message) {
    $("sheet-title").textContent = message.list_button;
    const body = $("sheet-body");
    body.replaceChildren();
    let section = null;
    for (const choice of message.choices) {
      if (choice.section && choice.section !== section) {
        section = choice.section;
        body.append(element("div", "wa-sheet-section", section));
      }
      const row = element("button", "wa-sheet-row");
      row.type = "button";
      const words = element("span", "wa-sheet-words");
      words.append(element("span", "wa-sheet-title", choice.title));
      if (choice.description) words.append(element("span", "wa-sheet-description", choice.description));
      row.append(words, element("span", "wa-radio"));
      row.addEventListener("click", () => {
        closeList();
        post("press", { id: choice.id });
      });
      body.append(row);
    }
    $("sheet").hidden = false;
  }

  function closeList() {
    $("sheet").hidden = true;
  }

  // --- writing and sending files ----------------------------------------------------------------

  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = $("text");
    const text = input.value;
    if (!text.trim() || !state.person) return;
    input.value = "";
    post("write", { text });
  });
  $("attach-button").addEventListener("click", () => $("file-input").click());
  $("file-input").addEventListener("change", () => {
    const file = $("file-input").files[0];
    $("file-input").value = "";
    if (!file || !state.person) return;
    const form = new FormData();
    form.append("file", file, file.name);
    const caption = $("text").value.trim();
    if (caption) form.append("caption", caption);
    $("text").value = "";
    post("upload", form);
  });
  $("sheet-close").addEventListener("click", closeList);
  $("sheet").addEventListener("click", (event) => {
    if (event.target === $("sheet")) closeList();
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") closeList();
  });

  // --- small things -------------------------------------------------------------------------------

  function isNearBottom() {
    const box = $("messages");
    return box.scrollHeight - box.scrollTop - box.clientHeight < 80;
  }

  function scrollToBottom() {
    const box = $("messages");
    box.scrollTop = box.scrollHeight;
  }

  function showToast(text) {
    $("toast").textContent = text;
    $("toast").hidden = false;
  }

  function hideToast() {
    $("toast").hidden = true;
  }

  start().catch((error) => showToast(String(error)));
})();
