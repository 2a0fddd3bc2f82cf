// Seedgate console: one page, hash routes, the gateway's own API. Every value from the server reaches the page as text
// (textContent, attribute values), never as markup, so a prompt of <script> stays a prompt.
"use strict";

const Tasks = "/api/v3/contents/generations/tasks";
const Statuses = ["queued", "running", "succeeded", "failed", "cancelled", "expired"];
const Unfinished = new Set(["queued", "running"]);

// account: the account the operator (admin key) looks at, kept for the tab's life.
const state = { session: null, catalog: null, account: sessionStorage.getItem("seedgate.account"), timers: [], route: 0 };
const isAdmin = () => !!state.session && state.session.role === "admin";

// ---- DOM ----------------------------------------------------------------------------------------------------------

/** An element: attributes (on* as listeners, `text` as its text), then children (strings become text nodes). */
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on")) el.addEventListener(name.slice(2), value);
    else if (name === "text") el.textContent = String(value);
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Replaces an element's children (null and false children are left out, as in h). */
function fill(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

const $ = (selector, root = document) => root.querySelector(selector);
const announce = text => { $("#announce").textContent = text; };

function show(...children) {
  fill($("#view"), ...children);
}

/** A table's header row; an empty title is the actions column, named for screen readers. */
const headRow = (titles, numeric = []) => h("thead", {}, h("tr", {}, titles.map((t, i) =>
  h("th", { scope: "col", class: numeric.includes(i) ? "num" : null }, t || h("span", { class: "visually-hidden", text: "Actions" })))));

// ---- formatting ---------------------------------------------------------------------------------------------------

const usd = micros => micros === null || micros === undefined ? "—"
  : (micros < 0 ? "−$" : "$") + (Math.abs(micros) / 1e6).toFixed(micros % 10000 === 0 ? 2 : 4);
const when = iso => iso ? new Date(iso).toLocaleString() : "—";
const seconds = (from, to) => from && to ? ((new Date(to) - new Date(from)) / 1000).toFixed(1) + " s" : "—";

function statusBadge(job) {
  let text = job.status;
  if (job.status === "queued" && job.retry_at) text += " (retry at " + new Date(job.retry_at).toLocaleTimeString() + ")";
  else if (job.status === "queued" && job.queue_place) text += ` #${job.queue_place.position}, start ≈ ${new Date(job.queue_place.estimated_start).toLocaleTimeString()}`;
  const badge = h("span", { class: "status " + job.status, text });
  if (job.long_take && Unfinished.has(job.status)) {
    const done = job.long_take.segments.filter(s => s.status === "succeeded").length;
    return h("span", {}, badge, " ", h("progress", { max: 100, value: job.long_take.progress, "aria-label": "long take progress" }),
      h("span", { class: "muted", text: ` segment ${Math.min(done + 1, job.long_take.segments.length)} of ${job.long_take.segments.length}` }));
  }
  if (job.status === "running") {
    return h("span", {}, badge, " ", h("progress", { "aria-label": "rendering" }));
  }
  return badge;
}

// ---- API ----------------------------------------------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, error) {
    super(error && error.message ? error.message : "HTTP " + status);
    this.status = status;
    this.code = error && error.code;
    this.param = error && error.param;
  }
}

/** Calls the gateway as the signed-in user: the session cookie goes along, with its anti-forgery token. */
async function api(path, { method = "GET", body } = {}) {
  const headers = { "Accept": "application/json" };
  if (state.session) headers["X-Seedgate-Csrf"] = state.session.csrf;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (isAdmin()) headers["X-Seedgate-Account"] = state.account || "default"; // the admin key reads as this account
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: "same-origin" });
  const text = await response.text();
  const json = text ? JSON.parse(text) : null;
  if (!response.ok) {
    if (response.status === 401 && path !== "/console/session") {
      state.session = null;
      location.hash = "#/signin";
    }
    throw new ApiError(response.status, json && json.error);
  }
  return json;
}

function later(fn, ms) {
  const route = state.route;
  state.timers.push(setTimeout(() => { if (route === state.route) fn(); }, ms));
}

// ---- routing ------------------------------------------------------------------------------------------------------

const pages = {
  signin: signInPage, jobs: jobsPage, job: jobPage, new: newPage, usage: usagePage, keys: keysPage, webhooks: webhooksPage,
  operator: operatorPage,
};

async function route() {
  state.route++;
  state.timers.forEach(clearTimeout);
  state.timers = [];
  const [path, query] = location.hash.replace(/^#\/?/, "").split("?");
  const [name, id] = path.split("/");
  const params = new URLSearchParams(query || "");
  if (!state.session && name !== "signin") {
    try { state.session = await api("/console/session"); } catch { /* not signed in */ }
    if (!state.session) { location.hash = "#/signin"; return; }
  }
  const page = name === "jobs" && id ? "job" : (pages[name] ? name : (isAdmin() ? "operator" : "jobs"));
  renderChrome(page);
  try {
    await pages[page](id, params);
  } catch (error) {
    show(h("h1", { text: "Something went wrong" }), h("p", { class: "error-box", role: "alert", text: error.message }));
  }
  $("#view").focus({ preventScroll: true });
}

function renderChrome(page) {
  const nav = $("#nav");
  const who = $("#who");
  nav.replaceChildren();
  who.replaceChildren();
  if (!state.session || page === "signin") { nav.hidden = true; return; }
  const admin = isAdmin();
  const links = admin
    ? [["operator", "Operator"], ["jobs", "Jobs"], ["usage", "Usage"], ["keys", "Keys"], ["webhooks", "Webhooks"]]
    : [["jobs", "Jobs"], ["new", "New video"], ["usage", "Usage"], ["keys", "Keys"], ["webhooks", "Webhooks"]];
  for (const [name, label] of links) {
    nav.append(h("a", { href: "#/" + name, "aria-current": (page === name || (page === "job" && name === "jobs")) ? "page" : null, text: label }));
  }
  nav.hidden = false;
  who.append(h("span", { text: admin ? "operator" + (state.account ? " · viewing " + state.account : "") : "account " + state.session.account_id }),
    h("button", { type: "button", onclick: signOut, text: "Sign out" }));
}

async function signOut() {
  try { await api("/console/session", { method: "DELETE" }); } finally {
    state.session = null;
    location.hash = "#/signin";
  }
}

async function catalog() {
  state.catalog ??= await api("/console/api/catalog");
  return state.catalog;
}

// ---- sign in ------------------------------------------------------------------------------------------------------

async function signInPage() {
  const error = h("p", { class: "field-error", id: "key-error", role: "alert" });
  const input = h("input", { id: "key", name: "key", type: "password", autocomplete: "off", required: true, "aria-describedby": "key-error key-hint", size: 48 });
  const form = h("form", { class: "signin", onsubmit: async event => {
    event.preventDefault();
    error.textContent = "";
    try {
      state.session = await api("/console/session", { method: "POST", body: { key: input.value } });
      input.value = "";
      location.hash = isAdmin() ? "#/operator" : "#/jobs";
    } catch (e) {
      error.textContent = e.message;
      input.setAttribute("aria-invalid", "true");
      input.focus();
    }
  } },
  h("h1", { text: "Sign in to Seedgate" }),
  h("div", { class: "field" }, h("label", { for: "key", text: "API key" }), input,
    h("p", { class: "hint", id: "key-hint", text: "An account's API key, or the admin key for the operator's view. It is kept in a secure cookie for 12 hours, never in the address bar." }),
    error),
  h("button", { class: "primary", type: "submit", text: "Sign in" }));
  show(form);
  input.focus();
}

// ---- jobs ---------------------------------------------------------------------------------------------------------

async function jobsPage(_, params) {
  const models = (await catalog()).models;
  const page = Number(params.get("page") || 1);
  const filter = name => params.get(name) || "";
  const select = (id, label, options) => h("div", { class: "field" }, h("label", { for: id, text: label }),
    h("select", { id, name: id }, h("option", { value: "", text: "any" }), options.map(o => h("option", { value: o, selected: filter(id) === o, text: o }))));
  const input = (id, label, type) => h("div", { class: "field" }, h("label", { for: id, text: label }), h("input", { id, name: id, type, value: filter(id) }));
  const form = h("form", { class: "filters", role: "search", onsubmit: event => {
    event.preventDefault();
    const next = new URLSearchParams();
    for (const [key, value] of new FormData(form)) if (value) next.set(key, value);
    location.hash = "#/jobs?" + next;
  } },
  select("status", "Status", Statuses), select("model", "Model", models.map(m => m.id)), input("q", "Prompt contains", "search"),
  input("from", "Created from", "date"), input("to", "Created before", "date"),
  h("button", { type: "submit", text: "Filter" }));

  const body = h("tbody");
  const summary = h("p", { class: "muted", role: "status" });
  const pager = h("div", { class: "pager" });
  const admin = isAdmin();
  show(h("h1", { text: admin ? `Jobs of ${state.account || "default"}` : "Jobs" }), form,
    h("div", { class: "table-wrap" }, h("table", {}, h("caption", { class: "visually-hidden", text: "Jobs, newest first" }),
      headRow(["Task", "Prompt", "Model", "Status", "Created", "Length", "Cost", ""]),
      body)),
    summary, pager);

  const query = new URLSearchParams({ page, page_size: 20 });
  for (const key of ["status", "model", "q"]) if (filter(key)) query.set(key, filter(key));
  if (filter("from")) query.set("from", filter("from"));
  if (filter("to")) query.set("to", filter("to"));

  const refresh = async () => {
    const list = await api("/console/api/jobs?" + query);
    fill(body, ...list.items.map(job => jobRow(job, refresh)));
    if (list.items.length === 0) body.append(h("tr", {}, h("td", { colspan: 8, class: "muted", text: "No jobs match." })));
    const pages = Math.max(1, Math.ceil(list.total / list.page_size));
    summary.textContent = `${list.total} job${list.total === 1 ? "" : "s"} · page ${list.page} of ${pages}`;
    const to = n => { const p = new URLSearchParams(params); p.set("page", n); return "#/jobs?" + p; };
    fill(pager,
      page > 1 ? h("a", { class: "button", href: to(page - 1), text: "← Newer" }) : null,
      page < pages ? h("a", { class: "button", href: to(page + 1), text: "Older →" }) : null);
    // Live: while a listed job is under way, read the page again (the list is one indexed query).
    if (list.items.some(j => Unfinished.has(j.status))) later(refresh, 1500);
  };
  await refresh();
}

function jobRow(job, refresh) {
  const admin = isAdmin();
  const act = async (label, verb) => {
    if (!confirm(`${label} ${job.id}?`)) return;
    try { await api(`${Tasks}/${encodeURIComponent(job.id)}`, { method: "DELETE" }); announce(`${job.id} ${verb}.`); await refresh(); }
    catch (e) { alert(e.message); }
  };
  const action = admin ? null
    : job.status === "queued" ? h("button", { type: "button", class: "danger", onclick: () => act("Cancel", "cancelled"), text: "Cancel", "aria-label": "Cancel " + job.id })
    : Unfinished.has(job.status) || job.status === "cancelled" ? null
    : h("button", { type: "button", class: "danger", onclick: () => act("Delete", "deleted"), text: "Delete", "aria-label": "Delete " + job.id });
  return h("tr", { "data-job": job.id },
    h("td", {}, h("a", { href: "#/jobs/" + encodeURIComponent(job.id), text: job.id })),
    h("td", { class: "prompt", text: job.prompt || "—" }),
    h("td", { text: job.model }),
    h("td", {}, statusBadge(job)),
    h("td", { text: when(job.created_at) }),
    h("td", { text: [job.duration ? job.duration + " s" : "", job.resolution || "", job.ratio || ""].filter(Boolean).join(" · ") }),
    h("td", { class: "num", text: job.cost_micros !== null ? usd(job.cost_micros) + (job.free_quota ? " (free)" : "") : usd(job.reserved_micros) + " held" }),
    h("td", {}, action));
}

// ---- one job ------------------------------------------------------------------------------------------------------

async function jobPage(id) {
  let detail;
  try {
    detail = await api("/console/api/jobs/" + encodeURIComponent(id));
  } catch (e) {
    if (e.status !== 404) throw e;
    show(h("h1", { text: "Task not found" }), h("p", { text: `There is no task ${id} in this account.` }), h("a", { href: "#/jobs", text: "Back to the jobs" }));
    return;
  }
  renderJob(detail);
  if (Unfinished.has(detail.job.status)) await followJob(id);
}

/** Until the job ends: long-polls the task (?wait=), then reads the detail again. */
async function followJob(id) {
  const route = state.route;
  while (route === state.route) {
    const live = await api(`${Tasks}/${encodeURIComponent(id)}?wait=20`);
    if (route !== state.route) return;
    const detail = await api("/console/api/jobs/" + encodeURIComponent(id));
    renderJob(detail, live);
    if (!Unfinished.has(detail.job.status)) { announce(`${id} ${detail.job.status}.`); return; }
  }
}

function renderJob(detail, live) {
  const job = detail.job;
  const facts = rows => h("dl", { class: "facts" }, rows.filter(r => r).flatMap(([k, v]) => [h("dt", { text: k }), h("dd", {}, v === null || v === undefined || v === "" ? "—" : v)]));
  const player = detail.outputs && detail.outputs.video_url
    ? h("video", { id: "player", controls: true, preload: "auto", src: detail.outputs.video_url, "aria-label": "The video" })
    : h("p", { class: "notice", text: Unfinished.has(job.status) ? "The video appears here when it is ready." : "This job has no video to show." });
  const lastFrame = detail.outputs && detail.outputs.last_frame_url
    ? h("figure", {}, h("img", { src: detail.outputs.last_frame_url, alt: "The video's last frame", width: 320 }), h("figcaption", { text: "Last frame" }))
    : null;
  const place = live && live.queue_position ? `#${live.queue_position} in the upstream queue` + (live.estimated_start_at ? ", start about " + new Date(live.estimated_start_at * 1000).toLocaleTimeString() : "") : null;
  const request = Object.entries(detail.request || {}).filter(([k]) => k !== "references" && k !== "prompt")
    .map(([k, v]) => [k, v === null ? "—" : typeof v === "object" ? JSON.stringify(v) : String(v)]);
  const admin = isAdmin();
  show(
    h("p", {}, h("a", { href: "#/jobs", text: "← Jobs" })),
    h("h1", {}, "Task ", h("span", { class: "secret", text: job.id }), " ", statusBadge(job)),
    place ? h("p", { class: "muted", text: place }) : null,
    job.error ? h("div", { class: "error-box", role: "alert" }, h("strong", { text: job.error.code }), ": ", job.error.message, job.error.param ? ` (${job.error.param})` : "") : null,
    h("div", { class: "cols" },
      h("section", { "aria-label": "Video" }, player, lastFrame,
        h("h2", { text: "Prompt" }), h("p", { class: "prompt", id: "prompt-text", text: job.prompt || "—" }),
        admin ? null : h("p", {}, h("a", { class: "button primary", href: "#/new?from=" + encodeURIComponent(job.id), text: "Make another like this" }))),
      h("section", { "aria-label": "Facts" },
        h("h2", { text: "Timings" }),
        facts([["Queued", when(job.created_at)], ["Started", when(job.started_at)], ["Finished", when(job.finished_at)],
          ["Waited", seconds(job.created_at, job.started_at)], ["Ran", seconds(job.started_at, job.finished_at)]]),
        h("h2", { text: "Cost" }),
        facts([["Reserved", usd(job.reserved_micros)], ["Final", job.cost_micros === null ? "not final yet" : usd(job.cost_micros) + (job.free_quota ? " (free quota)" : "")]]),
        h("h2", { text: "Run" }),
        facts([["Engine", detail.engine], ["Upstream task", detail.upstream_task_id], ["Attempts", String(detail.attempts)], ["Lost leases", String(detail.lapses)],
          ["Correlation id", detail.correlation_id], ["Trace id", detail.trace_id], ["Dialect", detail.dialect], ["Account", job.account_id],
          ["Files kept until", detail.files_expire_at ? new Date(detail.files_expire_at * 1000).toLocaleString() : null]]),
        job.long_take ? h("div", {}, h("h2", { text: "Long take" }),
          h("p", {}, h("progress", { max: 100, value: job.long_take.progress, "aria-label": "long take progress" }), ` ${job.long_take.progress}% of ${job.long_take.seconds} s`),
          h("ol", {}, job.long_take.segments.map(s => h("li", { text: `${s.seconds} s — ${s.status}` })))) : null)),
    h("h2", { text: "References" }),
    detail.references.length === 0 ? h("p", { class: "muted", text: "None." }) : h("div", { class: "thumbs" }, detail.references.map(referenceThumb)),
    h("h2", { text: "Request as sent" }),
    h("div", { class: "table-wrap" }, facts(request)));
}

function referenceThumb(ref) {
  const caption = h("figcaption", { text: `${ref.kind} · ${ref.role}` + (ref.uploaded ? " · uploaded" : "") });
  if (!ref.uploaded) {
    // Another site's file is not loaded into the page (the CSP allows this origin only): its address, as text.
    return h("figure", {}, h("a", { href: ref.url, rel: "noreferrer noopener", target: "_blank", text: ref.url }), caption);
  }
  const media = ref.kind === "image" ? h("img", { src: ref.url, alt: `${ref.role} reference` })
    : ref.kind === "video" ? h("video", { src: ref.url, muted: true, controls: true, preload: "metadata", "aria-label": `${ref.role} reference` })
    : h("audio", { src: ref.url, controls: true, "aria-label": `${ref.role} reference` });
  return h("figure", {}, media, caption);
}

// ---- new video ----------------------------------------------------------------------------------------------------

async function newPage(_, params) {
  const cat = await catalog();
  let from = null;
  if (params.get("from")) {
    try { from = await api("/console/api/jobs/" + encodeURIComponent(params.get("from"))); } catch { from = null; }
  }
  const start = from ? from.request : {};
  let model = cat.models.find(m => m.id === (from ? from.job.model : "")) || cat.models.find(m => m.id === "seedance-2.0-fast") || cat.models[0];
  const errors = new Map();
  const fieldError = name => { const p = h("p", { class: "field-error", id: name + "-error", role: "alert" }); errors.set(name, p); return p; };
  const field = (name, label, control, hint) => h("div", { class: "field" }, h("label", { for: name, text: label }), control,
    hint ? h("p", { class: "hint", id: name + "-hint", text: hint }) : null, fieldError(name));
  const options = (values, selected) => values.map(v => h("option", { value: v, selected: String(v) === String(selected), text: v }));

  const prompt = h("textarea", { id: "prompt", name: "prompt", rows: 4, "aria-describedby": "prompt-error" });
  prompt.value = start.prompt || "";
  const negative = h("input", { id: "negative_prompt", name: "negative_prompt", value: start.negative_prompt || "", size: 40 });
  const modelSelect = h("select", { id: "model", name: "model" }, options(cat.models.map(m => m.id), model.id));
  const parameters = h("div", { class: "grid" });
  const references = h("div");
  const estimate = h("p", { class: "card", id: "estimate", role: "status" });
  const formError = h("div", { role: "alert" });
  let controls = {};

  const buildParameters = () => {
    model = cat.models.find(m => m.id === modelSelect.value);
    const rules = model.field_rules || {};
    const d = model.duration;
    const keep = name => controls[name] ? (controls[name].type === "checkbox" ? controls[name].checked : controls[name].value) : undefined;
    const pick = (name, fallback) => keep(name) ?? start[name] ?? fallback;
    controls = {
      resolution: h("select", { id: "resolution", name: "resolution" }, options(model.resolutions, model.resolutions.includes(pick("resolution")) ? pick("resolution") : model.default_resolution)),
      ratio: h("select", { id: "ratio", name: "ratio" }, options([...cat.ratios, "adaptive"], pick("ratio", "16:9"))),
      duration: h("input", { id: "duration", name: "duration", type: "number", min: d.allow_auto ? -1 : d.min, max: d.max, step: 1, value: pick("auto_duration") === true ? -1 : pick("duration", d.default) }),
      seed: h("input", { id: "seed", name: "seed", type: "number", min: -1, step: 1, value: pick("seed", -1) }),
      style: h("select", { id: "style", name: "style" }, h("option", { value: "", text: "none" }), options(cat.styles, pick("style", ""))),
      camera_motion: h("select", { id: "camera_motion", name: "camera_motion" }, h("option", { value: "", text: "none" }), options(cat.camera_motions, pick("camera_motion", ""))),
      priority: rules.priority === false ? null : h("input", { id: "priority", name: "priority", type: "number", min: 0, max: 9, value: pick("priority", 0) }),
      generate_audio: model.audio ? h("input", { id: "generate_audio", name: "generate_audio", type: "checkbox", checked: pick("generate_audio", true) !== false }) : null,
      camera_fixed: rules.camera_fixed ? h("input", { id: "camera_fixed", name: "camera_fixed", type: "checkbox", checked: !!pick("camera_fixed", false) }) : null,
      watermark: h("input", { id: "watermark", name: "watermark", type: "checkbox", checked: !!pick("watermark", false) }),
      return_last_frame: h("input", { id: "return_last_frame", name: "return_last_frame", type: "checkbox", checked: !!pick("return_last_frame", false) }),
      long_take: h("input", { id: "long_take", name: "long_take", type: "checkbox", checked: !!pick("long_take", false) }),
      callback_url: h("input", { id: "callback_url", name: "callback_url", type: "url", value: pick("callback_url", "") || "" }),
    };
    const check = (name, label) => controls[name] ? h("div", { class: "field" }, h("label", { class: "check" }, controls[name], label), fieldError(name)) : null;
    fill(parameters,
      field("resolution", "Resolution", controls.resolution),
      field("ratio", "Aspect ratio", controls.ratio),
      field("duration", "Duration (seconds)", controls.duration, `${d.min}–${d.max} s` + (d.allow_auto ? "; -1 lets the model choose" : "")),
      field("seed", "Seed", controls.seed, "-1 for a random seed"),
      field("style", "Style", controls.style),
      field("camera_motion", "Camera motion", controls.camera_motion),
      controls.priority ? field("priority", "Priority", controls.priority, "0–9, higher starts first") : null,
      field("callback_url", "Callback URL", controls.callback_url, "optional"),
      check("generate_audio", "Generate audio"), check("camera_fixed", "Camera fixed"), check("watermark", "Watermark"),
      check("return_last_frame", "Return the last frame"), check("long_take", "Long take (joined segments)"));
    for (const control of Object.values(controls)) if (control) control.addEventListener("input", updateEstimate);
    updateEstimate();
  };

  const updateEstimate = () => {
    const seconds = Number(controls.duration.value) === -1 ? model.duration.max : Number(controls.duration.value);
    const price = model.price_per_second_micros[controls.resolution.value];
    fill(estimate, h("span", { class: "muted", text: "Estimated cost " }), h("span", { class: "big", id: "estimate-amount", text: price && seconds > 0 ? usd(price * seconds) : "—" }),
      h("span", { class: "muted", text: price ? ` · ${usd(price)}/s × ${seconds} s at ${controls.resolution.value}` : "" }));
  };
  modelSelect.addEventListener("change", buildParameters);

  const referenceRows = [];
  const addReference = initial => {
    const index = referenceRows.length;
    const kind = h("select", { id: `ref-${index}-kind`, name: "kind" }, options(["image", "video", "audio"], initial ? initial.kind : "image"));
    const role = h("select", { id: `ref-${index}-role`, name: "role" }, options(cat.roles, initial ? initial.role : "reference_image"));
    const url = h("input", { id: `ref-${index}-url`, type: "url", size: 40, value: initial && !initial.uploaded ? initial.url : "", placeholder: "https://…" });
    const file = h("input", { id: `ref-${index}-file`, type: "file", accept: "image/*,video/*,audio/*" });
    const row = { kind, role, url, file, carried: initial && initial.uploaded ? initial.url : null, el: null };
    row.el = h("fieldset", { class: "reference-row" }, h("legend", { text: `Reference ${index + 1}` }),
      h("div", { class: "grid" },
        field(`ref-${index}-kind`, "Kind", kind), field(`ref-${index}-role`, "Role", role),
        field(`ref-${index}-url`, "URL", url, row.carried ? "the original's uploaded file is sent again unless you give another" : "or upload a file below"),
        field(`ref-${index}-file`, "Upload", file)),
      h("button", { type: "button", onclick: () => { row.removed = true; row.el.remove(); }, text: "Remove reference" }));
    referenceRows.push(row);
    references.append(row.el);
  };
  (from ? from.references : []).forEach(addReference);

  const form = h("form", { novalidate: true, onsubmit: async event => {
    event.preventDefault();
    for (const p of errors.values()) p.textContent = "";
    form.querySelectorAll("[aria-invalid]").forEach(el => el.removeAttribute("aria-invalid"));
    formError.replaceChildren();
    const submit = $("button[type=submit]", form);
    submit.disabled = true;
    try {
      const created = await api(Tasks, { method: "POST", body: await requestBody() });
      announce(`Created ${created.id}.`);
      location.hash = "#/jobs/" + encodeURIComponent(created.id);
    } catch (e) {
      showFieldError(e, errors, formError);
    } finally {
      submit.disabled = false;
    }
  } },
  h("h1", { text: from ? "New video like " + from.job.id : "New video" }),
  field("model", "Model", modelSelect),
  field("prompt", "Prompt", prompt, "What happens in the video"),
  field("negative_prompt", "Negative prompt", negative, "optional: what to avoid"),
  h("h2", { text: "Parameters" }), parameters,
  h("h2", { text: "References" }), references,
  h("button", { type: "button", onclick: () => addReference(null), text: "Add a reference" }),
  h("h2", { text: "Cost" }), estimate, formError,
  h("p", {}, h("button", { class: "primary", type: "submit", text: "Make the video" })));

  /** The Ark create body, and which content index each form row became (so errors on content[i] find their field). */
  async function requestBody() {
    const content = [];
    if (prompt.value.trim()) content.push({ type: "text", text: prompt.value });
    for (const [i, row] of referenceRows.entries()) {
      if (row.removed) continue;
      let url = row.url.value.trim();
      if (row.file.files.length) url = await dataUrl(row.file.files[0]);
      else if (!url && row.carried) url = await dataUrl(await (await fetch(row.carried)).blob());
      if (!url) continue;
      const kind = row.kind.value;
      content.push({ type: kind + "_url", [kind + "_url"]: { url }, role: row.role.value, _row: i });
    }
    errors.contentRows = content.map(c => c._row);
    content.forEach(c => delete c._row);
    const request = { model: modelSelect.value, content };
    const value = name => controls[name] && controls[name].value;
    request.resolution = value("resolution");
    request.ratio = value("ratio");
    if (value("duration") !== "") request.duration = Number(value("duration"));
    if (value("seed") !== "") request.seed = Number(value("seed"));
    if (value("style")) request.style = value("style");
    if (value("camera_motion")) request.camera_motion = value("camera_motion");
    if (controls.priority && value("priority") !== "") request.priority = Number(value("priority"));
    if (value("callback_url")) request.callback_url = value("callback_url");
    if (negative.value.trim()) request.negative_prompt = negative.value;
    for (const name of ["generate_audio", "camera_fixed", "watermark", "return_last_frame", "long_take"]) {
      if (controls[name]) request[name] = controls[name].checked;
    }
    return request;
  }

  show(form);
  buildParameters();
}

function dataUrl(blob) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(blob);
  });
}

/** Puts the server's error next to the field its param names (content[0].text is the prompt; content[i] a reference row). */
function showFieldError(error, errors, formError) {
  let name = error.param || "";
  const content = /^content\[(\d+)\]/.exec(name);
  if (content) {
    const row = (errors.contentRows || [])[Number(content[1])];
    name = row === undefined ? "prompt" : `ref-${row}-url`;
  }
  const target = errors.get(name) || errors.get(name.split(".")[0]);
  if (target) {
    target.textContent = error.message;
    const control = document.getElementById(target.id.replace(/-error$/, ""));
    if (control) { control.setAttribute("aria-invalid", "true"); control.setAttribute("aria-describedby", target.id); control.focus(); }
  } else {
    fill(formError, h("p", { class: "error-box", text: error.message }));
  }
}

// ---- usage --------------------------------------------------------------------------------------------------------

async function usagePage(_, params) {
  const days = Number(params.get("days") || 0);
  const range = days ? `from=${new Date(Date.now() - days * 86400000).toISOString().slice(0, 10)}` : "";
  const [byDay, byModel, balance] = await Promise.all([
    api(`/v1/usage?group_by=day&${range}`), api(`/v1/usage?group_by=model&${range}`), api("/v1/balance")]);
  const period = h("form", { class: "filters", onchange: event => { location.hash = "#/usage?days=" + event.target.value; } },
    h("div", { class: "field" }, h("label", { for: "days", text: "Period" }),
      h("select", { id: "days", name: "days" }, [[0, "This month"], [30, "Last 30 days"], [90, "Last 90 days"]].map(([v, t]) => h("option", { value: v, selected: v === days, text: t })))));
  const total = byDay.total;
  const card = (label, value, id) => h("div", { class: "card" }, h("div", { class: "muted", text: label }), h("div", { class: "big", id, text: value }));
  const weeks = byDay.cost_per_job_by_week;
  show(h("h1", { text: isAdmin() ? `Usage of ${state.account || "default"}` : "Usage" }), period,
    h("p", { class: "muted", text: `${when(byDay.from)} – ${when(byDay.to)} (UTC days)` }),
    h("div", { class: "cards" },
      card("Cost", usd(total.cost_micros), "usage-total"),
      card("Jobs", `${total.jobs.total} (${total.jobs.succeeded} succeeded)`),
      card("Output", `${total.output_seconds} s`),
      card("Free quota used", `${balance.free_fast_used} (${balance.free_fast_left} left this month)`, "free-quota"),
      card("Budget left", balance.budget_left_micros === null ? "no budget set" : usd(balance.budget_left_micros), "budget-left"),
      card("Balance", usd(balance.balance_micros))),
    chartSection("Cost by day", byDay.groups.map(g => [g.key, g.cost_micros]), "Day", "usage-by-day"),
    chartSection("Cost by model", byModel.groups.map(g => [g.key, g.cost_micros]), "Model", "usage-by-model"),
    percentileSection(weeks));
}

function chartSection(title, points, keyLabel, id) {
  const table = h("table", { id }, h("caption", { class: "visually-hidden", text: title }),
    headRow([keyLabel, "Cost"], [1]),
    h("tbody", {}, points.length ? points.map(([k, v]) => h("tr", {}, h("td", { text: k }), h("td", { class: "num", text: usd(v) })))
      : h("tr", {}, h("td", { colspan: 2, class: "muted", text: "Nothing in this period." }))));
  return h("section", {}, h("h2", { text: title }), h("div", { class: "chart-row" }, barChart(points, title), h("div", { class: "table-wrap" }, table)));
}

function percentileSection(weeks) {
  const rows = weeks.map(w => [w.key, w.cost_per_job.p50_micros, w.cost_per_job.p95_micros, w.cost_per_job.jobs]);
  const table = h("table", { id: "usage-percentiles" }, h("caption", { class: "visually-hidden", text: "Cost per job by week" }),
    headRow(["Week", "P50", "P95", "Paid jobs"], [1, 2, 3]),
    h("tbody", {}, rows.length ? rows.map(r => h("tr", {}, h("td", { text: r[0] }), h("td", { class: "num", text: usd(r[1]) }), h("td", { class: "num", text: usd(r[2]) }), h("td", { class: "num", text: r[3] })))
      : h("tr", {}, h("td", { colspan: 4, class: "muted", text: "No paid jobs in this period." }))));
  return h("section", {}, h("h2", { text: "Cost per job by week (P50 and P95)" }),
    h("div", { class: "chart-row" }, lineChart(rows, "Cost per job by week: P50 and P95"), h("div", { class: "table-wrap" }, table)));
}

// Charts are small SVGs drawn here (ADR 0018): two kinds, no script from elsewhere, the numbers always in the table beside.
const SvgNs = "http://www.w3.org/2000/svg";
function svg(tag, attrs, ...children) {
  const el = document.createElementNS(SvgNs, tag);
  for (const [k, v] of Object.entries(attrs || {})) if (k === "text") el.textContent = v; else el.setAttribute(k, v);
  children.flat().forEach(c => c && el.append(c));
  return el;
}

function frame(title) {
  return svg("svg", { class: "chart", viewBox: "0 0 480 220", role: "img", "aria-label": title });
}

function barChart(points, title) {
  const chart = frame(title);
  const max = Math.max(1, ...points.map(p => p[1]));
  const slot = 440 / Math.max(1, points.length);
  const width = Math.min(56, Math.max(2, slot - 6));
  chart.append(svg("line", { class: "axis", x1: 30, y1: 190, x2: 470, y2: 190 }), svg("text", { x: 0, y: 14, text: usd(max) }));
  points.forEach(([key, value], i) => {
    const height = 170 * value / max;
    const x = 32 + i * slot + (slot - width) / 2;
    chart.append(svg("rect", { class: "bar", x, y: 190 - height, width, height }, svg("title", { text: `${key}: ${usd(value)}` })));
    if (points.length <= 8) chart.append(svg("text", { x: x + width / 2, y: 206, "text-anchor": "middle", text: String(key) }));
  });
  return chart;
}

function lineChart(rows, title) {
  const chart = frame(title);
  const max = Math.max(1, ...rows.flatMap(r => [r[1] || 0, r[2] || 0]));
  const x = i => 40 + (rows.length <= 1 ? 200 : i * 420 / (rows.length - 1));
  const y = v => 190 - 170 * (v || 0) / max;
  chart.append(svg("line", { class: "axis", x1: 30, y1: 190, x2: 470, y2: 190 }), svg("text", { x: 0, y: 14, text: usd(max) }));
  for (const [column, cls] of [[1, "line1"], [2, "bar2"]]) {
    chart.append(svg("polyline", { class: cls, points: rows.map((r, i) => `${x(i)},${y(r[column])}`).join(" ") }));
    rows.forEach((r, i) => chart.append(svg("circle", { cx: x(i), cy: y(r[column]), r: 3.5, class: cls }, svg("title", { text: `${r[0]} ${column === 1 ? "P50" : "P95"}: ${usd(r[column])}` }))));
  }
  rows.forEach((r, i) => { if (rows.length <= 8) chart.append(svg("text", { x: x(i) - 20, y: 206, text: r[0] })); });
  chart.append(svg("rect", { x: 330, y: 5, width: 14, height: 4, class: "bar" }), svg("text", { x: 348, y: 12, text: "P50" }),
    svg("rect", { x: 390, y: 5, width: 14, height: 4, class: "legend2" }), svg("text", { x: 408, y: 12, text: "P95" }));
  return chart;
}

// ---- keys ---------------------------------------------------------------------------------------------------------

async function keysPage() {
  const list = h("tbody");
  const created = h("div", { role: "status" });
  const name = h("input", { id: "key-name", name: "name", required: true, size: 30 });
  const nameError = h("p", { class: "field-error", id: "key-name-error", role: "alert" });
  const refresh = async () => {
    const keys = (await api("/v1/keys")).items;
    fill(list, ...keys.map(k => h("tr", { "data-key": k.id },
      h("td", { class: "secret", text: k.prefix + "…" }), h("td", { text: k.name }), h("td", { text: when(k.created_at) }),
      h("td", { text: k.revoked_at ? "revoked " + when(k.revoked_at) : "active" }),
      h("td", {}, k.revoked_at || isAdmin() ? null : h("button", { type: "button", class: "danger", "aria-label": `Revoke ${k.name} (${k.prefix})`, text: "Revoke", onclick: async () => {
        if (!confirm(`Revoke the key ${k.prefix}…? Anything using it stops working within 2 seconds.`)) return;
        await api("/v1/keys/" + encodeURIComponent(k.id), { method: "DELETE" });
        announce(`Key ${k.prefix} revoked.`);
        await refresh();
      } })))));
  };
  const form = h("form", { class: "filters", onsubmit: async event => {
    event.preventDefault();
    nameError.textContent = "";
    try {
      const key = await api("/v1/keys", { method: "POST", body: { name: name.value } });
      name.value = "";
      const value = h("code", { class: "secret", id: "new-key", text: key.key });
      fill(created, h("div", { class: "notice" },
        h("p", {}, h("strong", { text: "Copy the new key now: it is shown only this once." })), value, " ",
        h("button", { type: "button", text: "Copy", onclick: async () => { await navigator.clipboard.writeText(key.key); announce("Key copied."); } }),
        " ", h("button", { type: "button", text: "Done", onclick: () => created.replaceChildren() })));
      await refresh();
    } catch (e) { nameError.textContent = e.message; name.setAttribute("aria-invalid", "true"); }
  } },
  h("div", { class: "field" }, h("label", { for: "key-name", text: "New key's name" }), name, nameError),
  h("button", { class: "primary", type: "submit", text: "Create key" }));
  show(h("h1", { text: isAdmin() ? `API keys of ${state.account || "default"}` : "API keys" }), isAdmin() ? null : form, created,
    h("div", { class: "table-wrap" }, h("table", {}, headRow(["Prefix", "Name", "Created", "State", ""]), list)),
    h("p", { class: "muted", text: "A key is stored only as a hash: it cannot be shown again. The key of the session (set at start-up) does not appear here." }));
  await refresh();
}

// ---- webhooks -----------------------------------------------------------------------------------------------------

async function webhooksPage() {
  const endpoints = (await api("/v1/webhooks")).data;
  const url = h("input", { id: "webhook-url", type: "url", required: true, size: 44, placeholder: "https://example.com/hooks" });
  const urlError = h("p", { class: "field-error", id: "webhook-url-error", role: "alert" });
  const created = h("div", { role: "status" });
  const form = h("form", { class: "filters", onsubmit: async event => {
    event.preventDefault();
    urlError.textContent = "";
    try {
      const endpoint = await api("/v1/webhooks", { method: "POST", body: { url: url.value } });
      fill(created, h("div", { class: "notice" }, h("p", { text: "Signing secret (shown once):" }), h("code", { class: "secret", text: endpoint.secret })));
      url.value = "";
      await webhooksPage();
      $("#view").prepend(created);
    } catch (e) { urlError.textContent = e.message; url.setAttribute("aria-invalid", "true"); }
  } },
  h("div", { class: "field" }, h("label", { for: "webhook-url", text: "New endpoint URL" }), url, urlError),
  h("button", { class: "primary", type: "submit", text: "Add endpoint" }));
  const sections = await Promise.all(endpoints.map(async endpoint => {
    const deliveries = (await api(`/v1/webhooks/${encodeURIComponent(endpoint.id)}/deliveries`)).data.slice(0, 20);
    return h("section", {}, h("h2", { text: endpoint.url }),
      h("p", { class: "muted", text: `${endpoint.enabled ? "enabled" : "disabled" + (endpoint.disabled_reason ? ": " + endpoint.disabled_reason : "")} · events: ${endpoint.events.join(", ") || "all"}` }),
      h("div", { class: "table-wrap" }, h("table", {}, headRow(["Event", "Task", "Status", "Attempts", "Last answer", "Created", ""]),
        h("tbody", {}, deliveries.length ? deliveries.map(d => h("tr", {},
          h("td", { text: d.event_type }), h("td", {}, h("a", { href: "#/jobs/" + encodeURIComponent(d.job_id), text: d.job_id })),
          h("td", { text: d.status }), h("td", { class: "num", text: d.attempts }),
          h("td", { text: d.last_status_code ? `${d.last_status_code}` + (d.last_latency_ms !== null ? ` in ${d.last_latency_ms} ms` : "") : (d.last_error || "—") }),
          h("td", { text: when(d.created_at) }),
          h("td", {}, d.status === "failed" && !isAdmin() ? h("button", { type: "button", text: "Retry", onclick: async () => {
            await api(`/v1/webhooks/${encodeURIComponent(endpoint.id)}/deliveries/${encodeURIComponent(d.id)}/retry`, { method: "POST" });
            announce("Delivery queued again.");
            await webhooksPage();
          } }) : null)))
          : h("tr", {}, h("td", { colspan: 7, class: "muted", text: "No deliveries yet." }))))));
  }));
  show(h("h1", { text: isAdmin() ? `Webhooks of ${state.account || "default"}` : "Webhooks" }), isAdmin() ? null : form, created, sections.length ? sections : h("p", { class: "muted", text: "No endpoints yet." }));
}

// ---- operator -----------------------------------------------------------------------------------------------------

async function operatorPage() {
  if (!isAdmin()) { show(h("h1", { text: "Operator" }), h("p", { text: "The operator's page needs the admin key." })); return; }
  const summary = await api("/console/api/operator");
  const view = id => () => { state.account = id; sessionStorage.setItem("seedgate.account", id); location.hash = "#/jobs"; };
  show(h("h1", { text: "Operator" }),
    h("h2", { text: "Health" }),
    h("p", {}, h("span", { class: "status " + (summary.health.status === "ready" ? "succeeded" : "failed"), text: summary.health.status })),
    h("dl", { class: "facts" }, Object.entries(summary.health.checks).flatMap(([k, v]) => [h("dt", { text: k }), h("dd", { text: v })])),
    h("h2", { text: "Accounts" }),
    h("div", { class: "table-wrap" }, h("table", {}, headRow(["Account", "Name", "Plan", "Queued", "Running", ""]),
      h("tbody", {}, summary.accounts.map(a => h("tr", {}, h("td", { text: a.account.id }), h("td", { text: a.account.name }),
        h("td", {}, h("details", {}, h("summary", { text: a.account.plan }),
          h("dl", { class: "facts" }, Object.entries(a.account.effective_plan).flatMap(([k, v]) => [h("dt", { text: k }), h("dd", { text: v === null ? "—" : String(v) })])))),
        h("td", { class: "num", text: a.queued }), h("td", { class: "num", text: a.running }),
        h("td", {}, h("button", { type: "button", text: "View jobs", "aria-label": "View jobs of " + a.account.id, onclick: view(a.account.id) }))))))),
    h("h2", { text: "Upstream accounts" }),
    summary.upstreams.length === 0 ? h("p", { class: "muted", text: "None configured: every model renders in the sandbox." })
      : h("div", { class: "table-wrap" }, h("table", {}, headRow(["Upstream", "Host", "Tasks in flight", "Capacity", "Requests/s", "Models"]),
        h("tbody", {}, summary.upstreams.map(u => h("tr", {}, h("td", { text: u.name }), h("td", { text: u.host }),
          h("td", { class: "num" }, `${u.tasks_in_flight} `, h("progress", { max: u.capacity, value: u.tasks_in_flight, "aria-label": `${u.name} slots in use` })),
          h("td", { class: "num", text: u.capacity }), h("td", { class: "num", text: u.requests_per_second }), h("td", { text: u.models.join(", ") })))))));
}

window.addEventListener("hashchange", route);
route();
