import type { VoucherLocale } from "../types";
import { en } from "./en";
import { es } from "./es";
import type { VoucherCopy } from "./types";

export type { VoucherCopy } from "./types";
export const COPY: Readonly<Record<VoucherLocale, VoucherCopy>> = { es, en };
