// The package's own server.js listens on every interface; this runs its app on loopback only.
import { serve } from "@hono/node-server";
import { createApp } from "@humanwhocodes/upstash-redis-server";

const port = Number.parseInt(process.env.PORT ?? "8079", 10);
const app = createApp({ token: process.env.URS_TOKEN, redisUrl: process.env.REDIS_URL });
serve({ fetch: app.fetch, port, hostname: "127.0.0.1" });
console.log(`upstash-redis-server on http://127.0.0.1:${port} -> ${process.env.REDIS_URL}`);
