// The g4f chat page: talks only to the server that served it (same origin, /v1/...).
// Model output is rendered as Markdown through DOMPurify, so it can never run script.

const $ = (id) => document.getElementById(id);
const STORE = "g4f.conversations";
const CURRENT = "g4f.current";
const KEY = "g4f.apiKey";

const state = {
  models: [],          // [{id, type, providers, vision}]
  conversations: [],   // [{id, title, model, provider, messages, updated}]
  current: null,       // the open conversation
  controller: null,    // AbortController of the running request
  attachment: null,    // {name, url} of an image to send with the next message
};

// ---- storage -------------------------------------------------------------------------

function load() {
  try {
    state.conversations = JSON.parse(localStorage.getItem(STORE) || "[]");
  } catch {
    state.conversations = [];
  }
  const id = localStorage.getItem(CURRENT);
  state.current = state.conversations.find((c) => c.id === id) || null;
}

function save() {
  localStorage.setItem(STORE, JSON.stringify(state.conversations));
  if (state.current) localStorage.setItem(CURRENT, state.current.id);
}

function newConversation() {
  const conversation = {
    id: crypto.randomUUID(),
    title: "New chat",
    model: $("model").value,
    provider: $("provider").value,
    messages: [],
    updated: Date.now(),
  };
  state.conversations.unshift(conversation);
  state.current = conversation;
  save();
  return conversation;
}

// ---- server --------------------------------------------------------------------------

function headers(json = true) {
  const result = json ? { "Content-Type": "application/json" } : {};
  const key = localStorage.getItem(KEY);
  if (key) result.Authorization = `Bearer ${key}`;
  return result;
}

class ServerError extends Error {
  constructor(status, payload) {
    const error = (payload && payload.error) || {};
    super(error.message || `The server answered ${status}`);
    this.status = status;
    this.code = error.code || null;
  }
}

async function request(path, body, signal) {
  const response = await fetch(path, {
    method: body === undefined ? "GET" : "POST",
    headers: headers(body !== undefined),
    body: body === undefined ? undefined : JSON.stringify(body),
    signal,
  });
  if (response.status === 401) {
    askKey("The server needs its API key (the one given to g4f api).");
  }
  if (!response.ok) {
    let payload = null;
    try {
      payload = await response.json();
    } catch {
      payload = null;
    }
    throw new ServerError(response.status, payload);
  }
  return response;
}

// Server-sent events of a fetch body: yields each `data:` payload.
async function* events(response) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let cut;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const data = block
        .split("\n")
        .filter((line) => line.startsWith("data:"))
        .map((line) => line.slice(5).trimStart())
        .join("\n");
      if (data) yield data;
    }
  }
}

// ---- models --------------------------------------------------------------------------

async function loadModels() {
  try {
    const response = await request("/v1/models");
    const payload = await response.json();
    state.models = payload.data.map((m) => ({
      id: m.id,
      type: m.type || "chat",
      vision: Boolean(m.vision),
      providers: m.providers || [],
    }));
    hideError();
  } catch (error) {
    showError(`Could not load the models: ${error.message}`);
    return;
  }
  const select = $("model");
  select.replaceChildren();
  for (const type of ["chat", "image", "video"]) {
    const group = document.createElement("optgroup");
    group.label = type === "chat" ? "Chat" : type === "image" ? "Image" : "Video";
    for (const model of state.models.filter((m) => m.type === type)) {
      const option = new Option(model.id, model.id);
      option.dataset.type = type;
      group.append(option);
    }
    if (group.children.length) select.append(group);
  }
  const wanted = state.current && state.current.model;
  if (wanted && state.models.some((m) => m.id === wanted)) select.value = wanted;
  fillProviders();
}

function currentModel() {
  return state.models.find((m) => m.id === $("model").value) || { type: "chat", providers: [] };
}

function fillProviders() {
  const select = $("provider");
  const keep = state.current ? state.current.provider : select.value;
  select.replaceChildren(new Option("Any provider", ""));
  for (const name of currentModel().providers) select.append(new Option(name, name));
  select.value = [...select.options].some((o) => o.value === keep) ? keep : "";
}

// ---- rendering -----------------------------------------------------------------------

// Model text may not load anything: no images, media or frames from its Markdown (a
// remote image URL in an answer could carry the conversation to another host).
const PURIFY = {
  FORBID_TAGS: ["img", "video", "audio", "source", "iframe", "object", "embed", "form", "input", "style", "link", "svg", "math"],
  FORBID_ATTR: ["style", "srcset"],
};

function markdown(text) {
  if (!window.marked || !window.DOMPurify) return escapeHtml(text || "");
  return window.DOMPurify.sanitize(window.marked.parse(text || ""), PURIFY);
}

function escapeHtml(text) {
  const div = document.createElement("div");
  div.textContent = text;
  return div.innerHTML;
}

function highlight(root) {
  if (!window.hljs) return;
  for (const block of root.querySelectorAll("pre code")) window.hljs.highlightElement(block);
}

function renderMessage(message, index) {
  const article = document.createElement("article");
  article.className = `message ${message.role}`;
  article.dataset.index = String(index);
  const meta = document.createElement("div");
  meta.className = "meta";
  meta.textContent =
    message.role === "user" ? "You" : `${message.model || "assistant"}${message.provider ? ` via ${message.provider}` : ""}`;
  article.append(meta);
  if (message.reasoning) {
    const details = document.createElement("details");
    details.className = "reasoning";
    const summary = document.createElement("summary");
    summary.textContent = "Reasoning";
    const body = document.createElement("div");
    body.innerHTML = markdown(message.reasoning);
    details.append(summary, body);
    article.append(details);
  }
  const body = document.createElement("div");
  body.className = "content";
  body.innerHTML = markdown(message.content);
  article.append(body);
  for (const url of message.images || []) {
    const img = document.createElement("img");
    img.src = url;
    img.alt = message.role === "user" ? "attached image" : `generated image: ${message.prompt || ""}`;
    article.append(img);
  }
  for (const url of message.videos || []) {
    const video = document.createElement("video");
    video.src = url;
    video.controls = true;
    video.setAttribute("aria-label", `generated video: ${message.prompt || ""}`);
    article.append(video);
  }
  if (message.error) {
    const error = document.createElement("p");
    error.className = "error";
    error.setAttribute("role", "status");
    error.textContent = message.error;
    article.append(error);
  }
  if (message.stopped) {
    const note = document.createElement("p");
    note.className = "meta";
    note.textContent = "(stopped)";
    article.append(note);
  }
  highlight(article);
  return article;
}

function renderMessages() {
  const log = $("messages");
  const messages = state.current ? state.current.messages : [];
  log.replaceChildren(...messages.map(renderMessage));
  log.scrollTop = log.scrollHeight;
}

let pending = 0;
function rerenderLast() {
  // One render per animation frame however fast tokens arrive.
  if (pending) return;
  pending = requestAnimationFrame(() => {
    pending = 0;
    const log = $("messages");
    const messages = state.current.messages;
    const index = messages.length - 1;
    const old = log.querySelector(`article[data-index="${index}"]`);
    const fresh = renderMessage(messages[index], index);
    if (old) old.replaceWith(fresh);
    else log.append(fresh);
    log.scrollTop = log.scrollHeight;
  });
}

function renderConversations() {
  const list = $("conversations");
  list.replaceChildren(
    ...state.conversations.map((conversation) => {
      const item = document.createElement("li");
      const open = document.createElement("button");
      open.type = "button";
      open.className = "open";
      open.textContent = conversation.title;
      open.setAttribute("aria-current", String(conversation === state.current));
      open.addEventListener("click", () => openConversation(conversation.id));
      const remove = document.createElement("button");
      remove.type = "button";
      remove.textContent = "×";
      remove.setAttribute("aria-label", `Delete conversation: ${conversation.title}`);
      remove.addEventListener("click", () => deleteConversation(conversation.id));
      item.append(open, remove);
      return item;
    }),
  );
}

function openConversation(id) {
  state.current = state.conversations.find((c) => c.id === id) || null;
  if (state.current) {
    if (state.models.some((m) => m.id === state.current.model)) $("model").value = state.current.model;
    fillProviders();
  }
  save();
  renderConversations();
  renderMessages();
  updateButtons();
}

function deleteConversation(id) {
  state.conversations = state.conversations.filter((c) => c.id !== id);
  if (state.current && state.current.id === id) state.current = null;
  save();
  renderConversations();
  renderMessages();
  updateButtons();
}

function showError(text) {
  const box = $("error");
  box.textContent = text;
  box.hidden = false;
}

function hideError() {
  $("error").hidden = true;
}

function updateButtons() {
  const busy = state.controller !== null;
  $("send").disabled = busy;
  $("stop").disabled = !busy;
  const messages = state.current ? state.current.messages : [];
  $("regenerate").disabled = busy || !messages.some((m) => m.role === "user");
}

// ---- sending -------------------------------------------------------------------------

function apiMessages(messages) {
  // What the server gets: text and attached images of the conversation so far.
  return messages
    .filter((m) => m.role === "user" || (m.role === "assistant" && m.content))
    .map((m) => {
      if (m.role === "user" && m.images && m.images.length) {
        return {
          role: "user",
          content: [
            { type: "text", text: m.content },
            ...m.images.map((url) => ({ type: "image_url", image_url: { url } })),
          ],
        };
      }
      return { role: m.role, content: m.content };
    });
}

async function send(text) {
  const conversation = state.current || newConversation();
  const model = currentModel();
  conversation.model = model.id;
  conversation.provider = $("provider").value;
  if (conversation.title === "New chat") conversation.title = text.slice(0, 60) || "New chat";
  const user = { role: "user", content: text, images: [] };
  if (state.attachment) user.images.push(state.attachment.url);
  clearAttachment();
  conversation.messages.push(user);
  await answer(conversation, model);
}

async function answer(conversation, model) {
  const reply = {
    role: "assistant",
    content: "",
    reasoning: "",
    model: model.id,
    provider: conversation.provider || "",
    images: [],
    videos: [],
    prompt: conversation.messages.at(-1).content,
  };
  conversation.messages.push(reply);
  conversation.updated = Date.now();
  state.controller = new AbortController();
  updateButtons();
  renderConversations();
  renderMessages();
  hideError();
  const signal = state.controller.signal;
  try {
    if (model.type === "chat") await streamChat(conversation, model, reply, signal);
    else await generateMedia(conversation, model, reply, signal);
  } catch (error) {
    if (error.name === "AbortError") reply.stopped = true;
    else reply.error = error.message;
  } finally {
    state.controller = null;
    save();
    rerenderLast();
    updateButtons();
  }
}

async function streamChat(conversation, model, reply, signal) {
  const body = {
    model: model.id,
    messages: apiMessages(conversation.messages.slice(0, -1)),
    stream: true,
  };
  if (conversation.provider) body.provider = conversation.provider;
  const response = await request("/v1/chat/completions", body, signal);
  for await (const data of events(response)) {
    if (data === "[DONE]") break;
    const chunk = JSON.parse(data);
    if (chunk.error) throw new ServerError(500, chunk);
    if (chunk.provider) reply.provider = chunk.provider;
    if (chunk.model) reply.model = chunk.model;
    const delta = (chunk.choices && chunk.choices[0] && chunk.choices[0].delta) || {};
    if (delta.reasoning) reply.reasoning += delta.reasoning;
    if (delta.content) reply.content += delta.content;
    rerenderLast();
  }
}

async function generateMedia(conversation, model, reply, signal) {
  const path = model.type === "video" ? "/v1/media/generations" : "/v1/images/generations";
  const body = { model: model.id, prompt: reply.prompt, response_format: "url" };
  if (conversation.provider) body.provider = conversation.provider;
  const response = await request(path, body, signal);
  const payload = await response.json();
  if (payload.provider) reply.provider = payload.provider;
  const urls = payload.data.map((item) => item.url || `data:image/png;base64,${item.b64_json}`);
  if (model.type === "video") reply.videos = urls;
  else reply.images = urls;
}

function regenerate() {
  const conversation = state.current;
  if (!conversation || state.controller) return;
  while (conversation.messages.length && conversation.messages.at(-1).role === "assistant") {
    conversation.messages.pop();
  }
  if (!conversation.messages.length) return;
  answer(conversation, currentModel());
}

// ---- attachments, export, key --------------------------------------------------------

function clearAttachment() {
  state.attachment = null;
  $("image").value = "";
  $("attachment").textContent = "";
}

function attach(file) {
  if (!file) return;
  const reader = new FileReader();
  reader.onload = () => {
    state.attachment = { name: file.name, url: String(reader.result) };
    $("attachment").textContent = `Attached: ${file.name}`;
  };
  reader.readAsDataURL(file);
}

function download(name, type, text) {
  const link = document.createElement("a");
  link.href = URL.createObjectURL(new Blob([text], { type }));
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
}

function exportMarkdown(conversation) {
  const lines = [`# ${conversation.title}`, ""];
  for (const m of conversation.messages) {
    lines.push(`## ${m.role === "user" ? "You" : m.model || "Assistant"}`, "");
    if (m.reasoning) lines.push("<details><summary>Reasoning</summary>", "", m.reasoning, "", "</details>", "");
    if (m.content) lines.push(m.content, "");
    for (const url of [...(m.images || []), ...(m.videos || [])]) lines.push(`![media](${url})`, "");
    if (m.error) lines.push(`> Error: ${m.error}`, "");
  }
  return lines.join("\n");
}

function askKey(reason) {
  const dialog = $("key-dialog");
  if (dialog.open) return;
  $("key-reason").textContent = reason;
  $("key-input").value = "";
  dialog.showModal();
}

// ---- wiring --------------------------------------------------------------------------

function init() {
  load();
  renderConversations();
  renderMessages();
  updateButtons();
  loadModels();
  $("model").addEventListener("change", () => {
    if (state.current) state.current.model = $("model").value;
    fillProviders();
  });
  $("provider").addEventListener("change", () => {
    if (state.current) state.current.provider = $("provider").value;
  });
  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = $("prompt").value.trim();
    if (!text || state.controller) return;
    $("prompt").value = "";
    send(text);
  });
  $("prompt").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      $("composer").requestSubmit();
    }
  });
  $("stop").addEventListener("click", () => state.controller && state.controller.abort());
  $("regenerate").addEventListener("click", regenerate);
  $("new-chat").addEventListener("click", () => {
    newConversation();
    renderConversations();
    renderMessages();
    updateButtons();
    $("prompt").focus();
  });
  $("image").addEventListener("change", (event) => attach(event.target.files[0]));
  $("export-json").addEventListener("click", () => {
    if (state.current) download(`${state.current.title}.json`, "application/json", JSON.stringify(state.current, null, 2));
  });
  $("export-md").addEventListener("click", () => {
    if (state.current) download(`${state.current.title}.md`, "text/markdown", exportMarkdown(state.current));
  });
  $("key-button").addEventListener("click", () => askKey("The key the server was started with."));
  $("key-dialog").addEventListener("close", () => {
    if ($("key-dialog").returnValue === "save") {
      const key = $("key-input").value.trim();
      if (key) localStorage.setItem(KEY, key);
      else localStorage.removeItem(KEY);
      loadModels();
    }
  });
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
else init();
