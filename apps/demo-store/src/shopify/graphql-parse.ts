/**
 * A deliberately small GraphQL reader: one operation, variables, one or more root fields with
 * arguments and selection sets (fields, aliases, inline fragments). Enough to answer the
 * Payments Apps mutations the way Shopify does, including projecting the response onto the
 * selection set. Fragment spreads and directives are refused with a readable error.
 */
export class GraphqlSyntaxError extends Error {}

export type GqlValue =
  | { kind: "var"; name: string }
  | { kind: "literal"; value: unknown }
  | { kind: "enum"; value: string }
  | { kind: "list"; items: GqlValue[] }
  | { kind: "object"; fields: Record<string, GqlValue> };

export interface GqlField {
  alias?: string;
  name: string;
  args: Record<string, GqlValue>;
  selections: GqlSelection[];
}
export type GqlSelection =
  | ({ kind: "field" } & GqlField)
  | { kind: "inline"; typeCondition?: string; selections: GqlSelection[] };

export interface GqlVariableDef {
  name: string;
  type: string;
  nonNull: boolean;
}

export interface GqlOperation {
  operation: "mutation" | "query";
  name?: string;
  variables: GqlVariableDef[];
  selections: GqlSelection[];
}

type Token = { t: "punct" | "name" | "string" | "number" | "spread"; v: string };

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/[\s,\uFEFF]/.test(c)) {
      i++;
    } else if (c === "#") {
      while (i < src.length && src[i] !== "\n") i++;
    } else if ("{}()[]:!$=@|&".includes(c)) {
      out.push({ t: "punct", v: c });
      i++;
    } else if (src.startsWith("...", i)) {
      out.push({ t: "spread", v: "..." });
      i += 3;
    } else if (c === '"') {
      if (src.startsWith('"""', i)) {
        const end = src.indexOf('"""', i + 3);
        if (end < 0) throw new GraphqlSyntaxError("unterminated block string");
        out.push({ t: "string", v: src.slice(i + 3, end) });
        i = end + 3;
        continue;
      }
      let j = i + 1;
      let raw = "";
      while (j < src.length && src[j] !== '"') {
        if (src[j] === "\\") {
          raw += src.slice(j, j + 2);
          j += 2;
        } else raw += src[j++];
        if (src[j - 1] === "\n") throw new GraphqlSyntaxError("unterminated string");
      }
      if (j >= src.length) throw new GraphqlSyntaxError("unterminated string");
      out.push({ t: "string", v: JSON.parse(`"${raw}"`) as string });
      i = j + 1;
    } else if (/[-0-9]/.test(c)) {
      const m = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(src.slice(i));
      if (!m) throw new GraphqlSyntaxError(`unexpected character "${c}"`);
      out.push({ t: "number", v: m[0] });
      i += m[0].length;
    } else if (/[_A-Za-z]/.test(c)) {
      const m = /^[_A-Za-z][_0-9A-Za-z]*/.exec(src.slice(i))!;
      out.push({ t: "name", v: m[0] });
      i += m[0].length;
    } else {
      throw new GraphqlSyntaxError(`unexpected character "${c}"`);
    }
  }
  return out;
}

export function parseOperation(query: string): GqlOperation {
  const tokens = tokenize(query);
  let p = 0;
  const peek = () => tokens[p];
  const next = () => {
    const tok = tokens[p++];
    if (!tok) throw new GraphqlSyntaxError("unexpected end of document");
    return tok;
  };
  const expect = (v: string) => {
    const tok = next();
    if (tok.v !== v) throw new GraphqlSyntaxError(`expected "${v}", got "${tok.v}"`);
  };
  const name = () => {
    const tok = next();
    if (tok.t !== "name") throw new GraphqlSyntaxError(`expected a name, got "${tok.v}"`);
    return tok.v;
  };

  function parseType(): { type: string; nonNull: boolean } {
    let type: string;
    if (peek()?.v === "[") {
      next();
      const inner = parseType();
      expect("]");
      type = `[${inner.type}${inner.nonNull ? "!" : ""}]`;
    } else type = name();
    let nonNull = false;
    if (peek()?.v === "!") {
      next();
      nonNull = true;
    }
    return { type, nonNull };
  }

  function parseValue(): GqlValue {
    const tok = next();
    if (tok.t === "punct" && tok.v === "$") return { kind: "var", name: name() };
    if (tok.t === "string") return { kind: "literal", value: tok.v };
    if (tok.t === "number") return { kind: "literal", value: Number(tok.v) };
    if (tok.t === "name") {
      if (tok.v === "true" || tok.v === "false")
        return { kind: "literal", value: tok.v === "true" };
      if (tok.v === "null") return { kind: "literal", value: null };
      return { kind: "enum", value: tok.v };
    }
    if (tok.v === "[") {
      const items: GqlValue[] = [];
      while (peek()?.v !== "]") items.push(parseValue());
      next();
      return { kind: "list", items };
    }
    if (tok.v === "{") {
      const fields: Record<string, GqlValue> = {};
      while (peek()?.v !== "}") {
        const key = name();
        expect(":");
        fields[key] = parseValue();
      }
      next();
      return { kind: "object", fields };
    }
    throw new GraphqlSyntaxError(`unexpected "${tok.v}"`);
  }

  function parseSelectionSet(): GqlSelection[] {
    expect("{");
    const out: GqlSelection[] = [];
    while (peek() && peek()!.v !== "}") {
      if (peek()!.t === "spread") {
        next();
        if (peek()?.v === "on") {
          next();
          const typeCondition = name();
          out.push({ kind: "inline", typeCondition, selections: parseSelectionSet() });
        } else if (peek()?.v === "{") {
          out.push({ kind: "inline", selections: parseSelectionSet() });
        } else {
          throw new GraphqlSyntaxError("named fragments are not supported by this demo");
        }
        continue;
      }
      let fieldName = name();
      let alias: string | undefined;
      if (peek()?.v === ":") {
        next();
        alias = fieldName;
        fieldName = name();
      }
      const args: Record<string, GqlValue> = {};
      if (peek()?.v === "(") {
        next();
        while (peek()?.v !== ")") {
          const key = name();
          expect(":");
          args[key] = parseValue();
        }
        next();
      }
      if (peek()?.v === "@")
        throw new GraphqlSyntaxError("directives are not supported by this demo");
      const selections = peek()?.v === "{" ? parseSelectionSet() : [];
      out.push({ kind: "field", name: fieldName, args, selections, ...(alias ? { alias } : {}) });
    }
    expect("}");
    if (out.length === 0) throw new GraphqlSyntaxError("empty selection set");
    return out;
  }

  let operation: "mutation" | "query" = "query";
  let opName: string | undefined;
  const variables: GqlVariableDef[] = [];
  if (peek()?.t === "name") {
    const kw = name();
    if (kw !== "mutation" && kw !== "query") {
      throw new GraphqlSyntaxError(`unsupported operation type "${kw}"`);
    }
    operation = kw;
    if (peek()?.t === "name") opName = name();
    if (peek()?.v === "(") {
      next();
      while (peek()?.v !== ")") {
        expect("$");
        const varName = name();
        expect(":");
        const { type, nonNull } = parseType();
        if (peek()?.v === "=") {
          next();
          parseValue();
        }
        variables.push({ name: varName, type, nonNull });
      }
      next();
    }
  }
  const selections = parseSelectionSet();
  if (p !== tokens.length) {
    throw new GraphqlSyntaxError("only one operation per document is supported by this demo");
  }
  return { operation, ...(opName ? { name: opName } : {}), variables, selections };
}

/** Resolves an argument against the request variables. */
export function valueOf(v: GqlValue, variables: Record<string, unknown>): unknown {
  switch (v.kind) {
    case "var":
      return variables[v.name];
    case "literal":
      return v.value;
    case "enum":
      return v.value;
    case "list":
      return v.items.map((i) => valueOf(i, variables));
    case "object":
      return Object.fromEntries(
        Object.entries(v.fields).map(([k, f]) => [k, valueOf(f, variables)]),
      );
  }
}
