/**
 * PaymentStatus: the value object that decides a payment's outcome and how long each step takes
 * (the seed's PaymentStatusVO). The flow is balance check → payment gateway → order confirmation;
 * a status says where it stops, with which HTTP status and error, and which step is slow.
 */

export type PaymentStep = "balance-check" | "payment-gateway" | "order-confirmation";
export const PAYMENT_STEPS: readonly PaymentStep[] = ["balance-check", "payment-gateway", "order-confirmation"];

/** Which service runs each step: the event's step records carry it. */
export const STEP_SERVICE: Record<PaymentStep, string> = {
  "balance-check": "wallet",
  "payment-gateway": "payment-gateway",
  "order-confirmation": "order",
};

export type PaymentCode = "SUCCESS" | "SLOW_SUCCESS" | "INSUFFICIENT_BALANCE" | "GATEWAY_TIMEOUT" | "GATEWAY_ERROR";

export interface PaymentError {
  code: string;
  message: string;
  type: string;
}

/** Probabilities for one payment outside and inside an incident. */
export interface OutcomeMix {
  insufficientBalance: number;
  gatewayTimeout: number;
  gatewayError: number;
  slow: number;
}

const MEDIAN_MS: Record<PaymentStep, number> = { "balance-check": 30, "payment-gateway": 180, "order-confirmation": 60 };
/** The provider's client gives up after this; a timeout's gateway step lasts this long. */
export const GATEWAY_TIMEOUT_MS = 2000;

export class PaymentStatus {
  static readonly SUCCESS = new PaymentStatus("SUCCESS", 201, undefined, undefined);
  /** Succeeds, but the provider takes 2.2–3.4 s: always kept as SLOW_REQUEST. */
  static readonly SLOW_SUCCESS = new PaymentStatus("SLOW_SUCCESS", 201, undefined, "payment-gateway");
  static readonly INSUFFICIENT_BALANCE = new PaymentStatus("INSUFFICIENT_BALANCE", 402, {
    code: "INSUFFICIENT_BALANCE",
    message: "wallet balance is lower than the amount",
    type: "PaymentError",
  });
  static readonly GATEWAY_TIMEOUT = new PaymentStatus("GATEWAY_TIMEOUT", 504, {
    code: "GATEWAY_TIMEOUT",
    message: `payment provider did not answer within ${GATEWAY_TIMEOUT_MS} ms`,
    type: "UpstreamError",
  });
  static readonly GATEWAY_ERROR = new PaymentStatus("GATEWAY_ERROR", 502, {
    code: "GATEWAY_ERROR",
    message: "payment provider answered 500",
    type: "UpstreamError",
  });
  static readonly ALL: readonly PaymentStatus[] = [
    PaymentStatus.SUCCESS,
    PaymentStatus.SLOW_SUCCESS,
    PaymentStatus.INSUFFICIENT_BALANCE,
    PaymentStatus.GATEWAY_TIMEOUT,
    PaymentStatus.GATEWAY_ERROR,
  ];

  private constructor(
    readonly code: PaymentCode,
    readonly httpStatus: number,
    readonly error: PaymentError | undefined,
    private readonly slowStep: PaymentStep | undefined = undefined,
  ) {}

  static of(code: string): PaymentStatus | undefined {
    return PaymentStatus.ALL.find((s) => s.code === code);
  }

  /** Picks an outcome from one uniform roll in [0, 1): failures first, then the slow path, else success. */
  static decide(roll: number, mix: OutcomeMix): PaymentStatus {
    let edge = mix.insufficientBalance;
    if (roll < edge) return PaymentStatus.INSUFFICIENT_BALANCE;
    edge += mix.gatewayTimeout;
    if (roll < edge) return PaymentStatus.GATEWAY_TIMEOUT;
    edge += mix.gatewayError;
    if (roll < edge) return PaymentStatus.GATEWAY_ERROR;
    edge += mix.slow;
    if (roll < edge) return PaymentStatus.SLOW_SUCCESS;
    return PaymentStatus.SUCCESS;
  }

  get isSuccess(): boolean {
    return this.error === undefined;
  }

  /** The step where the flow stops: the balance check refuses, the gateway fails, or none. */
  get failsAt(): PaymentStep | undefined {
    if (this === PaymentStatus.INSUFFICIENT_BALANCE) return "balance-check";
    if (this === PaymentStatus.GATEWAY_TIMEOUT || this === PaymentStatus.GATEWAY_ERROR) return "payment-gateway";
    return undefined;
  }

  /** The steps this payment runs, in order (a failure is the last one run). */
  get steps(): readonly PaymentStep[] {
    const stop = this.failsAt;
    return stop ? PAYMENT_STEPS.slice(0, PAYMENT_STEPS.indexOf(stop) + 1) : PAYMENT_STEPS;
  }

  /** Simulated time one step takes, from a uniform roll: log-normal-ish around its median, the slow and timeout paths long. */
  latencyMs(step: PaymentStep, roll: number): number {
    if (step === "payment-gateway" && this === PaymentStatus.GATEWAY_TIMEOUT) return GATEWAY_TIMEOUT_MS + roll * 50;
    if (step === this.slowStep) return 2200 + roll * 1200;
    const median = MEDIAN_MS[step];
    return Math.round(median * (0.6 + roll * 0.8) * 10) / 10;
  }
}
