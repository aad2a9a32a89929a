import { timingSafeEqual } from "node:crypto";
import express, { type Request, type Response, type Router } from "express";
import { GraphqlSyntaxError, parseOperation, valueOf, type GqlSelection } from "./graphql-parse";
import { project, SCHEMA, validateSelections, type GraphqlError } from "./graphql-schema";
import { runMutation, type MutationContext } from "./mutations";
import type { ShopifyState } from "./state";

/** `POST /payments_apps/api/{version}/graphql.json`, answered like Shopify. */
export interface GraphqlEndpointDeps {
  state: ShopifyState;
  now(): Date;
  context(apiVersion: string): Omit<MutationContext, "now" | "apiVersion" | "state">;
}

const VERSION = /^(\d{4}-(01|04|07|10)|unstable)$/;

function cost(requested: number, actual: number | null) {
  return {
    cost: {
      requestedQueryCost: requested,
      actualQueryCost: actual,
      throttleStatus: {
        maximumAvailable: 1000000.0,
        currentlyAvailable: 999990,
        restoreRate: 50000.0,
      },
    },
  };
}

function tokenMatches(given: string | undefined, expected: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function createGraphqlRouter(deps: GraphqlEndpointDeps): Router {
  const router = express.Router();
  router.post(
    "/payments_apps/api/:version/graphql.json",
    express.json({ limit: "256kb", type: () => true }),
    (req: Request, res: Response) => {
      const { state } = deps;
      const version = String(req.params.version);
      if (!VERSION.test(version)) {
        res.status(404).json({ errors: "Not Found" });
        return;
      }
      const token = req.header("x-shopify-access-token");
      if (!state.install || !tokenMatches(token, state.install.accessToken)) {
        res.status(401).json({
          errors: "[API] Invalid API key or access token (unrecognized login or wrong password)",
        });
        return;
      }
      const body = req.body as { query?: unknown; variables?: unknown } | undefined;
      if (!body || typeof body !== "object" || typeof body.query !== "string") {
        res.status(400).json({ errors: { query: "Required parameter missing or invalid" } });
        return;
      }
      const variables =
        body.variables && typeof body.variables === "object" && !Array.isArray(body.variables)
          ? (body.variables as Record<string, unknown>)
          : {};
      const fail = (errors: GraphqlError[]) => {
        state.graphqlCalls.push({
          at: deps.now(),
          mutation: "(error)",
          variables,
          userErrors: [],
          topLevelErrors: errors,
        });
        res.status(200).json({ errors, extensions: cost(0, null) });
      };

      if (state.throttleNext > 0) {
        state.throttleNext--;
        res.status(200).json({
          errors: [
            {
              message: "Throttled",
              extensions: {
                code: "THROTTLED",
                documentation: "https://shopify.dev/api/usage/rate-limits",
              },
            },
          ],
          extensions: {
            cost: {
              ...cost(11, null).cost,
              throttleStatus: {
                maximumAvailable: 1000000.0,
                currentlyAvailable: 4,
                restoreRate: 50000.0,
              },
            },
          },
        });
        return;
      }

      let op;
      try {
        op = parseOperation(body.query);
      } catch (e) {
        if (e instanceof GraphqlSyntaxError) {
          fail([{ message: `Parse error: ${e.message}`, extensions: { code: "parseError" } }]);
          return;
        }
        throw e;
      }
      if (op.operation !== "mutation") {
        fail([
          {
            message: "This local demo only answers the Payments Apps mutations (no queries).",
            extensions: { code: "undefinedField" },
          },
        ]);
        return;
      }
      const errors: GraphqlError[] = [];
      const opLabel = `mutation${op.name ? ` ${op.name}` : ""}`;
      validateSelections("Mutation", op.selections, [opLabel], errors);
      const declared = new Map(op.variables.map((v) => [v.name, v]));
      const checkVars = (sels: GqlSelection[]) => {
        for (const s of sels) {
          if (s.kind !== "field") continue;
          for (const [, arg] of Object.entries(s.args)) {
            if (arg.kind === "var" && !declared.has(arg.name)) {
              errors.push({
                message: `Variable $${arg.name} is used by ${opLabel} but not declared`,
                extensions: { code: "variableNotDefined", variableName: arg.name },
              });
            }
          }
        }
      };
      checkVars(op.selections);
      for (const v of op.variables) {
        if (v.nonNull && (variables[v.name] === undefined || variables[v.name] === null)) {
          errors.push({
            message: `Variable $${v.name} of type ${v.type}! was provided invalid value`,
            extensions: {
              code: "INVALID_VARIABLE",
              value: null,
              problems: [{ path: [], explanation: "Expected value to not be null" }],
            },
          });
        }
      }
      if (errors.length > 0) {
        fail(errors);
        return;
      }
      const ctx: MutationContext = {
        state,
        now: deps.now(),
        apiVersion: version,
        ...deps.context(version),
      };
      // Root mutation fields run in document order, like GraphQL's serial mutation execution.
      const fields = op.selections.filter((s) => s.kind === "field");
      const data: Record<string, unknown> = {};
      for (const field of fields) {
        const args = Object.fromEntries(
          Object.entries(field.args).map(([k, v]) => [k, valueOf(v, variables)]),
        );
        const outcome = runMutation(field.name, args, ctx);
        if (!outcome.ok) {
          fail([outcome.error]);
          return;
        }
        state.graphqlCalls.push({
          at: ctx.now,
          mutation: field.name,
          variables: args,
          userErrors: outcome.userErrors,
        });
        const payloadType = (SCHEMA.Mutation as { fields: Record<string, string> }).fields[
          field.name
        ]!;
        data[field.alias ?? field.name] = project(outcome.payload, payloadType, field.selections);
      }
      res.status(200).json({ data, extensions: cost(10, 10) });
    },
  );
  return router;
}
