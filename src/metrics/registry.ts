/**
 * A small Prometheus text-format registry that runs unchanged on Bun and workerd. prom-client was
 * the obvious pick but imports Node built-ins (cluster, v8, perf_hooks) that Workers lack.
 * Counters and gauges with labels; collectors fill gauges at scrape time.
 */

type Labels = Record<string, string>;

interface Family {
  help: string;
  type: "counter" | "gauge";
  values: Map<string, { labels: Labels; value: number }>;
}

const escapeLabel = (v: string) => v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');

function labelKey(labels: Labels): string {
  const keys = Object.keys(labels);
  if (keys.length === 0) return "";
  keys.sort();
  return keys.map((k) => `${k}="${escapeLabel(String(labels[k]))}"`).join(",");
}

export class MetricsRegistry {
  private readonly families = new Map<string, Family>();
  private readonly collectors: Array<(registry: MetricsRegistry) => void> = [];

  private family(name: string, type: Family["type"], help: string): Family {
    let family = this.families.get(name);
    if (!family) {
      family = { help, type, values: new Map() };
      this.families.set(name, family);
    }
    return family;
  }

  /** Declares a metric so it appears (at 0) before its first event. */
  define(name: string, type: Family["type"], help: string): void {
    this.family(name, type, help);
  }

  inc(name: string, labels: Labels = {}, by = 1, help = ""): void {
    const family = this.family(name, "counter", help);
    const key = labelKey(labels);
    const entry = family.values.get(key);
    if (entry) entry.value += by;
    else family.values.set(key, { labels, value: by });
  }

  set(name: string, labels: Labels, value: number, help = ""): void {
    this.family(name, "gauge", help).values.set(labelKey(labels), { labels, value });
  }

  /** Runs at every scrape, before rendering: for values owned elsewhere (queue depth, sampler counters). */
  collect(collector: (registry: MetricsRegistry) => void): void {
    this.collectors.push(collector);
  }

  value(name: string, labels: Labels = {}): number {
    return this.families.get(name)?.values.get(labelKey(labels))?.value ?? 0;
  }

  render(): string {
    for (const collector of this.collectors) collector(this);
    const lines: string[] = [];
    for (const [name, family] of this.families) {
      if (family.help) lines.push(`# HELP ${name} ${family.help}`);
      lines.push(`# TYPE ${name} ${family.type}`);
      for (const [key, { value }] of family.values) lines.push(key ? `${name}{${key}} ${value}` : `${name} ${value}`);
    }
    return `${lines.join("\n")}\n`;
  }
}
