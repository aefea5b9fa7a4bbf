import { DASHBOARD_SCRIPT } from "./dashboard-script.ts";

/**
 * GET /dashboard: one page for on-call, with no external requests. It reads the gateway's own
 * API (see dashboard-script.ts); charts are uPlot, served from this gateway at /dashboard/uplot.js.
 * The page holds no data; calls to the query API carry the key typed into it (kept in localStorage).
 */
export const DASHBOARD_HTML = /* html */ `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>wide-gate</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/dashboard/uplot.css">
<script src="/dashboard/uplot.js"></script>
<style>
  :root { --fg:#1d2330; --muted:#667085; --line:#e4e7ec; --bg:#f8f9fb; --accent:#3559e0; --err:#d92d20; --ok:#12b76a; }
  * { box-sizing: border-box; } [hidden] { display:none !important; }
  body { margin:0; font:14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color:var(--fg); background:var(--bg); }
  header { display:flex; flex-wrap:wrap; gap:12px 16px; align-items:center; padding:14px 24px; background:#fff; border-bottom:1px solid var(--line); }
  header h1 { font-size:18px; margin:0; }
  header .status { padding:2px 10px; border-radius:99px; font-size:12px; background:var(--line); }
  header .status.ready { background:#d1fadf; color:#05603a; } header .status.bad { background:#fee4e2; color:#912018; }
  header input, header select { padding:6px 8px; border:1px solid var(--line); border-radius:6px; font:inherit; }
  #key, #metrics-key { width:220px; }
  main { display:grid; grid-template-columns:repeat(auto-fit, minmax(380px, 1fr)); gap:16px; padding:16px 24px; }
  section { background:#fff; border:1px solid var(--line); border-radius:10px; padding:14px 16px; min-width:0; }
  section h2 { font-size:13px; text-transform:uppercase; letter-spacing:.04em; color:var(--muted); margin:0 0 10px; }
  .wide { grid-column:1 / -1; }
  .cards { display:grid; grid-template-columns:repeat(auto-fit, minmax(130px, 1fr)); gap:8px; }
  .card b { display:block; font-size:22px; } .card span { color:var(--muted); font-size:12px; }
  table { width:100%; border-collapse:collapse; font-variant-numeric:tabular-nums; }
  td, th { text-align:left; padding:4px 6px; border-bottom:1px solid var(--line); } td.num, th.num { text-align:right; }
  a { color:var(--accent); text-decoration:none; } a:hover { text-decoration:underline; }
  .bar { height:10px; background:var(--accent); border-radius:3px; } .bar.err { background:var(--err); }
  form { display:flex; gap:8px; align-items:center; } #ask input { flex:1; padding:8px 10px; border:1px solid var(--line); border-radius:6px; font-size:14px; }
  button { padding:8px 14px; border:0; border-radius:6px; background:var(--accent); color:#fff; cursor:pointer; }
  .answer { margin-top:10px; white-space:pre-wrap; } .muted { color:var(--muted); } .note { color:var(--err); }
  .peak { color:var(--muted); font-size:12px; min-height:1.4em; }
</style>
</head>
<body>
<header>
  <h1>wide-gate</h1><span id="status" class="status">checking…</span>
  <label>range <select id="range" aria-label="time range">
    <option value="15m">last 15 minutes</option><option value="1h" selected>last hour</option><option value="6h">last 6 hours</option>
    <option value="24h">last 24 hours</option><option value="7d">last 7 days</option><option value="custom">custom…</option>
  </select></label>
  <form id="custom" hidden><input id="from" type="datetime-local" aria-label="from (UTC)"> → <input id="to" type="datetime-local" aria-label="to (UTC)"> UTC <button>Apply</button></form>
  <span id="range-label" class="muted"></span>
  <form id="key-form" style="margin-left:auto"><input id="key" type="password" autocomplete="off" placeholder="query API key (if set)" aria-label="query API key"> <input id="metrics-key" type="password" autocomplete="off" placeholder="metrics key (operators)" aria-label="metrics API key"></form>
</header>
<main>
  <section class="wide"><h2>Pipeline since this gateway started (process counters, reset on restart)</h2><div class="cards" id="cards"></div>
    <div id="in-range" class="muted"></div></section>
  <section><h2>Pipeline health</h2><table id="health"></table><div id="health-note" class="muted"></div></section>
  <section class="wide"><h2>Services in range (exact, from rollups) · click for events</h2><div id="traffic-note" class="note"></div><table id="services"></table></section>
  <section><h2>Requests per minute</h2><div id="requests"></div><div id="requests-peak" class="peak"></div></section>
  <section><h2>Error rate</h2><div id="errors"></div><div id="errors-peak" class="peak"></div></section>
  <section><h2>p95 latency</h2><div id="latency"></div><div id="latency-peak" class="peak"></div></section>
  <section><h2>Sampling decisions since start</h2><table id="sampling"></table></section>
  <section><h2>Backends (readiness)</h2><table id="checks"></table></section>
  <section class="wide" id="events-section"><h2>Events <span id="events-label" class="muted"></span></h2>
    <table id="events"><tr><td class="muted">click a service, an error rate or a point of a chart</td></tr></table><button id="more" hidden>more</button>
  </section>
  <section class="wide"><h2>Ask</h2>
    <form id="ask"><input id="question" placeholder="how many payment errors in the last hour, by error code?" aria-label="question"><button>Ask</button></form>
    <div id="answer" class="answer muted"></div><div id="answer-chart"></div><table id="answer-table"></table>
  </section>
</main>
<script>${DASHBOARD_SCRIPT}</script>
</body>
</html>
`;
