import { ValidationError, readHeader, type FieldIssue } from "@pe-pay/core";
import { isApiVersion } from "../config/api-version";
import { isValidShopDomain } from "../oauth/shop-domain";

/** The three headers Shopify sends with every session request (contract §1). */
export interface SessionRequestHeaders {
  shopDomain: string;
  requestId: string;
  apiVersion: string;
}

type HeaderBag = Record<string, string | string[] | undefined>;

export function parseSessionHeaders(headers: HeaderBag): SessionRequestHeaders {
  const issues: FieldIssue[] = [];
  const shopDomain = readHeader(headers, "Shopify-Shop-Domain")?.trim().toLowerCase();
  const requestId = readHeader(headers, "Shopify-Request-Id")?.trim();
  const apiVersion = readHeader(headers, "Shopify-Api-Version")?.trim();
  if (!shopDomain) {
    issues.push({ field: "Shopify-Shop-Domain", code: "required", message: "header is required" });
  } else if (!isValidShopDomain(shopDomain)) {
    issues.push({
      field: "Shopify-Shop-Domain",
      code: "invalid_format",
      message: "expected a *.myshopify.com domain",
    });
  }
  if (!requestId) {
    issues.push({ field: "Shopify-Request-Id", code: "required", message: "header is required" });
  }
  if (!apiVersion) {
    issues.push({ field: "Shopify-Api-Version", code: "required", message: "header is required" });
  } else if (!isApiVersion(apiVersion)) {
    issues.push({
      field: "Shopify-Api-Version",
      code: "invalid_format",
      message: "expected YYYY-MM or unstable",
    });
  }
  if (issues.length > 0) throw new ValidationError(issues);
  return { shopDomain: shopDomain!, requestId: requestId!, apiVersion: apiVersion! };
}
