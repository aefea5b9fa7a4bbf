import type { Adapters } from "../adapters/factory.ts";
import type { Config } from "../config/schema.ts";

/** What the app is built from: typed config and the adapters the factory chose. */
export interface AppDeps {
  config: Config;
  adapters: Adapters;
  /** True once shutdown has begun: /readyz answers 503 so load balancers stop sending. */
  isDraining?: () => boolean;
}

export interface AppEnv {
  Variables: {
    config: Config;
    adapters: Adapters;
  };
}
