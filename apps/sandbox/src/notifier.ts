import { signNotification, toLimaIso, type Clock } from "@pe-pay/core";
import type { Delivery, SandboxState } from "./state";
import { toWireJson } from "./wire-json";

export interface NotificationRetry {
  /** Total attempts including the first (default 6). */
  maxAttempts?: number;
  /** Delay after the first failure (default 2 s); doubles each time. */
  baseDelayMs?: number;
  factor?: number;
  maxDelayMs?: number;
  /** Per-attempt timeout (default 10 s). */
  timeoutMs?: number;
}

export interface SandboxLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const silentLogger: SandboxLogger = { info() {}, warn() {}, error: () => {} };

interface NotifierDeps {
  state: SandboxState;
  clock: Clock;
  fetch: typeof fetch;
  retry?: NotificationRetry;
  random: () => number;
  logger: SandboxLogger;
}

/**
 * Sends signed notifications to the merchant's URL, retrying non-2xx and network errors with
 * exponential backoff, and records every attempt in the delivery log. Fault injection (drop,
 * delay, duplicate, reorder) happens here, at emit time.
 */
export class Notifier {
  private timers = new Set<NodeJS.Timeout>();
  private inFlight = new Set<Promise<void>>();
  private held: Delivery[] = [];
  private readonly retry: Required<NotificationRetry>;

  constructor(private readonly deps: NotifierDeps) {
    this.retry = {
      maxAttempts: deps.retry?.maxAttempts ?? 6,
      baseDelayMs: deps.retry?.baseDelayMs ?? 2000,
      factor: deps.retry?.factor ?? 2,
      maxDelayMs: deps.retry?.maxDelayMs ?? 300_000,
      timeoutMs: deps.retry?.timeoutMs ?? 10_000,
    };
  }

  emit(idService: number, eventType: string, data: Record<string, unknown>): Delivery {
    const { state } = this.deps;
    const merchant = state.merchants.get(idService);
    const operationNumber = String(state.nextOperation++);
    const body = toWireJson({ eventType, operationNumber, data });
    const delivery: Delivery = {
      id: `ntf_${state.nextDelivery++}`,
      idService,
      eventType,
      operationNumber,
      url: merchant?.notificationUrl ?? null,
      body,
      signature: merchant ? signNotification(body, merchant.secretKey) : "",
      state: "pending",
      createdAt: toLimaIso(this.deps.clock.now()),
      attempts: [],
    };
    state.deliveries.push(delivery);
    if (!delivery.url) {
      delivery.state = "no_url";
      return delivery;
    }
    const faults = state.faults.notifications ?? {};
    if (faults.dropRate && this.deps.random() < faults.dropRate) {
      delivery.state = "dropped";
      return delivery;
    }
    const batch = [delivery];
    if (faults.duplicateRate && this.deps.random() < faults.duplicateRate) {
      const copy: Delivery = {
        ...delivery,
        id: `ntf_${state.nextDelivery++}`,
        attempts: [],
        duplicateOf: delivery.id,
      };
      state.deliveries.push(copy);
      batch.push(copy);
    }
    if (faults.reorder) {
      for (const d of batch) {
        d.state = "held";
        this.held.push(d);
      }
      if (this.held.length >= 2) this.flushHeld(true);
      return delivery;
    }
    for (const d of batch) this.schedule(d, 1, faults.delayMs ?? 0);
    return delivery;
  }

  /** Releases held notifications (reversed while the reorder fault is on). */
  flushHeld(reverse = false): void {
    const batch = reverse ? [...this.held].reverse() : this.held;
    this.held = [];
    const delay = this.deps.state.faults.notifications?.delayMs ?? 0;
    for (const d of batch) {
      d.state = "pending";
      this.schedule(d, 1, delay);
    }
  }

  /** Resolves once nothing is scheduled or in flight (tests wait on it instead of sleeping). */
  async idle(): Promise<void> {
    while (this.timers.size > 0 || this.inFlight.size > 0) {
      await Promise.race([...this.inFlight, new Promise((r) => setTimeout(r, 5))]);
    }
  }

  cancelAll(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.held = [];
  }

  private schedule(d: Delivery, attempt: number, delayMs: number): void {
    if (delayMs <= 0) {
      this.track(this.attempt(d, attempt));
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.track(this.attempt(d, attempt));
    }, delayMs);
    this.timers.add(timer);
  }

  private track(p: Promise<void>): void {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  private async attempt(d: Delivery, attempt: number): Promise<void> {
    if (!d.url || !this.deps.state.deliveries.includes(d)) return; // reset meanwhile
    const record: Delivery["attempts"][number] = { at: toLimaIso(this.deps.clock.now()) };
    d.attempts.push(record);
    try {
      const res = await this.deps.fetch(d.url, {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          "PE-Signature": d.signature,
          "User-Agent": "pe-pay-sandbox/0.1",
        },
        body: d.body,
        signal: AbortSignal.timeout(this.retry.timeoutMs),
      });
      record.status = res.status;
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) {
        d.state = "delivered";
        return;
      }
    } catch (e) {
      record.error = e instanceof Error ? e.name : "error";
    }
    if (attempt >= this.retry.maxAttempts) {
      d.state = "failed";
      this.deps.logger.warn(
        `notification ${d.id} (${d.eventType}) failed after ${attempt} attempts`,
      );
      return;
    }
    const delay = Math.min(
      this.retry.maxDelayMs,
      this.retry.baseDelayMs * this.retry.factor ** (attempt - 1),
    );
    this.schedule(d, attempt + 1, delay);
  }
}
