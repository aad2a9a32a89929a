import { readFileSync } from "node:fs";
import { join } from "node:path";
import { GraphqlSyntaxError, parseOperation, valueOf } from "./graphql-parse";
import { validateSelections, type GraphqlError } from "./graphql-schema";

const doc = (name: string) =>
  JSON.parse(
    readFileSync(join(__dirname, "../../test/fixtures/shopify/graphql", `${name}.json`), "utf8"),
  ) as { query: string };

describe("parseOperation", () => {
  it.each([
    "paymentSessionPending",
    "paymentSessionResolve",
    "paymentSessionReject",
    "refundSessionResolve",
    "refundSessionReject",
    "paymentsAppConfigure",
  ])("reads the contract's %s document and it validates against the schema", (name) => {
    const op = parseOperation(doc(name).query);
    expect(op.operation).toBe("mutation");
    const root = op.selections[0];
    expect(root?.kind === "field" && root.name).toBe(name);
    const errors: GraphqlError[] = [];
    validateSelections("Mutation", op.selections, ["m"], errors);
    expect(errors).toEqual([]);
  });

  it("flags `code` on a plain UserError payload", () => {
    const query = doc("paymentSessionResolve").query.replace(
      "userErrors {\n      field",
      "userErrors {\n      code\n      field",
    );
    const errors: GraphqlError[] = [];
    validateSelections("Mutation", parseOperation(query).selections, ["m"], errors);
    expect(errors.map((e) => e.message)).toEqual([
      "Field 'code' doesn't exist on type 'UserError'",
    ]);
  });

  it("resolves inline literals, enums, objects and variables", () => {
    const op = parseOperation(
      'mutation { a: paymentSessionReject(id: $id, reason: {code: PROCESSING_ERROR, merchantMessage: "x\\"y"}) { userErrors { field } } }',
    );
    const f = op.selections[0]!;
    if (f.kind !== "field") throw new Error("field expected");
    expect(f.alias).toBe("a");
    expect(valueOf(f.args.reason!, {})).toEqual({
      code: "PROCESSING_ERROR",
      merchantMessage: 'x"y',
    });
    expect(valueOf(f.args.id!, { id: "gid" })).toBe("gid");
  });

  it("throws a syntax error on broken documents", () => {
    expect(() => parseOperation("mutation { x(")).toThrow(GraphqlSyntaxError);
    expect(() => parseOperation('mutation { x(a: "unterminated) }')).toThrow(GraphqlSyntaxError);
    expect(() => parseOperation("mutation { ...Frag }")).toThrow(GraphqlSyntaxError);
  });
});
