// Runs @humanwhocodes/upstash-redis-server's app on loopback only, with the bearer token checked on
// every path: the package checks it on "/" alone, so "/pipeline" (which @upstash/redis uses) was open.
import { serve } from "@hono/node-server";
import { createApp } from "@humanwhocodes/upstash-redis-server";
import { Hono } from "hono";
import { bearerAuth } from "hono/bearer-auth";

const port = Number.parseInt(process.env.PORT ?? "8079", 10);
const token = process.env.URS_TOKEN;
if (!token) throw new Error("URS_TOKEN is required");
const upstream = createApp({ token, redisUrl: process.env.REDIS_URL });
const app = new Hono().use("*", bearerAuth({ token })).all("*", (c) => upstream.fetch(c.req.raw));
serve({ fetch: app.fetch, port, hostname: "127.0.0.1" });
console.log(`upstash-redis-server on http://127.0.0.1:${port} -> ${process.env.REDIS_URL}`);
