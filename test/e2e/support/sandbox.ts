/** The PagoEfectivo sandbox as the e2e tests see it: control API reads and the agent page. */
import type { Page } from "playwright-core";
import { eventually, getJson, type Stack } from "./stack";

export interface SandboxCip {
  cip: number;
  idService: number;
  statusName: string;
}

export interface SandboxDelivery {
  idService: number;
  eventType: string;
  state: string;
  body: string;
}

export async function sandboxCip(stack: Stack, cip: string): Promise<SandboxCip | undefined> {
  const all = await getJson<{ data: SandboxCip[] }>(`${stack.url("sandbox")}/_sandbox/cips`);
  return all.data.find((c) => String(c.cip) === cip);
}

/** Notifications the sandbox tried to send about `cip` (any state: delivered, dropped, …). */
export async function deliveriesOf(
  stack: Stack,
  cip: string,
  eventType: string,
): Promise<SandboxDelivery[]> {
  const all = await getJson<{ data: SandboxDelivery[] }>(
    `${stack.url("sandbox")}/_sandbox/notifications?eventType=${encodeURIComponent(eventType)}`,
  );
  return all.data.filter((d) => d.body.includes(cip));
}

/** The simulated agent: "Pagar" on the CIP's row, then the row says "Pagado". */
export async function payAtAgent(
  stack: Stack,
  page: Page,
  cip: string,
  shot: (page: Page, name: string) => Promise<void>,
  name: string,
): Promise<void> {
  await page.goto(`${stack.url("sandbox")}/`);
  const row = page.locator("tr", { hasText: cip });
  await row.getByRole("button", { name: "Pagar" }).click();
  await page
    .locator("tr", { hasText: cip })
    .getByText(/Pagado/)
    .waitFor();
  await shot(page, `${name}-agent-paid`);
}

/** Completes, at the agent desk, `count` refunds of `cip` as each becomes pending there. */
export async function completeRefundsAtAgent(
  stack: Stack,
  page: Page,
  cip: string,
  count: number,
  onFirst?: () => Promise<void>,
): Promise<void> {
  for (let i = 0; i < count; i++) {
    const complete = page
      .locator("li", { hasText: cip })
      .getByRole("button", { name: "Completar" });
    await eventually(
      `refund ${i + 1} of CIP ${cip} to be pending at the sandbox`,
      async () => {
        await page.goto(`${stack.url("sandbox")}/`);
        return (await complete.count()) > 0;
      },
      20_000,
      500,
    );
    if (i === 0) await onFirst?.();
    await complete.first().click();
  }
}
