import type { VoucherViewModel } from "./types";

export interface StatusJsonResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Answer for the page's polling request. Carries only the status and the deadline (no amount,
 * no name), and the same effective status as the page, so a pending CIP past its deadline reads
 * "expired" and an open page reloads into the expired state on time.
 */
export function renderVoucherStatusJson(vm: VoucherViewModel): StatusJsonResponse {
  return {
    status: 200,
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
      "X-Robots-Tag": "noindex, nofollow",
      "Referrer-Policy": "no-referrer",
    },
    body: JSON.stringify({ status: vm.status, expiresAt: vm.expiresAtLimaIso }),
  };
}
