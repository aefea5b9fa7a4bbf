import { describe, expect, test } from "bun:test";
import { parsePrometheus, sum } from "./prometheus.ts";

describe("parsePrometheus", () => {
  const text = [
    "# HELP widegate_ingest_events_total Events",
    "# TYPE widegate_ingest_events_total counter",
    'widegate_ingest_events_total{outcome="kept"} 12',
    'widegate_ingest_events_total{outcome="dropped"} 30',
    'widegate_odd{path="a\\"b",route="/x"} 1.5e2',
    "widegate_publish_queue_depth 3",
  ].join("\n");

  test("reads names, labels (escapes included) and values", () => {
    const samples = parsePrometheus(text);
    expect(samples).toContainEqual({ name: "widegate_odd", labels: { path: 'a"b', route: "/x" }, value: 150 });
    expect(samples).toContainEqual({ name: "widegate_publish_queue_depth", labels: {}, value: 3 });
  });

  test("sum adds the samples whose labels match", () => {
    const samples = parsePrometheus(text);
    expect(sum(samples, "widegate_ingest_events_total")).toBe(42);
    expect(sum(samples, "widegate_ingest_events_total", { outcome: "kept" })).toBe(12);
    expect(sum(samples, "absent")).toBe(0);
  });
});
