import type { GqlSelection } from "./graphql-parse";

/**
 * The slice of the Payments Apps schema the demo answers, used to validate selection sets the
 * way Shopify does (an unknown field, e.g. `code` on the generic `UserError`, is a top-level
 * validation error, not a userError) and to shape responses to exactly what was asked.
 */
type TypeDef =
  { kind: "object"; fields: Record<string, string> } | { kind: "union"; types: string[] };

const SCALARS = new Set(["ID", "String", "Boolean", "DateTime", "Int", "URL", "Enum"]);

export const SCHEMA: Record<string, TypeDef> = {
  Mutation: {
    kind: "object",
    fields: {
      paymentSessionPending: "PaymentSessionPendingPayload",
      paymentSessionResolve: "PaymentSessionResolvePayload",
      paymentSessionReject: "PaymentSessionRejectPayload",
      refundSessionResolve: "RefundSessionResolvePayload",
      refundSessionReject: "RefundSessionRejectPayload",
      paymentsAppConfigure: "PaymentsAppConfigurePayload",
    },
  },
  PaymentSessionPendingPayload: {
    kind: "object",
    fields: { paymentSession: "PaymentSession", userErrors: "PaymentSessionPendingUserError" },
  },
  PaymentSessionResolvePayload: {
    kind: "object",
    fields: { paymentSession: "PaymentSession", userErrors: "UserError" },
  },
  PaymentSessionRejectPayload: {
    kind: "object",
    fields: { paymentSession: "PaymentSession", userErrors: "UserError" },
  },
  RefundSessionResolvePayload: {
    kind: "object",
    fields: { refundSession: "RefundSession", userErrors: "RefundSessionResolveUserError" },
  },
  RefundSessionRejectPayload: {
    kind: "object",
    fields: { refundSession: "RefundSession", userErrors: "RefundSessionRejectUserError" },
  },
  PaymentsAppConfigurePayload: {
    kind: "object",
    fields: { paymentsAppConfiguration: "PaymentsAppConfiguration", userErrors: "UserError" },
  },
  UserError: { kind: "object", fields: { field: "String", message: "String" } },
  PaymentSessionPendingUserError: {
    kind: "object",
    fields: { code: "Enum", field: "String", message: "String" },
  },
  RefundSessionResolveUserError: {
    kind: "object",
    fields: { code: "Enum", field: "String", message: "String" },
  },
  RefundSessionRejectUserError: {
    kind: "object",
    fields: { code: "Enum", field: "String", message: "String" },
  },
  PaymentSession: {
    kind: "object",
    fields: {
      id: "ID",
      state: "PaymentSessionState",
      nextAction: "PaymentSessionNextAction",
      pendingExpiresAt: "DateTime",
      authorizationExpiresAt: "DateTime",
    },
  },
  PaymentSessionState: {
    kind: "union",
    types: [
      "PaymentSessionStatePending",
      "PaymentSessionStateResolved",
      "PaymentSessionStateRejected",
      "PaymentSessionStateRedirecting",
      "PaymentSessionStateConfirming",
    ],
  },
  PaymentSessionStatePending: { kind: "object", fields: { code: "Enum", reason: "Enum" } },
  PaymentSessionStateResolved: { kind: "object", fields: { code: "Enum" } },
  PaymentSessionStateRejected: {
    kind: "object",
    fields: { code: "Enum", reason: "Enum", merchantMessage: "String" },
  },
  PaymentSessionStateRedirecting: { kind: "object", fields: { code: "Enum" } },
  PaymentSessionStateConfirming: { kind: "object", fields: { code: "Enum" } },
  PaymentSessionNextAction: {
    kind: "object",
    fields: { action: "Enum", context: "PaymentSessionActionsRedirectContext" },
  },
  PaymentSessionActionsRedirectContext: { kind: "union", types: ["PaymentSessionActionsRedirect"] },
  PaymentSessionActionsRedirect: { kind: "object", fields: { redirectUrl: "URL" } },
  RefundSession: { kind: "object", fields: { id: "ID", state: "RefundSessionState" } },
  RefundSessionState: {
    kind: "union",
    types: ["RefundSessionStateResolved", "RefundSessionStateRejected"],
  },
  RefundSessionStateResolved: { kind: "object", fields: { code: "Enum" } },
  RefundSessionStateRejected: {
    kind: "object",
    fields: { code: "Enum", reason: "Enum", merchantMessage: "String" },
  },
  PaymentsAppConfiguration: {
    kind: "object",
    fields: { externalHandle: "String", ready: "Boolean" },
  },
};

export interface GraphqlError {
  message: string;
  path?: string[];
  extensions?: Record<string, unknown>;
}

/** graphql-ruby style validation errors (the messages Shopify returns). */
export function validateSelections(
  typeName: string,
  selections: GqlSelection[],
  path: string[],
  errors: GraphqlError[],
): void {
  const type = SCHEMA[typeName];
  if (!type) return;
  for (const sel of selections) {
    if (sel.kind === "inline") {
      const cond = sel.typeCondition ?? typeName;
      const allowed = cond === typeName || (type.kind === "union" && type.types.includes(cond));
      if (!allowed) {
        errors.push({
          message: `Fragment on ${cond} can't be spread inside ${typeName}`,
          path: [...path, `... on ${cond}`],
          extensions: {
            code: "fragmentSpreadTypeMismatch",
            typeName: typeName,
            fragmentName: "unknown",
          },
        });
        continue;
      }
      validateSelections(cond, sel.selections, [...path, `... on ${cond}`], errors);
      continue;
    }
    const fieldPath = [...path, sel.alias ?? sel.name];
    if (sel.name === "__typename") continue;
    if (type.kind === "union") {
      errors.push({
        message: `Selections can't be made directly on unions (see selections on ${typeName})`,
        path: fieldPath,
        extensions: { code: "selectionMismatch", nodeName: typeName },
      });
      continue;
    }
    const fieldType = type.fields[sel.name];
    if (!fieldType) {
      errors.push({
        message: `Field '${sel.name}' doesn't exist on type '${typeName}'`,
        path: fieldPath,
        extensions: { code: "undefinedField", typeName, fieldName: sel.name },
      });
      continue;
    }
    const leaf = SCALARS.has(fieldType);
    if (leaf && sel.selections.length > 0) {
      errors.push({
        message: `Selections can't be made on scalars (field '${sel.name}' returns ${fieldType} but has selections [${sel.selections.map((s) => (s.kind === "field" ? s.name : "...")).join(", ")}])`,
        path: fieldPath,
        extensions: {
          code: "selectionMismatch",
          nodeName: `field '${sel.name}'`,
          typeName: fieldType,
        },
      });
    } else if (!leaf && sel.selections.length === 0) {
      errors.push({
        message: `Field must have selections (field '${sel.name}' returns ${fieldType} but has no selections. Did you mean '${sel.name} { ... }'?)`,
        path: fieldPath,
        extensions: {
          code: "selectionMismatch",
          nodeName: `field '${sel.name}'`,
          typeName: fieldType,
        },
      });
    } else if (!leaf) {
      validateSelections(fieldType, sel.selections, fieldPath, errors);
    }
  }
}

/**
 * Shapes a resolved value to the selection set. Union members carry `__typename` internally so
 * inline fragments can be matched; it is only output when selected.
 */
export function project(value: unknown, typeName: string, selections: GqlSelection[]): unknown {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.map((v) => project(v, typeName, selections));
  const type = SCHEMA[typeName];
  if (!type || typeof value !== "object") return value;
  const obj = value as Record<string, unknown>;
  const concrete = type.kind === "union" ? String(obj.__typename) : typeName;
  const out: Record<string, unknown> = {};
  const apply = (sels: GqlSelection[]) => {
    for (const sel of sels) {
      if (sel.kind === "inline") {
        const cond = sel.typeCondition ?? concrete;
        if (cond === concrete || cond === typeName) apply(sel.selections);
        continue;
      }
      const key = sel.alias ?? sel.name;
      if (sel.name === "__typename") {
        out[key] = concrete;
        continue;
      }
      const def = SCHEMA[concrete];
      const fieldType = def && def.kind === "object" ? def.fields[sel.name] : undefined;
      if (!fieldType) continue;
      const raw = obj[sel.name];
      out[key] = SCALARS.has(fieldType) ? (raw ?? null) : project(raw, fieldType, sel.selections);
    }
  };
  apply(selections);
  return out;
}
