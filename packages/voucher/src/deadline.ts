import { formatLimaDeadline } from "@pe-pay/core";
import type { VoucherLocale } from "./types";

/** "lunes 24 de noviembre, 10:15 a. m." — core's Lima formatter; one place to swap it. */
export function formatDeadline(date: Date, locale: VoucherLocale): string {
  return formatLimaDeadline(date, locale);
}
