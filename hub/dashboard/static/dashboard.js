// KCR dashboard: follows the signed-in organisation's outbox (server-sent events) and draws
// the map, the national summary, capacity, signals, coordination, advice and scenarios.
// No inline script or style: DOM built with createElement/textContent, looks from classes.
"use strict";

const SVG = "http://www.w3.org/2000/svg";
const TILE = 58;
const GAP = 4;
const RESOLVED_SHOWN = 12;
const GRIPS = ["0", "1", "2", "3", "4", "5", "RIJK"];
const EVENT_NAMES = [
  "RegionView", "IncidentView", "NationalSituationView", "ResourceCapacityView", "ScenarioView",
  "nl.kcr.escalation.raised", "nl.kcr.escalation.updated", "nl.kcr.escalation.resolved",
  "nl.kcr.coordination.requested", "nl.kcr.assistance.fulfilled", "nl.kcr.assistance.expired",
  "nl.kcr.advice.drafted", "nl.kcr.advice.published", "nl.kcr.advice.rejection_noted",
  "nl.kcr.advice.validation_refused",
];

const state = {
  me: null, tiles: [], selected: null, regions: {}, incidents: {}, national: null,
  capacity: {}, history: {}, scenarios: {}, signals: {}, feed: [], coordination: {},
  outcomes: {}, advice: {},
};

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value !== null && value !== undefined && value !== false) node.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function svg(tag, attrs, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, value);
  for (const child of children) node.append(child);
  return node;
}

function table(headers, rows) {
  return el("table", {}, el("thead", {}, el("tr", {}, headers.map((h) => el("th", {}, h)))),
    el("tbody", {}, rows));
}

function fill(id, content) {
  const target = document.getElementById(id);
  target.replaceChildren(...[content].flat());
}

function gripClass(code) {
  return code === null || code === undefined ? "grip-none" : `grip-${String(code).toLowerCase()}`;
}

function time(text) {
  return text ? new Date(text).toISOString().slice(5, 16).replace("T", " ") : "–";
}

async function api(method, path, body) {
  const options = { method, headers: {}, credentials: "same-origin" };
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const response = await fetch(path, options);
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.error || `HTTP ${response.status}`);
  return data;
}

// ---- the map ----

function drawMap() {
  const cols = Math.max(...state.tiles.map((t) => t.col)) + 1;
  const rows = Math.max(...state.tiles.map((t) => t.row)) + 1;
  const map = svg("svg", {
    viewBox: `0 0 ${cols * (TILE + GAP)} ${rows * (TILE + GAP)}`, id: "map-svg",
    role: "img", "aria-label": "Tile map of the 25 safety regions",
  });
  for (const tile of state.tiles) map.append(drawTile(tile));
  fill("map", map);
  fill("legend", [
    ...GRIPS.map((g) => el("li", {}, el("span", { class: `swatch ${gripClass(g)}` }),
      g === "RIJK" ? "GRIP Rijk" : `GRIP ${g}`)),
    el("li", {}, el("span", { class: "swatch grip-none" }), "none / no view"),
    el("li", {}, el("span", { class: "swatch silent" }), "silent"),
  ]);
}

function drawTile(tile) {
  const view = state.regions[tile.region_id];
  const grip = view ? view.highest_grip : null;
  const silent = Boolean(view && view.silent);
  const classes = ["tile", gripClass(grip)];
  if (silent) classes.push("silent");
  if (state.selected === tile.region_id) classes.push("selected");
  const x = tile.col * (TILE + GAP);
  const y = tile.row * (TILE + GAP);
  const title = svg("title");
  title.textContent = `${tile.name}: ${grip ? "GRIP " + grip : "no active GRIP"}${silent ? " (silent)" : ""}`;
  const label = svg("text", { x: x + 5, y: y + 16 });
  label.textContent = tile.region_id;
  const name = svg("text", { x: x + 5, y: y + 31, class: "name" });
  name.textContent = tile.name.length > 11 ? `${tile.name.slice(0, 10)}…` : tile.name;
  const group = svg("g", {
    class: classes.join(" "), "data-region": tile.region_id, "data-grip": grip || "none",
    "data-silent": String(silent), tabindex: "0",
  }, svg("rect", { x, y, width: TILE, height: TILE, rx: 4 }), title, label, name);
  if (grip) {
    const level = svg("text", { x: x + 5, y: y + 50 });
    level.textContent = `GRIP ${grip}`;
    group.append(level);
  }
  if (silent) {
    const mark = svg("text", { x: x + TILE - 14, y: y + 16, class: "silent-mark" });
    mark.textContent = "!";
    group.append(mark);
  }
  group.addEventListener("click", () => { state.selected = tile.region_id; render(); });
  return group;
}

function drawRegionDetail() {
  const id = state.selected;
  if (!id) return;
  const tile = state.tiles.find((t) => t.region_id === id);
  const view = state.regions[id];
  const incidents = Object.values(state.incidents)
    .filter((i) => i.regions.includes(id) && i.status !== "closed");
  const sitreps = incidents.map((i) => i.last_sitrep).filter(Boolean)
    .sort((a, b) => b.published_at.localeCompare(a.published_at));
  const capacity = Object.values(state.capacity).flatMap((c) => c.per_organisation
    .filter((o) => o.org_id === id).map((o) => ({ ...o, type: c.resource_type })));
  fill("region-detail", [
    el("h3", { id: "region-title" }, `${tile ? tile.name : id} (${id})`),
    el("p", {}, view
      ? `Highest GRIP: ${view.highest_grip || "none"} · people affected: ${view.affected_people}` +
        ` · last seen ${time(view.last_seen)}${view.silent ? " · SILENT" : ""}`
      : "No region view in your outbox."),
    incidents.length ? table(["incident", "category", "GRIP", "status", "affected"],
      incidents.map((i) => el("tr", { "data-incident": i.incident_id }, el("td", {}, i.title),
        el("td", {}, i.category), el("td", {}, i.grip_level), el("td", {}, i.status),
        el("td", {}, i.affected_people))))
      : el("p", { class: "muted" }, "No active incidents."),
    el("h3", {}, "Latest situation report"),
    sitreps.length ? el("p", { class: "sitrep" }, `${time(sitreps[0].published_at)} ` +
      `${sitreps[0].source}: ${sitreps[0].summary}`) : el("p", { class: "muted" }, "None."),
    el("h3", {}, "Capacity"),
    capacity.length ? table(["resource", "available", "committed", "total"], capacity.map((c) =>
      el("tr", { class: c.stale ? "stale" : null }, el("td", {}, c.type + (c.stale ? " (stale)" : "")),
        el("td", {}, c.available), el("td", {}, c.committed), el("td", {}, c.total))))
      : el("p", { class: "muted" }, "No capacity reported."),
  ]);
}

// ---- panels ----

function drawSummary() {
  const n = state.national;
  if (!n) return;
  fill("summary", [
    el("p", { id: "national-totals" }, `Active incidents: ${n.active_incidents} · people affected: `,
      el("strong", { id: "total-affected" }, n.total_affected), ` · as of ${time(n.as_of)}`),
    el("h3", {}, "Incidents by category"),
    table(["category", "incidents"], n.incidents_by_category.map((c) =>
      el("tr", { "data-category": c.category }, el("td", {}, c.category),
        el("td", {}, `${c.incidents.length}: ${c.incidents.join(", ")}`)))),
    el("h3", {}, "Regions by GRIP level"),
    table(["GRIP", "regions"], n.regions_by_grip.map((g) =>
      el("tr", { "data-grip-level": g.grip_level }, el("td", {}, el("span",
        { class: `swatch ${gripClass(g.grip_level)}` }), ` ${g.grip_level}`),
        el("td", {}, g.regions.join(", "))))),
  ]);
}

function sparkline(points) {
  const chart = svg("svg", { class: "spark", viewBox: "0 0 120 28", preserveAspectRatio: "none" });
  if (points.length < 2) return chart;
  const top = Math.max(1, ...points.map((p) => p.total));
  const t0 = points[0].t;
  const span = Math.max(1, points[points.length - 1].t - t0);
  for (const series of ["available", "committed"]) {
    const coords = points.map((p) =>
      `${(((p.t - t0) / span) * 118 + 1).toFixed(1)},${(27 - (p[series] / top) * 26).toFixed(1)}`);
    chart.append(svg("polyline", { class: series, points: coords.join(" ") }));
  }
  return chart;
}

function drawCapacity() {
  const rows = Object.values(state.capacity).sort((a, b) => a.resource_type.localeCompare(b.resource_type));
  if (!rows.length) return;
  fill("capacity", table(["resource", "available", "committed", "total", "stale", "over time"],
    rows.map((c) => el("tr", { "data-resource": c.resource_type }, el("td", {}, `${c.resource_type} (${c.unit})`),
      el("td", { class: "available" }, c.available), el("td", { class: "committed" }, c.committed),
      el("td", {}, c.total),
      el("td", { class: c.stale_orgs.length ? "stale" : "muted" },
        c.stale_orgs.length ? `stale: ${c.stale_orgs.join(", ")}` : "–"),
      el("td", {}, sparkline(state.history[c.resource_type] || []))))));
}

function drawSignals() {
  const all = Object.values(state.signals).sort((a, b) => b.time.localeCompare(a.time));
  const active = all.filter((s) => s.status !== "resolved");
  const rows = [...active, ...all.filter((s) => s.status === "resolved").slice(0, RESOLVED_SHOWN)];
  if (rows.length) {
    fill("signals", table(["status", "severity", "signal", "regions", "since"], rows.map((s) =>
      el("tr", { class: "signal", "data-signal": s.data.signal_id, "data-status": s.status },
        el("td", { class: `status-${s.status}` }, s.status),
        el("td", { class: `sev-${s.data.severity}` }, s.data.severity),
        el("td", {}, s.data.title), el("td", {}, s.data.regions.join(", ")),
        el("td", {}, time(s.data.since))))));
  }
  fill("signal-feed", state.feed.slice(-30).reverse().map((f) =>
    el("li", {}, `${time(f.time)} ${f.verb}: ${f.title}`)));
}

function drawCoordination() {
  const rows = Object.values(state.coordination).sort((a, b) => a.data.respond_by.localeCompare(b.data.respond_by));
  if (!rows.length) return;
  const now = Date.now();
  fill("coordination", table(["request", "asked of", "what", "for", "answer due", "status"],
    rows.map((r) => {
      const status = coordinationStatus(r);
      const overdue = status === "open" && Date.parse(r.data.respond_by) < now;
      return el("tr", { "data-request": r.data.request_id, "data-status": status },
        el("td", {}, r.data.request_id), el("td", {}, r.recipients),
        el("td", {}, `${r.data.quantity} of ${r.data.total_quantity} ${r.data.what}`),
        el("td", {}, r.data.for_org),
        el("td", { class: overdue ? "overdue" : null }, time(r.data.respond_by) + (overdue ? " overdue" : "")),
        el("td", {}, status));
    })));
}

function coordinationStatus(request) {
  const outcome = state.outcomes[request.data.assistance_request_id];
  if (!outcome) return "open";
  const mine = outcome.data.contributions.find((c) => c.org_id === request.recipients);
  const answer = mine ? `answered: offered ${mine.offered}, accepted ${mine.accepted}` : "no offer";
  return `${outcome.type.endsWith("fulfilled") ? "fulfilled" : "expired"} (${answer})`;
}

function drawAdvice() {
  const rows = Object.values(state.advice);
  if (!rows.length) return;
  fill("advice", table(["advice", "measure", "region", "verdict", "status", ""], rows.map((a) =>
    el("tr", { class: "advice", "data-advice": a.id, "data-status": a.status },
      el("td", {}, a.id, el("br"), el("span", { class: "muted" }, `for ${a.draft.requester}`)),
      el("td", {}, a.draft.measure), el("td", {}, a.draft.region),
      el("td", { title: a.draft.explanation }, a.draft.verdict),
      el("td", {}, a.status + (a.by ? ` by ${a.by}` : "")),
      el("td", {}, adviceActions(a))))));
}

function adviceActions(advice) {
  if (advice.status !== "pending" || !state.me || !(state.me.may_validate || state.me.may_reject)) return null;
  const note = el("input", { type: "text", placeholder: "note / reason", "aria-label": "note or reason" });
  const box = el("div", { class: "actions" }, note);
  for (const action of ["validate", "reject"]) {
    if (!state.me[action === "validate" ? "may_validate" : "may_reject"]) continue;
    const button = el("button", { type: "button", class: action, "data-action": action }, action);
    button.addEventListener("click", () => decide(advice, action, note.value));
    box.append(button);
  }
  return box;
}

async function decide(advice, action, text) {
  try {
    await api("POST", `/api/advice/${encodeURIComponent(advice.id)}/${action}`, { text });
    advice.status = action === "validate" ? "validation sent" : "rejection sent";
    advice.by = state.me.org;
  } catch (error) {
    advice.status = `pending (failed: ${error.message})`;
  }
  render();
}

function drawScenarios() {
  const rows = Object.values(state.scenarios);
  if (!rows.length) return;
  fill("scenarios", table(["scenario", "status", "indicators tripped"], rows.map((s) =>
    el("tr", { "data-scenario": s.scenario_id }, el("td", {}, s.name), el("td", {}, s.status + (s.error ? `: ${s.error}` : "")),
      el("td", {}, `${s.indicators.filter((i) => i.tripped).length} of ${s.indicators.length}`)))));
}

let pending = false;
function render() {
  if (pending) return;
  pending = true;
  requestAnimationFrame(() => {
    pending = false;
    drawMap(); drawRegionDetail(); drawSummary(); drawCapacity(); drawSignals();
    drawCoordination(); drawAdvice(); drawScenarios();
  });
}

// ---- folding the outbox ----

const fold = {
  RegionView: (v) => { state.regions[v.region_id] = v; },
  IncidentView: (v) => { state.incidents[v.incident_id] = v; },
  NationalSituationView: (v) => { state.national = v; },
  ScenarioView: (v) => { state.scenarios[v.scenario_id] = v; },
  ResourceCapacityView: (v) => {
    state.capacity[v.resource_type] = v;
    const series = (state.history[v.resource_type] ||= []);
    series.push({ t: Date.parse(v.as_of), available: v.available, committed: v.committed, total: v.total });
    if (series.length > 200) series.shift();
  },
  "nl.kcr.coordination.requested": (e) => { state.coordination[e.data.request_id] = e; },
  "nl.kcr.assistance.fulfilled": (e) => { state.outcomes[e.data.request_id] = e; },
  "nl.kcr.assistance.expired": (e) => { state.outcomes[e.data.request_id] = e; },
  "nl.kcr.advice.drafted": (e) => {
    state.advice[e.data.advice_id] ||= { id: e.data.advice_id, draft: e.data, status: "pending" };
  },
  "nl.kcr.advice.published": (e) => adviceOutcome(e.data, "published", e.data.validated_by),
  "nl.kcr.advice.rejection_noted": (e) => adviceOutcome(e.data, "rejected", e.data.rejected_by),
  "nl.kcr.advice.validation_refused": (e) => {
    const advice = state.advice[e.data.advice_id];
    if (advice) { advice.status = "pending"; advice.by = `refused: ${e.data.reason}`; }
  },
};

function adviceOutcome(data, status, by) {
  state.advice[data.advice_id] = { id: data.advice_id, draft: data.draft, status, by };
}

function foldSignal(verb, event) {
  state.signals[event.data.signal_id] = { data: event.data, status: verb, time: event.time };
  state.feed.push({ verb, title: event.data.title, time: event.time });
}

function follow() {
  const source = new EventSource("/api/stream");
  const live = document.getElementById("live");
  source.onopen = () => { live.textContent = "live"; live.className = "live on"; };
  source.onerror = () => { live.textContent = "reconnecting"; live.className = "live off"; };
  for (const name of EVENT_NAMES) {
    source.addEventListener(name, (message) => {
      const item = JSON.parse(message.data);
      if (name.startsWith("nl.kcr.escalation.")) foldSignal(name.split(".").pop(), item);
      else fold[name](item);
      render();
    });
  }
}

// ---- signing in ----

async function start() {
  let me;
  try {
    me = await api("GET", "/api/me");
  } catch (error) {
    document.getElementById("sign-in-panel").classList.remove("hidden");
    return;
  }
  state.me = me;
  document.getElementById("who").textContent = `${me.name} (${me.org}, ${me.role})`;
  document.getElementById("sign-out").classList.remove("hidden");
  document.getElementById("sign-in-panel").classList.add("hidden");
  document.getElementById("board").classList.remove("hidden");
  state.tiles = await api("GET", "/api/tiles");
  render();
  follow();
}

document.getElementById("sign-in").addEventListener("submit", async (event) => {
  event.preventDefault();
  const key = document.getElementById("api-key").value;
  try {
    await api("POST", "/api/session", { key });
    start();
  } catch (error) {
    document.getElementById("sign-in-error").textContent = error.message;
  }
});

document.getElementById("sign-out").addEventListener("click", async () => {
  await api("DELETE", "/api/session");
  location.reload();
});

start();
