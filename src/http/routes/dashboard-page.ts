/**
 * GET /dashboard: one self-contained page (no build step, no external requests) that reads the
 * gateway's own API: /readyz, /metrics, POST /v1/query and POST /v1/search. The charts are a few
 * lines of SVG: a chart library would add more to the Workers bundle than the page itself weighs.
 * The page holds no data; calls to the query API carry the key typed into it (kept in localStorage).
 */
export const DASHBOARD_HTML = /* html */ `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>wide-gate</title>
<link rel="icon" href="data:,">
<style>
  :root { --fg:#1d2330; --muted:#667085; --line:#e4e7ec; --bg:#f8f9fb; --accent:#3559e0; --err:#d92d20; --ok:#12b76a; }
  * { box-sizing: border-box; }
  body { margin:0; font:14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color:var(--fg); background:var(--bg); }
  header { display:flex; gap:16px; align-items:center; padding:14px 24px; background:#fff; border-bottom:1px solid var(--line); }
  header h1 { font-size:18px; margin:0; }
  header .status { padding:2px 10px; border-radius:99px; font-size:12px; background:var(--line); }
  header .status.ready { background:#d1fadf; color:#05603a; } header .status.bad { background:#fee4e2; color:#912018; }
  header input { width:220px; padding:6px 8px; border:1px solid var(--line); border-radius:6px; }
  main { display:grid; grid-template-columns:repeat(auto-fit, minmax(340px, 1fr)); gap:16px; padding:16px 24px; }
  section { background:#fff; border:1px solid var(--line); border-radius:10px; padding:14px 16px; min-width:0; }
  section h2 { font-size:13px; text-transform:uppercase; letter-spacing:.04em; color:var(--muted); margin:0 0 10px; }
  .wide { grid-column:1 / -1; }
  .cards { display:grid; grid-template-columns:repeat(4, 1fr); gap:8px; }
  .card b { display:block; font-size:22px; } .card span { color:var(--muted); font-size:12px; }
  table { width:100%; border-collapse:collapse; font-variant-numeric:tabular-nums; }
  td, th { text-align:left; padding:4px 6px; border-bottom:1px solid var(--line); } td.num, th.num { text-align:right; }
  .bar { height:10px; background:var(--accent); border-radius:3px; } .bar.err { background:var(--err); }
  form { display:flex; gap:8px; } form input { flex:1; padding:8px 10px; border:1px solid var(--line); border-radius:6px; font-size:14px; }
  button { padding:8px 14px; border:0; border-radius:6px; background:var(--accent); color:#fff; cursor:pointer; }
  .answer { margin-top:10px; white-space:pre-wrap; } .muted { color:var(--muted); } .note { color:var(--err); }
  svg text { font-size:10px; fill:var(--muted); }
</style>
</head>
<body>
<header>
  <h1>wide-gate</h1><span id="status" class="status">checking…</span>
  <form id="key-form" style="margin-left:auto"><input id="key" type="password" autocomplete="off" placeholder="query API key (if set)" aria-label="query API key"></form>
</header>
<main>
  <section class="wide"><h2>Ingest since start</h2><div class="cards" id="cards"></div></section>
  <section><h2>Sampling decisions</h2><table id="sampling"></table></section>
  <section><h2>Events per 5 minutes, last hour (estimated)</h2><div id="series" class="muted">loading…</div></section>
  <section><h2>Error rate by service, last hour</h2><table id="errors"></table></section>
  <section><h2>Slowest routes, p95, last hour</h2><table id="slow"></table></section>
  <section class="wide"><h2>Ask</h2>
    <form id="ask"><input id="question" placeholder="how many payment errors in the last hour, by error code?" aria-label="question"><button>Ask</button></form>
    <div id="answer" class="answer muted"></div><table id="answer-table"></table>
  </section>
</main>
<script>
const $ = (id) => document.getElementById(id);
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
const fmt = (n) => (n == null ? "–" : Math.abs(n) >= 100 ? Math.round(n).toLocaleString("en-US") : (+n).toFixed(n % 1 ? 2 : 0));
$("key").value = localStorage.getItem("widegate-key") || "";
$("key").addEventListener("change", () => { localStorage.setItem("widegate-key", $("key").value); refresh(); });
$("key-form").addEventListener("submit", (event) => event.preventDefault());
const headers = () => ({ "content-type": "application/json", ...($("key").value ? { authorization: "Bearer " + $("key").value } : {}) });
async function post(path, body) {
  const r = await fetch(path, { method: "POST", headers: headers(), body: JSON.stringify(body) });
  const data = await r.json();
  if (!r.ok) throw new Error(data.error ? data.error.code + ": " + data.error.message : "HTTP " + r.status);
  return data;
}
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
function series(rows) {
  if (!rows.length) return "<span class='muted'>no events in the last hour</span>";
  const w = 560, h = 140, pad = 24, max = Math.max(...rows.map((r) => r.value || 0), 1), bw = (w - pad) / rows.length;
  const bars = rows.map((r, i) => {
    const bh = ((r.value || 0) / max) * (h - pad);
    return "<rect x='" + (pad + i * bw + 1) + "' y='" + (h - pad - bh) + "' width='" + Math.max(1, bw - 2) + "' height='" + bh + "' fill='#3559e0'><title>" +
      esc(r.bucket + ": " + fmt(r.value)) + "</title></rect>";
  }).join("");
  const first = rows[0].bucket.slice(11, 16), last = rows[rows.length - 1].bucket.slice(11, 16);
  return "<svg viewBox='0 0 " + w + " " + h + "' width='100%' role='img' aria-label='events per bucket'>" + bars +
    "<text x='" + pad + "' y='" + (h - 8) + "'>" + first + "</text><text x='" + (w - 30) + "' y='" + (h - 8) + "'>" + last + "</text>" +
    "<text x='0' y='10'>" + fmt(max) + "</text></svg>";
}
async function refresh() {
  fetch("/readyz").then((r) => r.json()).then((d) => { $("status").textContent = d.status; $("status").className = "status " + (d.status === "ready" ? "ready" : "bad"); })
    .catch(() => { $("status").textContent = "unreachable"; $("status").className = "status bad"; });
  const metrics = metricsOf(await (await fetch("/metrics")).text());
  const sum = (name, pred) => metrics.filter((m) => m.name === name && pred(m.labels)).reduce((a, m) => a + m.value, 0);
  const outcome = (o) => sum("widegate_ingest_events_total", (l) => l.outcome === o);
  const kept = outcome("kept"), dropped = outcome("dropped"), rejected = outcome("rejected");
  $("cards").innerHTML = [["accepted", kept + dropped], ["kept", kept], ["dropped by sampling", dropped], ["rejected", rejected]]
    .map(([l, v]) => "<div class='card'><b>" + fmt(v) + "</b><span>" + l + "</span></div>").join("");
  const reasons = metrics.filter((m) => m.name === "widegate_sampling_decisions_total" && m.labels.decision === "kept" && m.value > 0);
  $("sampling").innerHTML = reasons.length ? barRows(reasons.map((m) => [m.labels.reason, m.value]), Math.max(...reasons.map((m) => m.value)))
    : "<tr><td class='muted'>no events yet</td></tr>";
  try {
    const s = await post("/v1/query", { metric: "count", timeRange: { last: "1h" }, bucket: "5m", limit: 100 });
    $("series").innerHTML = series(s.rows);
    const e = await post("/v1/query", { metric: "error_rate", timeRange: { last: "1h" }, groupBy: ["service"], limit: 10 });
    $("errors").innerHTML = barRows(e.rows.map((r) => [r.service, r.value || 0, ((r.value || 0) * 100).toFixed(2) + "%"]), Math.max(...e.rows.map((r) => r.value || 0), 0.0001), true);
    const p = await post("/v1/query", { metric: "p95", field: "durationMs", timeRange: { last: "1h" }, groupBy: ["route"], limit: 8 });
    const slow = p.rows.filter((r) => r.value != null).sort((a, b) => b.value - a.value);
    $("slow").innerHTML = barRows(slow.map((r) => [r.route, r.value, fmt(r.value) + " ms"]), slow.length ? slow[0].value : 0);
  } catch (error) {
    $("series").innerHTML = "<span class='note'>" + esc(error.message) + "</span>";
  }
}
let sessionId = sessionStorage.getItem("widegate-session") || undefined;
$("ask").addEventListener("submit", async (event) => {
  event.preventDefault();
  $("answer").textContent = "…";
  $("answer-table").innerHTML = "";
  try {
    const d = await post("/v1/search", { question: $("question").value, ...(sessionId ? { sessionId } : {}) });
    sessionId = d.sessionId; sessionStorage.setItem("widegate-session", sessionId);
    $("answer").className = "answer";
    $("answer").textContent = d.answer; // warnings are already part of the answer's text
    const rows = d.data && (d.data.rows || d.data.events);
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
refresh();
setInterval(refresh, 10000);
</script>
</body>
</html>
`;
