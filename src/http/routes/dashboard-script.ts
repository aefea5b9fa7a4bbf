/**
 * The dashboard's inline script (plain browser JavaScript, no build step). It reads only this
 * gateway's API with the key typed into the page: /readyz and /metrics (pipeline health),
 * POST /v1/query over the rollups (exact per-service series), GET /v1/events (the events behind a
 * point or a row) and POST /v1/search (the ask box). Charts are uPlot, served by /dashboard/uplot.js.
 */
export const DASHBOARD_SCRIPT = /* js */ `
const $ = (id) => document.getElementById(id);
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
const fmt = (n) => (n == null ? "–" : Math.abs(n) >= 100 ? Math.round(n).toLocaleString("en-US") : (+n).toFixed(n % 1 ? 2 : 0));
const hhmm = (ms) => new Date(ms).toISOString().slice(5, 16).replace("T", " ") + " UTC";
const RANGES = { "15m": 15, "1h": 60, "6h": 360, "24h": 1440, "7d": 10080 };
const BUCKETS = [["1m", 1], ["5m", 5], ["15m", 15], ["1h", 60], ["6h", 360], ["1d", 1440]];
const COLORS = ["#3559e0", "#d92d20", "#12b76a", "#f79009", "#7a5af8", "#0ba5ec", "#ee46bc", "#667085"];
const charts = {};
const focused = {};
let view = null;

$("key").value = localStorage.getItem("widegate-key") || "";
$("key").addEventListener("change", () => { localStorage.setItem("widegate-key", $("key").value); refresh(); });
$("key-form").addEventListener("submit", (event) => event.preventDefault());
$("range").addEventListener("change", () => { $("custom").hidden = $("range").value !== "custom"; if ($("range").value !== "custom") refresh(); });
$("custom").addEventListener("submit", (event) => { event.preventDefault(); refresh(); });
const headers = () => ({ "content-type": "application/json", ...($("key").value ? { authorization: "Bearer " + $("key").value } : {}) });
// The gateway-wide numbers (/metrics) need the operator's METRICS_API_KEY once tenants have keys; a query key does not open them.
$("metrics-key").value = localStorage.getItem("widegate-metrics-key") || "";
$("metrics-key").addEventListener("change", () => { localStorage.setItem("widegate-metrics-key", $("metrics-key").value); refresh(); });
const metricsHeaders = () => ($("metrics-key").value ? { authorization: "Bearer " + $("metrics-key").value } : {});
const METRICS_KEY_NOTE = "the gateway's pipeline numbers need its metrics key (METRICS_API_KEY): type it in the metrics key field.";
async function call(path, init) {
  const r = await fetch(path, { ...init, headers: headers() });
  const data = await r.json();
  if (!r.ok) throw new Error(data.error ? data.error.code + ": " + data.error.message : "HTTP " + r.status);
  return data;
}
const post = (path, body) => call(path, { method: "POST", body: JSON.stringify(body) });

function metricsOf(text) {
  const out = [];
  for (const line of text.split("\\n")) {
    const m = line.match(/^(\\w+)(?:\\{(.*)\\})? ([\\d.eE+-]+)$/);
    if (!m) continue;
    const labels = {};
    for (const kv of (m[2] || "").matchAll(/(\\w+)="([^"]*)"/g)) labels[kv[1]] = kv[2];
    out.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return out;
}
function barRows(rows, max, err) {
  return rows.map(([label, value, text]) =>
    "<tr><td>" + esc(label) + "</td><td style='width:45%'><div class='bar" + (err ? " err" : "") + "' style='width:" +
    (max ? Math.max(1, (100 * value) / max) : 0) + "%'></div></td><td class='num'>" + esc(text ?? fmt(value)) + "</td></tr>").join("");
}

/** The range the picker selects, in epoch ms; custom times are read as UTC like every label. */
function chosenRange() {
  const v = $("range").value;
  if (v !== "custom") { const to = Date.now(); return { from: to - RANGES[v] * 60000, to }; }
  const from = Date.parse($("from").value + ":00Z"), to = Date.parse($("to").value + ":00Z");
  if (!(from < to)) throw new Error("custom range: pick a start before the end");
  return { from, to };
}
/** The smallest bucket that keeps every series within the query's row limit. */
function pickBucket(spanMin, services) {
  for (const b of BUCKETS) if (spanMin / b[1] <= 360 && (spanMin / b[1] + 1) * Math.max(1, services) <= 950) return b;
  return BUCKETS[BUCKETS.length - 1];
}

async function pipeline() {
  const ready = fetch("/readyz").then((r) => r.json());
  const checks = ready.then((d) => d.checks || {}).catch(() => ({}));
  ready.then((d) => {
    $("status").textContent = d.status; $("status").className = "status " + (d.status === "ready" ? "ready" : "bad");
    // Each backend's own words: the spool's segment count, the publisher's circuit, the store's latency.
    $("checks").innerHTML = Object.entries(d.checks || {}).map(([name, c]) => "<tr><td>" + esc(name) + "</td><td class='" + (c.ok ? "" : "note") + "'>" +
      (c.ok ? "ok" : "failing") + "</td><td class='muted'>" + esc(c.detail || "") + "</td></tr>").join("");
  })
    .catch(() => { $("status").textContent = "unreachable"; $("status").className = "status bad"; });
  const metricsResponse = await fetch("/metrics", { headers: metricsHeaders() });
  if (metricsResponse.status === 401) {
    $("cards").innerHTML = "<div class='note'>" + esc(METRICS_KEY_NOTE) + "</div>";
    $("health-note").textContent = METRICS_KEY_NOTE;
    return;
  }
  const metrics = metricsOf(await metricsResponse.text());
  const sum = (name, pred) => metrics.filter((m) => m.name === name && (!pred || pred(m.labels))).reduce((a, m) => a + m.value, 0);
  const outcome = (o) => sum("widegate_ingest_events_total", (l) => l.outcome === o);
  const kept = outcome("kept"), dropped = outcome("dropped"), rejected = outcome("rejected");
  const saved = kept + dropped ? (100 * dropped) / (kept + dropped) : 0;
  $("cards").innerHTML = [["accepted", fmt(kept + dropped)], ["kept", fmt(kept)], ["dropped by sampling", fmt(dropped)], ["rejected", fmt(rejected)],
    ["not stored (sampling savings)", saved.toFixed(1) + "%"]]
    .map(([l, v]) => "<div class='card'><b>" + v + "</b><span>" + l + "</span></div>").join("");
  health(sum, checks).catch((error) => { $("health-note").textContent = error.message; });
  const reasons = metrics.filter((m) => m.name === "widegate_sampling_decisions_total" && m.labels.decision === "kept" && m.value > 0);
  $("sampling").innerHTML = reasons.length ? barRows(reasons.map((m) => [m.labels.reason, m.value]), Math.max(...reasons.map((m) => m.value)))
    : "<tr><td class='muted'>no events yet</td></tr>";
}

/**
 * Pipeline health: the gateway's own publish numbers (/metrics, since it started), the spool as the
 * readiness check reports it, and the worker's lag, dead letters and commits through
 * /dashboard/worker-metrics when WORKER_METRICS_URL is set; otherwise the page says what is missing.
 */
async function health(sum, checksPromise) {
  const checks = await checksPromise;
  const spool = Object.entries(checks).find(([name]) => /spool|file/.test(name));
  const rows = [
    ["publish failures (gateway, since start)", fmt(sum("widegate_publish_failures_total"))],
    ["events sent to the fallback (since start)", fmt(sum("widegate_publish_fallback_events_total"))],
    ["publish queue (now)", fmt(sum("widegate_publish_queue_depth"))],
    ["spool", spool ? (spool[1].ok ? "" : "failing: ") + (spool[1].detail || "ok") : "no file fallback configured"],
  ];
  const worker = await (await fetch("/dashboard/worker-metrics", { headers: metricsHeaders() })).json();
  let note = "";
  if (!worker.configured) note = "WORKER_METRICS_URL is not set: consumer lag and dead letters live on the worker's /metrics, which this gateway does not read.";
  else if (worker.error) note = worker.error;
  else {
    const w = metricsOf(worker.metrics);
    // A series the worker has not reported yet (lag before its first measurement) shows as –, not 0.
    const wsum = (name, pred) => { const ms = w.filter((m) => m.name === name && (!pred || pred(m.labels))); return ms.length ? ms.reduce((a, m) => a + m.value, 0) : null; };
    const last = wsum("widegate_worker_last_commit_timestamp_seconds");
    rows.push(
      ["consumer lag (messages not committed)", fmt(wsum("widegate_worker_consumer_lag_sum"))],
      ["dead-lettered (since the worker started)", fmt(wsum("widegate_worker_messages_total", (l) => l.result === "dead_lettered"))],
      ["stored by the worker (since it started)", fmt(wsum("widegate_worker_messages_total", (l) => l.result === "stored"))],
      ["commit failures", fmt(wsum("widegate_worker_commit_failures_total"))],
      ["worker paused for the store", wsum("widegate_worker_paused") == null ? "–" : wsum("widegate_worker_paused") > 0 ? "yes" : "no"],
      ["last commit", last ? hhmm(last * 1000) : "–"],
    );
  }
  $("health").innerHTML = rows.map(([l, v]) => "<tr><td>" + esc(l) + "</td><td class='num'>" + esc(v) + "</td></tr>").join("");
  $("health-note").textContent = note;
}

/** x: bucket starts (s); one array per service; absent buckets are 0 requests and no rate or p95. */
function seriesOf(rows, services, xs, bucketMs, value) {
  const at = new Map(xs.map((x, i) => [x * 1000, i]));
  const ys = services.map(() => xs.map(() => null));
  for (const r of rows) {
    const i = at.get(Date.parse(r.bucket)), s = services.indexOf(r.service);
    if (i !== undefined && s >= 0) ys[s][i] = value(r, xs[i] * 1000);
  }
  return ys;
}
function peakOf(ys, xs, services) {
  let best = null;
  ys.forEach((y, s) => y.forEach((v, i) => { if (v != null && (!best || v > best.v)) best = { v, at: xs[i] * 1000, service: services[s] }; }));
  return best;
}
function draw(key, el, services, xs, ys, unit, onClick) {
  charts[key]?.destroy();
  el.innerHTML = "";
  const fmtUnit = (v) => (v == null ? "–" : fmt(v) + unit);
  const opts = {
    width: Math.max(280, el.clientWidth), height: 190, tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), "Etc/UTC"),
    cursor: { focus: { prox: 24 } }, focus: { alpha: 0.35 }, legend: { live: true },
    scales: { y: { range: (u, min, max) => [0, max > 0 ? max * 1.1 : 1] } },
    axes: [{}, { size: 80, values: (u, vals) => vals.map(fmtUnit) }],
    series: [{ label: "time (UTC)" }, ...services.map((s, i) => ({ label: s, stroke: COLORS[i % COLORS.length], width: 2, value: (u, v) => fmtUnit(v) }))],
    hooks: { setSeries: [(u, i) => { focused[key] = i; }] },
  };
  const chart = new uPlot(opts, [xs, ...ys], el);
  chart.over.style.cursor = "pointer";
  chart.over.addEventListener("click", () => {
    const i = chart.cursor.idx;
    if (i == null) return;
    const s = focused[key];
    onClick(xs[i] * 1000, s ? services[s - 1] : undefined);
  });
  charts[key] = chart;
}

async function traffic() {
  const { from, to } = chosenRange();
  const whole = { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
  const [count, errors, p95] = await Promise.all(["count", "error_rate", "p95"].map((metric) =>
    post("/v1/query", { metric, timeRange: whole, groupBy: ["service"], limit: 1000 })));
  const rate = new Map(errors.rows.map((r) => [r.service, r.value])), lat = new Map(p95.rows.map((r) => [r.service, r.value]));
  const services = count.rows.map((r) => r.service).slice(0, COLORS.length);
  $("services").innerHTML = "<tr><th>service</th><th class='num'>requests</th><th class='num'>error rate</th><th class='num'>p95 ms</th></tr>" +
    count.rows.map((r) => "<tr data-service='" + esc(r.service) + "'><td><a href='#events' data-events='all'>" + esc(r.service) + "</a></td><td class='num'>" + fmt(r.value) +
      "</td><td class='num'><a href='#events' data-events='errors'>" + (rate.get(r.service) == null ? "–" : (100 * rate.get(r.service)).toFixed(2) + "%") +
      "</a></td><td class='num'>" + fmt(lat.get(r.service)) + "</td></tr>").join("");
  const [bucket, minutes] = pickBucket((to - from) / 60000, services.length);
  const bucketMs = minutes * 60000, start = Math.floor(from / bucketMs) * bucketMs;
  view = { from: start, to, bucket, bucketMs };
  const total = count.rows.reduce((a, r) => a + (r.value || 0), 0);
  $("in-range").textContent = fmt(total) + " events accepted in the range: exact, from the rollups, which live in the store and survive a restart";
  $("range-label").textContent = hhmm(start) + " → " + hhmm(to) + ", " + bucket + " buckets, exact (" + (count.source || "rollups") + ")";
  if (!services.length) {
    for (const key of ["requests", "errors", "latency"]) { charts[key]?.destroy(); delete charts[key]; $(key).innerHTML = "<span class='muted'>no events in this range</span>"; $(key + "-peak").textContent = ""; }
    return;
  }
  const range = { from: new Date(start).toISOString(), to: whole.to };
  const filter = { service: { in: services } };
  const [c, e, p] = await Promise.all(["count", "error_rate", "p95"].map((metric) =>
    post("/v1/query", { metric, timeRange: range, groupBy: ["service"], bucket, filter, limit: 1000 })));
  const xs = [];
  for (let t = start; t < to; t += bucketMs) xs.push(t / 1000);
  // Requests per minute over the part of each bucket inside the range, so the bucket still filling is
  // not drawn as a drop; under a quarter filled it is left out rather than extrapolated.
  const covered = (t) => Math.min(t + bucketMs, to) - t;
  const perMinute = (r, t) => (covered(t) < bucketMs / 4 ? null : r.value / (covered(t) / 60000));
  const charted = [
    ["requests", seriesOf(c.rows, services, xs, bucketMs, perMinute).map((y) => y.map((v, i) => v ?? (covered(xs[i] * 1000) < bucketMs / 4 ? null : 0))), "/min", false],
    ["errors", seriesOf(e.rows, services, xs, bucketMs, (r) => (r.value == null ? null : 100 * r.value)), "%", true],
    ["latency", seriesOf(p.rows, services, xs, bucketMs, (r) => r.value), " ms", false],
  ];
  for (const [key, ys, unit, errorsOnly] of charted) {
    draw(key, $(key), services, xs, ys, unit, (t, service) => showEvents({ service, from: t, to: Math.min(t + bucketMs, to), errors: errorsOnly }));
    const peak = peakOf(ys, xs, services);
    $(key + "-peak").textContent = peak ? "peak " + fmt(peak.v) + unit + " at " + hhmm(peak.at) + " (" + peak.service + ")" : "";
  }
}

let eventsQuery = null;
async function showEvents(q, cursor) {
  eventsQuery = q;
  const params = new URLSearchParams({ limit: "50", from: new Date(q.from).toISOString(), to: new Date(q.to).toISOString() });
  if (q.service) params.set("service", q.service);
  if (q.errors) params.set("hasError", "true");
  if (cursor) params.set("cursor", cursor);
  $("events-label").textContent = (q.errors ? "errors" : "events") + (q.service ? " of " + q.service : "") + ", " + hhmm(q.from) + " → " + hhmm(q.to);
  try {
    const page = await call("/v1/events?" + params);
    const rows = page.events.map((e) => "<tr><td>" + esc(e.timestamp || "") + "</td><td>" + esc(e.service || "") + "</td><td>" + esc(e.method || "") + "</td><td>" +
      esc(e.route || "") + "</td><td class='num'>" + esc(e.statusCode ?? "") + "</td><td class='num'>" + fmt(e.durationMs) + "</td><td>" +
      esc((e.error && (e.error.code || e.error.message)) || "") + "</td><td class='muted'>" + esc(e.eventId || "") + "</td></tr>").join("");
    const head = "<tr><th>time</th><th>service</th><th>method</th><th>route</th><th class='num'>status</th><th class='num'>ms</th><th>error</th><th>eventId</th></tr>";
    $("events").innerHTML = cursor ? $("events").innerHTML + rows : head + (rows || "<tr><td colspan='8' class='muted'>no stored events (only kept events are stored)</td></tr>");
    $("more").hidden = !page.nextCursor;
    $("more").onclick = () => showEvents(q, page.nextCursor);
  } catch (error) {
    $("events").innerHTML = "<tr><td class='note'>" + esc(error.message) + "</td></tr>";
  }
  $("events-section").scrollIntoView({ block: "nearest" });
}
$("services").addEventListener("click", (event) => {
  const link = event.target.closest("a[data-events]");
  if (!link || !view) return;
  event.preventDefault();
  showEvents({ service: link.closest("tr").dataset.service, from: view.from, to: view.to, errors: link.dataset.events === "errors" });
});

async function refresh() {
  pipeline().catch(() => {});
  try {
    $("traffic-note").textContent = "";
    await traffic();
  } catch (error) {
    $("traffic-note").textContent = error.message;
  }
}

let sessionId = sessionStorage.getItem("widegate-session") || undefined;
$("ask").addEventListener("submit", async (event) => {
  event.preventDefault();
  $("answer").textContent = "…";
  $("answer-table").innerHTML = "";
  charts.answer?.destroy(); delete charts.answer; $("answer-chart").innerHTML = "";
  try {
    const d = await post("/v1/search", { question: $("question").value, ...(sessionId ? { sessionId } : {}) });
    sessionId = d.sessionId; sessionStorage.setItem("widegate-session", sessionId);
    $("answer").className = "answer";
    $("answer").textContent = d.answer; // warnings are already part of the answer's text
    const rows = d.data && (d.data.rows || d.data.events);
    if (d.data && d.data.rows && d.query && d.query.bucket && rows.length) answerChart(d.query, d.data.rows);
    if (rows && rows.length) {
      // Group keys first, the number last, as a person reads a breakdown.
      const cols = Object.keys(rows[0]).filter((k) => typeof rows[0][k] !== "object").sort((a, b) => (a === "value") - (b === "value")).slice(0, 7);
      $("answer-table").innerHTML = "<tr>" + cols.map((c) => "<th>" + esc(c) + "</th>").join("") + "</tr>" +
        rows.slice(0, 20).map((r) => "<tr>" + cols.map((c) => "<td>" + esc(typeof r[c] === "number" ? fmt(r[c]) : r[c] ?? "") + "</td>").join("") + "</tr>").join("");
    }
  } catch (error) {
    $("answer").className = "answer note";
    $("answer").textContent = error.message;
  }
});
/** A time-series answer as a chart: one line per group (the first groupBy key), or one line. */
function answerChart(query, rows) {
  const key = (query.groupBy || [])[0];
  const groups = [...new Set(rows.map((r) => (key ? String(r[key]) : query.metric)))].slice(0, COLORS.length);
  const xs = [...new Set(rows.map((r) => Date.parse(r.bucket) / 1000))].sort((a, b) => a - b);
  const ys = groups.map((g) => xs.map((x) => {
    const r = rows.find((row) => Date.parse(row.bucket) / 1000 === x && (key ? String(row[key]) : query.metric) === g);
    return r ? (query.metric === "error_rate" && r.value != null ? 100 * r.value : r.value) : null;
  }));
  draw("answer", $("answer-chart"), groups, xs, ys, query.metric === "error_rate" ? "%" : "", () => {});
}

refresh();
setInterval(() => { if ($("range").value !== "custom") refresh(); }, 15000);
`;
