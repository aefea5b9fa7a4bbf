// Runs the built Worker bundle in workerd through Miniflare (Node, as Miniflare expects), on a given
// loopback port. Talking to Miniflare directly avoids wrangler dev's proxy, which answers 503 on a
// kept-alive connection after the Worker refused a large body unread.
// usage: node miniflare-runner.mjs <bundle-dir> <port> <json: {compatibilityDate, compatibilityFlags, bindings}>
import { Miniflare } from "miniflare";

const [bundle, port, json] = process.argv.slice(2);
const { compatibilityDate, compatibilityFlags, bindings } = JSON.parse(json);
const mf = new Miniflare({
  modules: true,
  modulesRoot: bundle,
  scriptPath: `${bundle}/cloudflare-worker.js`,
  // As wrangler uploads them: the bundle imports its .wasm modules (the OTLP/JSON reader) compiled.
  modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
  compatibilityDate,
  compatibilityFlags,
  bindings,
  host: "127.0.0.1",
  port: Number(port),
  cf: false,
});
const url = await mf.ready;
console.log(`workerd ready on ${url}`);
const stop = async () => {
  await mf.dispose();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
