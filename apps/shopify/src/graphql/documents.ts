/**
 * Payments Apps mutations. Selection sets follow the contract exactly: `code` is selected only on
 * the user-error types that have it (PaymentSessionPendingUserError, RefundSessionResolveUserError,
 * RefundSessionRejectUserError); the generic `UserError` has no `code` and selecting it is a schema
 * validation error. A contract test compares these with the fixtures' documents.
 */
export const PAYMENT_SESSION_PENDING = `mutation PaymentSessionPending($id: ID!, $pendingExpiresAt: DateTime!, $reason: PaymentSessionStatePendingReason!) {
  paymentSessionPending(id: $id, pendingExpiresAt: $pendingExpiresAt, reason: $reason) {
    paymentSession {
      id
      state {
        ... on PaymentSessionStatePending {
          code
          reason
        }
      }
      pendingExpiresAt
      nextAction {
        action
        context {
          ... on PaymentSessionActionsRedirect {
            redirectUrl
          }
        }
      }
    }
    userErrors {
      code
      field
      message
    }
  }
}`;

export const PAYMENT_SESSION_RESOLVE = `mutation PaymentSessionResolve($id: ID!) {
  paymentSessionResolve(id: $id) {
    paymentSession {
      id
      state {
        ... on PaymentSessionStateResolved {
          code
        }
      }
      nextAction {
        action
        context {
          ... on PaymentSessionActionsRedirect {
            redirectUrl
          }
        }
      }
    }
    userErrors {
      field
      message
    }
  }
}`;

export const PAYMENT_SESSION_REJECT = `mutation PaymentSessionReject($id: ID!, $reason: PaymentSessionRejectionReasonInput!) {
  paymentSessionReject(id: $id, reason: $reason) {
    paymentSession {
      id
      state {
        ... on PaymentSessionStateRejected {
          code
          reason
          merchantMessage
        }
      }
      nextAction {
        action
        context {
          ... on PaymentSessionActionsRedirect {
            redirectUrl
          }
        }
      }
    }
    userErrors {
      field
      message
    }
  }
}`;

export const REFUND_SESSION_RESOLVE = `mutation RefundSessionResolve($id: ID!) {
  refundSessionResolve(id: $id) {
    refundSession {
      id
      state {
        ... on RefundSessionStateResolved {
          code
        }
      }
    }
    userErrors {
      code
      field
      message
    }
  }
}`;

export const REFUND_SESSION_REJECT = `mutation RefundSessionReject($id: ID!, $reason: RefundSessionRejectionReasonInput!) {
  refundSessionReject(id: $id, reason: $reason) {
    refundSession {
      id
      state {
        ... on RefundSessionStateRejected {
          code
          reason
          merchantMessage
        }
      }
    }
    userErrors {
      code
      field
      message
    }
  }
}`;

export const PAYMENTS_APP_CONFIGURE = `mutation PaymentsAppConfigure($externalHandle: String, $ready: Boolean!) {
  paymentsAppConfigure(externalHandle: $externalHandle, ready: $ready) {
    paymentsAppConfiguration {
      externalHandle
      ready
    }
    userErrors {
      field
      message
    }
  }
}`;

export type MutationName =
  | "paymentSessionPending"
  | "paymentSessionResolve"
  | "paymentSessionReject"
  | "refundSessionResolve"
  | "refundSessionReject"
  | "paymentsAppConfigure";

export const MUTATIONS: Record<MutationName, { document: string; userErrorHasCode: boolean }> = {
  paymentSessionPending: { document: PAYMENT_SESSION_PENDING, userErrorHasCode: true },
  paymentSessionResolve: { document: PAYMENT_SESSION_RESOLVE, userErrorHasCode: false },
  paymentSessionReject: { document: PAYMENT_SESSION_REJECT, userErrorHasCode: false },
  refundSessionResolve: { document: REFUND_SESSION_RESOLVE, userErrorHasCode: true },
  refundSessionReject: { document: REFUND_SESSION_REJECT, userErrorHasCode: true },
  paymentsAppConfigure: { document: PAYMENTS_APP_CONFIGURE, userErrorHasCode: false },
};
