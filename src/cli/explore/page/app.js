// schoolscape explore: the page. Talks only to the server that served it.
// The server runs the model; this draws what it sends, one year at a time,
// and asks for the next year only once the last one is drawn.
"use strict";

const $ = (id) => document.getElementById(id);
const SVGNS = "http://www.w3.org/2000/svg";
const ARM_COLOURS = ["#1f77b4", "#e0620d"];

const S = {
  info: null,
  controls: [],
  scenario: "",
  scenarioValues: {},
  description: "",
  seed: 0,
  years: 20,
  scale: 1,
  sets: [{}, {}], // per arm: path -> value text (only what differs from the scenario)
  ab: false,
  editing: 0,
  mapArm: 0,
  colour: "dis",
  speed: 4,
  playing: false,
  gen: 0,
  run: null, // {id, static, exports, frames: [], done}
  busy: false,
  mapDrawnSchools: 0,
  lastFirstFrameMs: null,
};
window.explorer = S;

function speedValue(v) { return v >= 21 ? Infinity : v; }

// ---------- address (the controls' state) ----------

function readHash() {
  const h = new URLSearchParams(location.hash.slice(1));
  const d = S.info.defaults;
  S.scenario = h.get("scenario") || d.scenario;
  S.seed = h.has("seed") ? Number(h.get("seed")) : d.seed;
  S.years = h.has("years") ? Number(h.get("years")) : d.years;
  S.scale = h.has("scale") ? Number(h.get("scale")) : d.scale;
  S.ab = h.get("ab") === "1";
  S.colour = h.get("colour") || "dis";
  if (h.has("speed")) S.speed = Number(h.get("speed"));
  const parse = (list) => {
    const o = {};
    for (const x of list) {
      const i = x.indexOf("=");
      if (i > 0) o[x.slice(0, i)] = x.slice(i + 1);
    }
    return o;
  };
  S.sets[0] = parse(location.hash.length > 1 ? h.getAll("a") : d.set);
  S.sets[1] = S.ab ? parse(h.getAll("b")) : { ...S.sets[0] };
}

function writeHash() {
  const h = new URLSearchParams();
  h.set("scenario", S.scenario);
  h.set("seed", S.seed);
  h.set("years", S.years);
  h.set("scale", S.scale);
  if (S.ab) h.set("ab", "1");
  h.set("colour", S.colour);
  h.set("speed", S.speed);
  for (const [k, v] of Object.entries(S.sets[0])) h.append("a", `${k}=${v}`);
  if (S.ab) for (const [k, v] of Object.entries(S.sets[1])) h.append("b", `${k}=${v}`);
  history.replaceState(null, "", "#" + h.toString());
}

function setList(arm) {
  return Object.entries(S.sets[arm]).map(([k, v]) => `${k}=${v}`);
}

// ---------- server ----------

async function api(path, body) {
  const opts = body === undefined ? {} : { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
  const r = await fetch(path, opts);
  let data = null;
  try { data = await r.json(); } catch (e) { data = { error: String(e) }; }
  return { ok: r.ok, status: r.status, data };
}

function stopSession() {
  if (S.run && S.run.id) {
    const id = S.run.id;
    fetch(`/api/stop?id=${id}`, { method: "POST", keepalive: true }).catch(() => {});
  }
}

function showProblems(list, arm) {
  $("problems").textContent = list && list.length
    ? (arm ? `Settings ${arm}: ` : "") + list.map((p) => p.text).join("\n")
    : "";
}

// ---------- controls ----------

function fmt(v, digits = 3) {
  if (v === null || v === undefined || Number.isNaN(v)) return "–";
  if (typeof v !== "number") return String(v);
  if (Number.isInteger(v)) return String(v);
  return Number(v.toFixed(digits)).toString();
}

function currentValue(path) {
  const set = S.sets[S.editing];
  if (path in set) {
    const t = set[path];
    if (t === "true") return true;
    if (t === "false") return false;
    const n = Number(t);
    return Number.isNaN(n) ? t : n;
  }
  return S.scenarioValues[path];
}

function changeSetting(path, value) {
  const text = String(value);
  const base = S.scenarioValues[path];
  const arms = S.ab ? [S.editing] : [0, 1];
  for (const a of arms) {
    if (base !== undefined && String(base) === text) delete S.sets[a][path];
    else S.sets[a][path] = text;
  }
  settingsChanged(true);
}

function buildControls() {
  const box = $("controls");
  box.innerHTML = "";
  let group = null;
  for (const c of S.controls) {
    if (c.group !== group) {
      group = c.group;
      const h = document.createElement("h2");
      h.textContent = group;
      box.appendChild(h);
    }
    const div = document.createElement("div");
    div.className = "control";
    div.dataset.path = c.path;
    const top = document.createElement("div");
    top.className = "top";
    const name = document.createElement("label");
    name.className = "name";
    name.textContent = c.label;
    name.title = c.path;
    const value = document.createElement("span");
    value.className = "value";
    top.append(name, value);
    div.appendChild(top);
    let input;
    if (c.kind === "switch") {
      input = document.createElement("input");
      input.type = "checkbox";
      input.addEventListener("change", () => changeSetting(c.path, input.checked));
      name.prepend(input);
    } else if (c.kind === "choice") {
      input = document.createElement("select");
      for (const [v, l] of c.options) {
        const o = document.createElement("option");
        o.value = v;
        o.textContent = l;
        input.appendChild(o);
      }
      input.addEventListener("change", () => changeSetting(c.path, input.value));
      div.appendChild(input);
    } else {
      input = document.createElement("input");
      input.type = "range";
      input.min = c.min;
      input.max = c.max;
      input.step = c.kind === "whole" ? 1 : (c.max - c.min) / 100;
      input.addEventListener("input", () => { value.textContent = `${fmt(Number(input.value))} ${c.unit || ""}`; });
      input.addEventListener("change", () => {
        const v = c.kind === "whole" ? Math.round(Number(input.value)) : Number(Number(input.value).toPrecision(4));
        changeSetting(c.path, v);
      });
      div.appendChild(input);
    }
    input.id = "ctl-" + c.path.replace(/[^a-z0-9]/gi, "-");
    input.setAttribute("aria-label", c.label);
    const ex = document.createElement("div");
    ex.className = "explain";
    ex.textContent = c.explain || "";
    div.appendChild(ex);
    if (c.plausible) {
      const r = document.createElement("div");
      r.className = "range";
      r.textContent = `unit: ${c.unit}; plausible ${fmt(c.plausible[0])} to ${fmt(c.plausible[1])}`;
      div.appendChild(r);
    }
    box.appendChild(div);
  }
  refreshControls();
}

function refreshControls() {
  for (const c of S.controls) {
    const div = document.querySelector(`.control[data-path="${c.path}"]`);
    if (!div) continue;
    const input = div.querySelector("input, select");
    const v = currentValue(c.path);
    const value = div.querySelector(".value");
    const changed = c.path in S.sets[S.editing];
    value.classList.toggle("changed", changed);
    if (c.kind === "switch") {
      input.checked = v === true;
      value.textContent = v ? "on" : "off";
    } else if (c.kind === "choice") {
      input.value = v;
      value.textContent = "";
    } else {
      input.value = v;
      value.textContent = `${fmt(v)} ${c.unit || ""}`;
    }
  }
  const ul = $("sets");
  ul.innerHTML = "";
  const arms = S.ab ? [0, 1] : [0];
  for (const a of arms) {
    for (const [k, v] of Object.entries(S.sets[a])) {
      const li = document.createElement("li");
      li.textContent = (S.ab ? (a ? "B: " : "A: ") : "") + `${k} = ${v}`;
      const b = document.createElement("button");
      b.textContent = "×";
      b.title = "Back to the scenario's value";
      b.addEventListener("click", () => { delete S.sets[a][k]; settingsChanged(true); });
      li.appendChild(b);
      ul.appendChild(li);
    }
  }
  $("editing").hidden = !S.ab;
  $("map-arm").hidden = !S.ab;
  $("export-b").hidden = !S.ab;
}

let restartTimer = null;
// `parameters`: a change of the model's parameters (which "apply from this
// year" may apply mid-run); otherwise (scenario, seed, years, scale, A/B) a restart.
function settingsChanged(parameters = false) {
  writeHash();
  refreshControls();
  clearTimeout(restartTimer);
  const apply = parameters && $("apply-from").checked;
  restartTimer = setTimeout(() => start(S.playing, apply), 120);
}

// ---------- runs ----------

async function loadScenario() {
  const r = await api(`/api/scenario?name=${encodeURIComponent(S.scenario)}`);
  if (!r.ok) { showProblems(r.data.problems); return false; }
  S.scenarioValues = r.data.values;
  S.description = r.data.description;
  $("description").textContent = `${r.data.name}: ${r.data.description}`;
  return true;
}

// Start a run from year 1; or, with `apply` and a run under way, the same
// run with the current settings in force from the next year on (the years
// shown so far are kept: the scenario's timeline gets a change at that year).
async function start(keepPlaying, apply = false) {
  const gen = ++S.gen;
  const prev = S.run;
  S.playing = false;
  stopSession();
  S.run = null;
  setStatus("starting…");
  const t0 = performance.now();
  const body = { scenario: S.scenario, seed: Number(S.seed), years: Number(S.years), scale: Number(S.scale), a: setList(0), b: S.ab ? setList(1) : null };
  let kept = [];
  if (apply && prev && prev.frames.length >= 1 && prev.frames.length < prev.years) {
    const year = prev.frames.length + 1;
    body.a = prev.body.a;
    body.b = prev.body.b;
    body.changes = (prev.body.changes || []).filter((c) => c.year < year)
      .concat([{ year, a: setList(0), b: S.ab ? setList(1) : null }]);
    kept = prev.frames.slice(0, year - 1);
  }
  const r = await api("/api/start", body);
  if (gen !== S.gen) { if (r.ok) fetch(`/api/stop?id=${r.data.id}`, { method: "POST" }); return; }
  if (!r.ok) {
    showProblems(r.data.problems || [{ text: r.data.error || `error ${r.status}` }], r.data.arm);
    setStatus("not started: see the problems on the left");
    return;
  }
  showProblems([]);
  S.run = { id: r.data.id, static: r.data, exports: r.data.exports, frames: kept, drawnAt: kept.map(() => null), done: false, years: body.years, body };
  S.headline = r.data.headline;
  fillExport();
  prepareMap();
  buildCharts();
  await nextFrame(gen);
  if (gen !== S.gen) return;
  S.lastFirstFrameMs = performance.now() - t0;
  if (keepPlaying) play();
}

async function nextFrame(gen) {
  if (!S.run || S.run.done || S.busy) return false;
  S.busy = true;
  try {
    for (;;) {
      const r = await api(`/api/frame?id=${S.run.id}`);
      if (gen !== S.gen) return false;
      if (!r.ok) { S.run.done = true; setStatus(r.data.error || "stopped"); return false; }
      if (r.data.wait) continue;
      if (r.data.done) { S.run.done = true; setStatus(`year ${S.run.frames.length}: done`); S.playing = false; updatePlay(); return false; }
      S.run.frames.push(r.data);
      drawMap();
      updateCharts();
      S.run.drawnAt.push(performance.now());
      setStatus(`year ${r.data.year} of ${S.run.years}`);
      if (r.data.year >= S.run.years) { S.run.done = true; S.playing = false; updatePlay(); }
      return true;
    }
  } finally {
    S.busy = false;
  }
}

function sleep(ms) { return new Promise((res) => setTimeout(res, ms)); }

async function play() {
  if (!S.run || S.run.done) return;
  S.playing = true;
  updatePlay();
  const gen = S.gen;
  while (S.playing && gen === S.gen && S.run && !S.run.done) {
    const t = performance.now();
    const ok = await nextFrame(gen);
    if (!ok) break;
    await new Promise((res) => requestAnimationFrame(res));
    const wait = 1000 / speedValue(S.speed) - (performance.now() - t);
    if (wait > 0) await sleep(wait);
  }
  if (gen === S.gen) { S.playing = false; updatePlay(); }
}

function updatePlay() { $("play").textContent = S.playing ? "❚❚ Pause" : "▶ Play"; }
function setStatus(t) { $("status").textContent = t; $("year").textContent = S.run && S.run.frames.length ? `Year ${S.run.frames.length}` : ""; }

// ---------- map ----------

const map = { canvas: null, bg: null, scale: 1, ox: 0, oy: 0, points: [] };

function disColour(v) {
  // white (none) to deep purple (0.6 or more disadvantaged)
  const t = Math.max(0, Math.min(1, v / 0.6));
  const r = Math.round(250 - t * (250 - 84));
  const g = Math.round(248 - t * (248 - 39));
  const b = Math.round(245 - t * (245 - 143));
  return `rgb(${r},${g},${b})`;
}

function heat(v) {
  // schools: pale yellow (no disadvantaged pupils) to dark red (60% or more)
  const t = Math.max(0, Math.min(1, v / 0.6));
  return `rgb(${Math.round(255 - t * 90)},${Math.round(247 - t * 222)},${Math.round(188 - t * 160)})`;
}

function diverging(v, span) {
  const t = Math.max(-1, Math.min(1, v / span));
  if (t >= 0) return `rgb(${Math.round(240 - t * 200)},${Math.round(240 - t * 90)},${Math.round(240 - t * 200)})`;
  return `rgb(${Math.round(240 + t * -10)},${Math.round(240 + t * 180)},${Math.round(240 + t * 190)})`;
}

function prepareMap() {
  const st = S.run.static.arms[S.mapArm] || S.run.static.arms[0];
  const c = $("map");
  const [x0, y0, x1, y1] = st.bounds;
  const w = c.width, h = c.height;
  const sc = Math.min((w - 20) / (x1 - x0), (h - 20) / (y1 - y0));
  map.canvas = c;
  map.scale = sc;
  map.ox = (w - sc * (x1 - x0)) / 2 - sc * x0;
  map.oy = (h - sc * (y1 - y0)) / 2 + sc * y1;
  const bg = document.createElement("canvas");
  bg.width = w;
  bg.height = h;
  const g = bg.getContext("2d");
  g.fillStyle = "#fafafa";
  g.fillRect(0, 0, w, h);
  const n = st.nbhd;
  const size = Math.max(1, st.cell_km * sc);
  for (let i = 0; i < n.x.length; i++) {
    if (!n.households[i]) continue;
    g.fillStyle = disColour(n.dis[i]);
    const [px, py] = toPx(n.x[i], n.y[i]);
    g.fillRect(px - size / 2, py - size / 2, size + 0.5, size + 0.5);
  }
  map.bg = bg;
  const nSchools = st.schools.x.length;
  map.rmax = Math.max(2.5, Math.min(16, 0.45 * Math.sqrt((w * h) / nSchools)));
  drawLegend();
}

function toPx(x, y) { return [map.ox + map.scale * x, map.oy - map.scale * y]; }

function schoolColour(f, st, i) {
  switch (S.colour) {
    case "eff": return diverging(f.eff[i] ?? 0, 0.1);
    case "rep": return diverging(f.rep[i] ?? 0, 1.0);
    case "type": return st.schools.autonomous[i] ? "#d9822b" : "#3a7ca5";
    default: return heat(f.dis[i] ?? 0);
  }
}

function drawMap() {
  if (!S.run || !map.bg) return;
  const g = map.canvas.getContext("2d");
  g.drawImage(map.bg, 0, 0);
  const arm = Math.min(S.mapArm, S.run.static.arms.length - 1);
  const st = S.run.static.arms[arm];
  const frame = S.run.frames[S.run.frames.length - 1];
  map.points = [];
  let drawn = 0;
  if (!frame) { S.mapDrawnSchools = 0; return; }
  const f = frame.arms[arm];
  let maxRoll = 1;
  for (const r of f.roll) maxRoll = Math.max(maxRoll, r);
  for (let i = 0; i < st.schools.x.length; i++) {
    const [px, py] = toPx(st.schools.x[i], st.schools.y[i]);
    if (!f.open[i]) {
      const s = Math.max(2.5, map.rmax * 0.4);
      g.strokeStyle = f.event[i] === -1 ? "#d00" : "#777";
      g.lineWidth = f.event[i] === -1 ? 2.5 : 1.2;
      g.beginPath();
      g.moveTo(px - s, py - s); g.lineTo(px + s, py + s);
      g.moveTo(px + s, py - s); g.lineTo(px - s, py + s);
      g.stroke();
      map.points.push([px, py, s, i]);
      drawn++;
      continue;
    }
    const r = Math.max(1.5, map.rmax * Math.sqrt(f.roll[i] / maxRoll));
    g.beginPath();
    g.arc(px, py, r, 0, 2 * Math.PI);
    g.fillStyle = schoolColour(f, st, i);
    g.fill();
    g.lineWidth = f.event[i] === 1 ? 2.5 : 0.8;
    g.strokeStyle = f.event[i] === 1 ? "#0a0" : "#333";
    g.stroke();
    map.points.push([px, py, r, i]);
    drawn++;
  }
  S.mapDrawnSchools = drawn;
  g.fillStyle = "#333";
  g.font = "13px system-ui, sans-serif";
  g.fillText(`Year ${frame.year}${S.ab ? (arm ? " (B)" : " (A)") : ""}`, 8, 18);
}

function drawLegend() {
  const items = {
    dis: `<span class="sw" style="background:${heat(0)}"></span>0% <span class="sw" style="background:${heat(0.3)}"></span>30% <span class="sw" style="background:${heat(0.6)}"></span>60%+ disadvantaged pupils`,
    eff: `<span class="sw" style="background:${diverging(-0.1, 0.1)}"></span>−0.1 <span class="sw" style="background:${diverging(0, 0.1)}"></span>0 <span class="sw" style="background:${diverging(0.1, 0.1)}"></span>+0.1 SD/yr effectiveness`,
    rep: `<span class="sw" style="background:${diverging(-1, 1)}"></span>low <span class="sw" style="background:${diverging(0, 1)}"></span>middling <span class="sw" style="background:${diverging(1, 1)}"></span>high reputation`,
    type: `<span class="sw" style="background:#3a7ca5"></span>maintained <span class="sw" style="background:#d9822b"></span>autonomous`,
  };
  $("legend").innerHTML = `Neighbourhoods shaded by disadvantaged share (<span class="sw" style="background:${disColour(0)}"></span>0% to <span class="sw" style="background:${disColour(0.6)}"></span>60%+). Schools sized by roll, coloured by ${items[S.colour]}. <span style="color:#d00">✕</span> closed this year, <span style="color:#777">✕</span> closed, <span style="color:#0a0">◯</span> expanded this year.`;
}

function hover(ev) {
  const tip = $("tooltip");
  if (!S.run || !S.run.frames.length) { tip.hidden = true; return; }
  const rect = map.canvas.getBoundingClientRect();
  const k = map.canvas.width / rect.width;
  const x = (ev.clientX - rect.left) * k, y = (ev.clientY - rect.top) * k;
  let best = null, bd = Infinity;
  for (const [px, py, r, i] of map.points) {
    const d = Math.hypot(px - x, py - y);
    if (d < r + 4 && d < bd) { bd = d; best = i; }
  }
  if (best === null) { tip.hidden = true; return; }
  const arm = Math.min(S.mapArm, S.run.static.arms.length - 1);
  const st = S.run.static.arms[arm];
  const f = S.run.frames[S.run.frames.length - 1].arms[arm];
  const i = best;
  tip.innerHTML = "";
  const lines = [
    `<b></b>`,
    `${st.schools.autonomous[i] ? "autonomous" : "maintained"}${f.open[i] ? "" : ", closed"}`,
    `roll ${f.roll[i]} (capacity ${f.capacity[i]} a year)`,
    `intake this year ${f.intake[i]}`,
    `effectiveness ${fmt(f.eff[i])} SD/yr`,
    `disadvantaged ${f.dis[i] === null ? "–" : Math.round(f.dis[i] * 100) + "%"}`,
    `reputation ${fmt(f.rep[i])}`,
  ];
  tip.innerHTML = lines.join("<br>");
  tip.querySelector("b").textContent = st.schools.name[i];
  tip.hidden = false;
  tip.style.left = `${(ev.clientX - rect.left) + 12}px`;
  tip.style.top = `${(ev.clientY - rect.top) + 12}px`;
}

// ---------- charts ----------

const CW = 320, CH = 150, PAD = { l: 52, r: 8, t: 8, b: 22 };

function svg(tag, attrs, parent) {
  const e = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (parent) parent.appendChild(e);
  return e;
}

function buildCharts() {
  const box = $("charts");
  box.innerHTML = "";
  S.charts = [];
  for (const h of S.headline) {
    const card = document.createElement("div");
    card.className = "chart";
    const title = document.createElement("div");
    title.className = "title";
    const name = document.createElement("span");
    name.textContent = h.title;
    title.appendChild(name);
    card.appendChild(title);
    const main = svg("svg", { viewBox: `0 0 ${CW} ${CH}`, id: "chart-" + h.key.replace("/", "-"), "data-key": h.key, role: "img", "aria-label": h.title });
    card.appendChild(main);
    let diff = null;
    if (S.ab) {
      diff = svg("svg", { viewBox: `0 0 ${CW} ${CH * 0.7}`, class: "diff", id: "diff-" + h.key.replace("/", "-"), "data-key": h.key });
      card.appendChild(diff);
    }
    box.appendChild(card);
    S.charts.push({ key: h.key, title: h.title, main, diff });
  }
  updateCharts();
}

function niceRange(vals) {
  let lo = Math.min(...vals), hi = Math.max(...vals);
  if (!Number.isFinite(lo)) { lo = 0; hi = 1; }
  if (hi - lo < 1e-9) { const m = Math.abs(hi) * 0.05 + 1e-3; lo -= m; hi += m; }
  const pad = (hi - lo) * 0.08;
  return [lo - pad, hi + pad];
}

function drawChart(el, title, series, years, h, zeroLine) {
  el.innerHTML = "";
  svg("rect", { x: 0, y: 0, width: CW, height: h, fill: "#fff" }, el);
  const all = series.flatMap((s) => s.values.filter((v) => v !== null && Number.isFinite(v)));
  const [lo, hi] = niceRange(zeroLine ? all.concat([0]) : all);
  const X = (yr) => PAD.l + (CW - PAD.l - PAD.r) * (years <= 1 ? 0.5 : (yr - 1) / (years - 1));
  const Y = (v) => h - PAD.b - (h - PAD.t - PAD.b) * (v - lo) / (hi - lo);
  svg("line", { x1: PAD.l, y1: h - PAD.b, x2: CW - PAD.r, y2: h - PAD.b, stroke: "#999" }, el);
  svg("line", { x1: PAD.l, y1: PAD.t, x2: PAD.l, y2: h - PAD.b, stroke: "#999" }, el);
  for (const v of [lo + (hi - lo) * 0.08, (lo + hi) / 2, hi - (hi - lo) * 0.08]) {
    const t = svg("text", { x: PAD.l - 4, y: Y(v) + 4, "text-anchor": "end", "font-size": 12, fill: "#555", "font-family": "sans-serif" }, el);
    t.textContent = Number(v.toPrecision(3)).toString().replace("-", "−");
    svg("line", { x1: PAD.l, y1: Y(v), x2: CW - PAD.r, y2: Y(v), stroke: "#eee" }, el);
  }
  for (const yr of [1, Math.round((years + 1) / 2), years]) {
    const t = svg("text", { x: X(yr), y: h - 6, "text-anchor": "middle", "font-size": 12, fill: "#555", "font-family": "sans-serif" }, el);
    t.textContent = yr;
  }
  if (zeroLine && lo < 0 && hi > 0) svg("line", { x1: PAD.l, y1: Y(0), x2: CW - PAD.r, y2: Y(0), stroke: "#555", "stroke-dasharray": "3 3" }, el);
  const tt = svg("title", {}, el);
  tt.textContent = title;
  for (const s of series) {
    const pts = s.values.map((v, i) => [i + 1, v]).filter(([, v]) => v !== null && Number.isFinite(v));
    if (pts.length > 1) svg("polyline", { points: pts.map(([x, v]) => `${X(x).toFixed(1)},${Y(v).toFixed(1)}`).join(" "), fill: "none", stroke: s.colour, "stroke-width": 1.8, class: "line-" + s.cls }, el);
    for (const [x, v] of pts) svg("circle", { cx: X(x).toFixed(1), cy: Y(v).toFixed(1), r: 2.4, fill: s.colour, class: "pt pt-" + s.cls }, el);
  }
  if (series.length > 1 || zeroLine) {
    let lx = PAD.l + 6;
    for (const s of series) {
      const t = svg("text", { x: lx, y: PAD.t + 10, "font-size": 12, fill: s.colour, "font-family": "sans-serif" }, el);
      t.textContent = s.label;
      lx += 8 + 6 * s.label.length;
    }
  }
}

function updateCharts() {
  if (!S.run || !S.charts) return;
  const frames = S.run.frames;
  const years = S.run.years;
  for (const c of S.charts) {
    const arms = S.run.static.arms.length;
    const series = [];
    for (let a = 0; a < arms; a++) {
      series.push({ values: frames.map((f) => f.arms[a].m[c.key] ?? null), colour: ARM_COLOURS[a], cls: a ? "b" : "a", label: a ? "B" : "A" });
    }
    drawChart(c.main, c.title, series, years, CH, false);
    if (c.diff && arms > 1) {
      const d = frames.map((f) => {
        const a = f.arms[0].m[c.key], b = f.arms[1].m[c.key];
        return a === null || b === null || a === undefined || b === undefined ? null : b - a;
      });
      drawChart(c.diff, `${c.title}: B − A`, [{ values: d, colour: "#6a3d9a", cls: "d", label: "B − A" }], years, CH * 0.7, true);
    }
  }
}

// ---------- export ----------

function fillExport() {
  const ex = S.run.exports;
  $("export-command-a").textContent = ex[0].command;
  $("export-toml-a").value = ex[0].toml;
  if (ex[1]) {
    $("export-command-b").textContent = ex[1].command;
    $("export-toml-b").value = ex[1].toml;
  }
}

function download(name, blob) {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.appendChild(a);
  a.click();
  setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
}

function chartSvgText(c) {
  const clone = c.main.cloneNode(true);
  clone.setAttribute("xmlns", SVGNS);
  clone.setAttribute("width", CW);
  clone.setAttribute("height", CH);
  const t = svg("text", { x: CW - 6, y: 12, "text-anchor": "end", "font-size": 12, "font-family": "sans-serif" }, clone);
  t.textContent = c.title;
  return new XMLSerializer().serializeToString(clone);
}

function stem() { return `${S.scenario}-seed${S.seed}-year${S.run ? S.run.frames.length : 0}`; }

function chartsSvg() {
  if (!S.charts) return;
  for (const c of S.charts) download(`${stem()}-${c.key.replace("/", "-")}.svg`, new Blob([chartSvgText(c)], { type: "image/svg+xml" }));
}

function chartsPng() {
  if (!S.charts) return;
  for (const c of S.charts) {
    const img = new Image();
    img.onload = () => {
      const cv = document.createElement("canvas");
      cv.width = CW * 2;
      cv.height = CH * 2;
      const g = cv.getContext("2d");
      g.scale(2, 2);
      g.drawImage(img, 0, 0);
      cv.toBlob((b) => download(`${stem()}-${c.key.replace("/", "-")}.png`, b));
    };
    img.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(chartSvgText(c));
  }
}

// ---------- wiring ----------

async function init() {
  const r = await api("/api/info");
  S.info = r.data;
  S.controls = r.data.controls;
  const sel = $("scenario");
  for (const s of r.data.scenarios) {
    const o = document.createElement("option");
    o.value = s.name;
    o.textContent = s.name;
    o.title = s.description;
    sel.appendChild(o);
  }
  readHash();
  sel.value = S.scenario;
  $("seed").value = S.seed;
  $("years").value = S.years;
  $("years").max = r.data.limits.years;
  $("scale").value = S.scale;
  $("scale").max = r.data.limits.scale;
  $("ab").checked = S.ab;
  $("colour").value = S.colour;
  $("speed").value = S.speed;
  $("speed-text").textContent = speedValue(S.speed) === Infinity ? " max" : ` ${S.speed}/s`;
  if (!(await loadScenario())) return;
  buildControls();
  writeHash();

  sel.addEventListener("change", async () => {
    S.scenario = sel.value;
    S.sets = [{}, {}];
    const d = await api(`/api/scenario?name=${encodeURIComponent(S.scenario)}`);
    if (d.ok) { S.seed = d.data.seed; $("seed").value = S.seed; }
    await loadScenario();
    settingsChanged();
  });
  for (const [id, key] of [["seed", "seed"], ["years", "years"], ["scale", "scale"]]) {
    $(id).addEventListener("change", () => { S[key] = Number($(id).value); settingsChanged(); });
  }
  $("play").addEventListener("click", () => {
    if (S.playing) { S.playing = false; updatePlay(); return; }
    if (!S.run || S.run.done) start(true); else play();
  });
  $("step").addEventListener("click", () => { S.playing = false; updatePlay(); nextFrame(S.gen); });
  $("reset").addEventListener("click", () => start(false));
  $("speed").addEventListener("input", () => {
    S.speed = Number($("speed").value);
    $("speed-text").textContent = speedValue(S.speed) === Infinity ? " max" : ` ${S.speed}/s`;
    writeHash();
  });
  $("ab").addEventListener("change", () => {
    S.ab = $("ab").checked;
    if (S.ab) S.sets[1] = { ...S.sets[0] };
    S.editing = 0;
    S.mapArm = 0;
    document.querySelector('input[name=arm][value=A]').checked = true;
    document.querySelector('input[name=maparm][value="0"]').checked = true;
    settingsChanged();
  });
  for (const el of document.querySelectorAll("input[name=arm]")) {
    el.addEventListener("change", () => { S.editing = el.value === "B" ? 1 : 0; refreshControls(); });
  }
  for (const el of document.querySelectorAll("input[name=maparm]")) {
    el.addEventListener("change", () => { S.mapArm = Number(el.value); if (S.run) { prepareMap(); drawMap(); } });
  }
  $("colour").addEventListener("change", () => { S.colour = $("colour").value; writeHash(); drawLegend(); drawMap(); });
  $("any").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const t = $("any-text").value.trim();
    const i = t.indexOf("=");
    if (i <= 0) { showProblems([{ text: "write PATH=VALUE, such as learning.peer_effect=0.08" }]); return; }
    const arms = S.ab ? [S.editing] : [0, 1];
    for (const a of arms) S.sets[a][t.slice(0, i).trim()] = t.slice(i + 1).trim();
    $("any-text").value = "";
    settingsChanged(true);
  });
  $("export-show").addEventListener("click", () => { $("export").hidden = !$("export").hidden; });
  $("export-download-a").addEventListener("click", () => download(`${stem()}-A.toml`, new Blob([$("export-toml-a").value], { type: "text/plain" })));
  $("export-download-b").addEventListener("click", () => download(`${stem()}-B.toml`, new Blob([$("export-toml-b").value], { type: "text/plain" })));
  $("charts-svg").addEventListener("click", chartsSvg);
  $("charts-png").addEventListener("click", chartsPng);
  $("map-png").addEventListener("click", () => map.canvas.toBlob((b) => download(`${stem()}-map.png`, b)));
  $("map").addEventListener("mousemove", hover);
  $("map").addEventListener("mouseleave", () => { $("tooltip").hidden = true; });
  window.addEventListener("pagehide", stopSession);
  await start(false);
  S.ready = true;
}

init().catch((e) => { $("status").textContent = "error: " + e; });
