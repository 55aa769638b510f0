import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** The deliberate defects the proxy can add in front of a correct server. */
export type Breakage =
  /** Drops the Location header from 201 answers. */
  | "no-location"
  /** Applies a multi-operation PATCH as sequential one-operation PATCHes (not atomic). */
  | "patch-not-atomic"
  /** Rewrites filters so `and`/`or` bind left to right (`a or b and c` becomes `(a or b) and c`). */
  | "filter-left-to-right"
  /** Forwards no If-Match / If-None-Match header (preconditions ignored). */
  | "ignore-preconditions"
  /** Writes the Error body's status as a JSON number instead of a string. */
  | "numeric-error-status"
  /** Reports the page length as totalResults. */
  | "total-is-page-size";

export interface BrokenProxy {
  readonly baseUrl: string;
  readonly close: () => Promise<void>;
}

/** Starts an HTTP proxy on 127.0.0.1 in front of `upstream` (a SCIM base URL) with the given defects. */
export async function startBrokenProxy(
  upstream: string,
  breakages: readonly Breakage[],
): Promise<BrokenProxy> {
  const broken = new Set(breakages);
  const upstreamUrl = new URL(upstream);
  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      response.writeHead(502, { "content-type": "text/plain" });
      response.end(String(error));
    });
  });

  async function forward(method: string, path: string, headers: Headers, body: string | undefined) {
    return fetch(`${upstreamUrl.origin}${path}`, { method, headers, body });
  }

  async function handle(request: IncomingMessage, response: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = chunks.length === 0 ? undefined : Buffer.concat(chunks).toString("utf8");
    const headers = new Headers();
    for (const [name, value] of Object.entries(request.headers)) {
      if (typeof value === "string" && !["host", "content-length", "connection"].includes(name))
        headers.set(name, value);
    }
    if (broken.has("ignore-preconditions")) {
      headers.delete("if-match");
      headers.delete("if-none-match");
    }
    let path = request.url ?? "/";
    if (broken.has("filter-left-to-right")) path = rewriteFilterQuery(path);
    const method = request.method ?? "GET";

    let answer: Response;
    const operations = method === "PATCH" && body !== undefined ? parseOperations(body) : undefined;
    if (broken.has("patch-not-atomic") && operations !== undefined && operations.length > 1) {
      const parsed = JSON.parse(body as string) as Record<string, unknown>;
      answer = new Response(null, { status: 204 });
      for (const operation of operations) {
        answer = await forward(
          method,
          path,
          headers,
          JSON.stringify({ ...parsed, Operations: [operation] }),
        );
        if (answer.status >= 400) break;
      }
    } else {
      answer = await forward(method, path, headers, body);
    }

    let text = await answer.text();
    const out: Record<string, string> = {};
    answer.headers.forEach((value, name) => {
      if (!["content-length", "transfer-encoding", "connection", "keep-alive"].includes(name))
        out[name] = value;
    });
    if (broken.has("no-location") && answer.status === 201) delete out.location;
    if (text !== "" && (out["content-type"] ?? "").includes("json")) {
      const json = JSON.parse(text) as Record<string, unknown>;
      if (
        broken.has("numeric-error-status") &&
        Array.isArray(json.schemas) &&
        String(json.schemas).includes("Error")
      ) {
        json.status = Number(json.status);
      }
      if (broken.has("total-is-page-size") && Array.isArray(json.Resources))
        json.totalResults = json.Resources.length;
      text = JSON.stringify(json);
    }
    response.writeHead(answer.status, out);
    response.end(text);
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}${upstreamUrl.pathname}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function parseOperations(body: string): unknown[] | undefined {
  try {
    const parsed = JSON.parse(body) as { Operations?: unknown };
    return Array.isArray(parsed.Operations) ? parsed.Operations : undefined;
  } catch {
    return undefined;
  }
}

function rewriteFilterQuery(path: string): string {
  const [pathname, query = ""] = path.split("?", 2) as [string, string?];
  if (query === "") return path;
  const parameters = new URLSearchParams(query);
  const filter = parameters.get("filter");
  if (filter === null) return path;
  parameters.set("filter", leftToRight(filter));
  return `${pathname}?${parameters.toString().replace(/\+/g, "%20")}`;
}

/**
 * Re-parenthesises a filter so logical operators bind left to right, at every
 * nesting level: the precedence bug of several filter parsers.
 */
export function leftToRight(filter: string): string {
  const terms: string[] = [];
  const operators: string[] = [];
  let depth = 0;
  let inString = false;
  let start = 0;
  for (let index = 0; index < filter.length; index += 1) {
    const character = filter[index];
    if (inString) {
      if (character === "\\") index += 1;
      else if (character === '"') inString = false;
      continue;
    }
    if (character === '"') inString = true;
    else if (character === "(" || character === "[") depth += 1;
    else if (character === ")" || character === "]") depth -= 1;
    else if (depth === 0 && character === " ") {
      const match = /^ (and|or) /i.exec(filter.slice(index));
      if (match !== null) {
        terms.push(filter.slice(start, index));
        operators.push(match[1] as string);
        index += match[0].length - 1;
        start = index + 1;
      }
    }
  }
  terms.push(filter.slice(start));
  const rewritten = terms.map((term) => {
    const grouped = /^(not\s*)?\((.*)\)$/is.exec(term.trim());
    return grouped === null ? term : `${grouped[1] ?? ""}(${leftToRight(grouped[2] as string)})`;
  });
  let result = rewritten[0] as string;
  for (let index = 0; index < operators.length; index += 1) {
    result = `${index === 0 ? result : `(${result})`} ${operators[index]} ${rewritten[index + 1]}`;
  }
  return result;
}
