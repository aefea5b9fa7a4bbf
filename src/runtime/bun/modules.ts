import type { RuntimeModules } from "../../adapters/factory.ts";

/** Bun-only adapters, loaded only when the config selects them. */
export const bunModules: RuntimeModules = {
  runtime: "bun",
  embeddedStore: () => import("../../adapters/embedded/sqlite-event-store.ts"),
};
