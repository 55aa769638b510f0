import { type Result, ScimError, type ScimType } from "../errors";
import type { AttributePath, PatchPath } from "../path/ast";
import { scanAttributePath } from "../path/parse-attribute-path";
import type { ComparisonOperator, FilterNode, FilterValue } from "./ast";
import { describeToken, Lexer, type Token } from "./lexer";
import { type SyntaxErrorCode, syntaxError } from "./messages";

/** Limits and dialect of `parseFilter`. */
export interface ParseFilterOptions {
  /**
   * Reject the lenient forms IdPs send: unquoted values (`externalId eq jyoung`)
   * and a sub-attribute after a value path (`emails[primary eq true].value eq "x"`).
   * @default false
   */
  readonly strict?: boolean;
  /** Longest filter accepted, in characters. @default 8192 */
  readonly maxLength?: number;
  /** Deepest nesting of parentheses, `not (...)` and value paths accepted. @default 64 */
  readonly maxDepth?: number;
}

export const DEFAULT_FILTER_MAX_LENGTH = 8192;
export const DEFAULT_FILTER_MAX_DEPTH = 64;

const OPERATORS = new Map<number, ComparisonOperator | "pr">(
  (["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le", "pr"] as const).map((operator) => [
    (operator.charCodeAt(0) << 8) | operator.charCodeAt(1),
    operator,
  ]),
);

/** The operator a two-letter word names, case-insensitively, without allocating. */
function operatorOf(word: string): ComparisonOperator | "pr" | undefined {
  if (word.length !== 2) return undefined;
  const first = word.charCodeAt(0);
  const second = word.charCodeAt(1);
  // Only ASCII letters fold with | 32; anything else cannot be an operator.
  if (first > 127 || second > 127) return undefined;
  return OPERATORS.get(((first | 32) << 8) | (second | 32));
}

const EXPRESSION_START = 'attribute path, "(" or "not"';

/**
 * Parses a SCIM filter (RFC 7644 §3.4.2.2) into an AST. Total: any string gives
 * an AST or a 400 `invalidFilter` ScimError with `code` and 0-based `position`;
 * it never throws and never recurses deeper than `maxDepth`.
 *
 * Precedence is `not` > `and` > `or`; `and`/`or` associate to the left. Operators,
 * `and`/`or`/`not` and `true`/`false`/`null` are case-insensitive. Paths inside a
 * value path (`emails[type eq "work"]`) are relative: their `attribute` names the
 * sub-attribute. Unless `strict`, a bare word in value position is a string, and
 * `emails[primary eq true].value eq "x"` becomes
 * `emails[primary eq true and value eq "x"]`.
 */
export function parseFilter(text: string, options: ParseFilterOptions = {}): Result<FilterNode> {
  if (typeof text !== "string") text = "";
  const maxLength = options.maxLength ?? DEFAULT_FILTER_MAX_LENGTH;
  if (text.length > maxLength) {
    return fail("invalidFilter", "filter.too_long", maxLength, {
      limit: maxLength,
      length: text.length,
    });
  }
  try {
    const parser = new Parser(text, options, "invalidFilter");
    const filter = parser.parseOr();
    parser.expectEnd();
    return { ok: true, value: filter };
  } catch (error) {
    if (ScimError.is(error)) return { ok: false, error };
    throw error;
  }
}

/**
 * Parses a PATCH operation path (RFC 7644 §3.5.2 `PATH = attrPath / valuePath [subAttr]`):
 * `members`, `name.familyName`, `emails[type eq "work"]`, `emails[type eq "work"].value`.
 * Surrounding whitespace is ignored. Errors in the path are 400 `invalidPath`;
 * errors inside the brackets are 400 `invalidFilter`, as RFC 7644 §3.12 assigns
 * "PATCH (Path filter)" to `invalidFilter`. Takes the filter options for the bracketed filter.
 */
export function parsePatchPath(text: string, options: ParseFilterOptions = {}): Result<PatchPath> {
  if (typeof text !== "string") text = "";
  const maxLength = options.maxLength ?? DEFAULT_FILTER_MAX_LENGTH;
  if (text.length > maxLength) {
    return fail("invalidPath", "path.too_long", maxLength, {
      limit: maxLength,
      length: text.length,
    });
  }
  try {
    return { ok: true, value: new Parser(text, options, "invalidPath").parsePatchPath() };
  } catch (error) {
    if (ScimError.is(error)) return { ok: false, error };
    throw error;
  }
}

function fail(
  scimType: ScimType,
  code: SyntaxErrorCode,
  position: number,
  details: Parameters<typeof syntaxError>[3],
): Result<never> {
  return { ok: false, error: syntaxError(scimType, code, position, details) };
}

/** Recursive descent over the lexer; throws ScimError, which the entry points return as a Result. */
class Parser {
  private readonly lexer: Lexer;
  private token: Token;
  private depth = 0;
  private readonly strict: boolean;
  private readonly maxDepth: number;

  constructor(
    private readonly text: string,
    options: ParseFilterOptions,
    private scimType: ScimType,
  ) {
    this.strict = options.strict ?? false;
    this.maxDepth = options.maxDepth ?? DEFAULT_FILTER_MAX_DEPTH;
    this.lexer = new Lexer(text);
    this.lexer.scimType = scimType;
    this.token = this.lexer.next();
  }

  parsePatchPath(): PatchPath {
    const path = this.parsePath(false);
    if (this.token.kind === "end") return { kind: "PatchPath", path };
    if (this.token.kind !== "[") this.unexpected('"[" or end of path');
    this.switchScimType("invalidFilter");
    const filter = this.parseBrackets();
    this.switchScimType("invalidPath");
    const subAttribute = this.parseSubAttributeAfterBrackets();
    if (this.current().kind !== "end") {
      this.unexpected(subAttribute === undefined ? '"." or end of path' : "end of path");
    }
    return subAttribute === undefined
      ? { kind: "PatchPath", path, filter }
      : { kind: "PatchPath", path, filter, subAttribute };
  }

  expectEnd(): void {
    if (this.token.kind !== "end") this.unexpected('"and", "or" or end of filter');
  }

  parseOr(inValuePath = false): FilterNode {
    let left = this.parseAnd(inValuePath);
    while (this.isKeyword("or")) {
      this.advance();
      const right = this.parseAnd(inValuePath);
      left = { kind: "Logical", operator: "or", left, right };
    }
    return left;
  }

  private parseAnd(inValuePath: boolean): FilterNode {
    let left = this.parseUnary(inValuePath);
    while (this.isKeyword("and")) {
      this.advance();
      const right = this.parseUnary(inValuePath);
      left = { kind: "Logical", operator: "and", left, right };
    }
    return left;
  }

  private parseUnary(inValuePath: boolean): FilterNode {
    const token = this.token;
    if (token.kind === "(") return this.parseGroup(inValuePath);
    if (token.kind !== "word") this.unexpected(EXPRESSION_START);
    if (this.isKeyword("not")) {
      this.advance();
      if (this.token.kind !== "(") this.unexpected('"("');
      return { kind: "Not", filter: this.parseGroup(inValuePath) };
    }
    return this.parseAttributeExpression(inValuePath);
  }

  private parseGroup(inValuePath: boolean): FilterNode {
    this.enter();
    this.advance();
    const filter = this.parseOr(inValuePath);
    if (this.token.kind !== ")") this.unexpected('"and", "or" or ")"');
    this.advance();
    this.depth--;
    return filter;
  }

  private parseAttributeExpression(inValuePath: boolean): FilterNode {
    const path = this.parsePath(true);
    if (this.token.kind === "[" && !inValuePath) {
      const filter = this.parseBrackets();
      const subAttribute = this.parseSubAttributeAfterBrackets();
      if (subAttribute === undefined) return { kind: "ValuePath", path, filter };
      // Entra: emails[primary eq true].value eq "x" means the same element matches both.
      const inner = this.parseOperation({ kind: "AttributePath", attribute: subAttribute });
      return {
        kind: "ValuePath",
        path,
        filter: { kind: "Logical", operator: "and", left: filter, right: inner },
      };
    }
    return this.parseOperation(path);
  }

  /** `pr`, or a comparison operator and its value, after `path`. */
  private parseOperation(path: AttributePath): FilterNode {
    const token = this.token;
    const operator = token.kind === "word" ? operatorOf(token.value as string) : undefined;
    if (operator === "pr") {
      this.advance();
      return { kind: "Present", path };
    }
    if (operator === undefined) this.unexpected('comparison operator or "pr"');
    this.advance();
    const value = this.parseValue();
    return { kind: "Comparison", path, operator, value };
  }

  private parseValue(): FilterValue {
    const token = this.token;
    let value: FilterValue;
    if (token.kind === "string" || token.kind === "number") {
      value = token.value;
    } else if (token.kind === "word") {
      const word = token.value as string;
      const keyword = word.length <= 5 ? word.toLowerCase() : "";
      if (keyword === "true") value = true;
      else if (keyword === "false") value = false;
      else if (keyword === "null") value = null;
      else if (this.strict) {
        throw syntaxError(this.scimType, "filter.unquoted_value", token.start, {
          found: describeToken(this.text, token),
        });
      } else value = word;
    } else {
      this.unexpected("value");
    }
    this.advance();
    return value;
  }

  /** `[` filter `]`, the current token being `[`. */
  private parseBrackets(): FilterNode {
    this.enter();
    this.advance();
    const filter = this.parseOr(true);
    if (this.token.kind !== "]") this.unexpected('"and", "or" or "]"');
    this.advance();
    this.depth--;
    return filter;
  }

  /** The `.sub` word right after `]`, if any (filter: lenient only; PATCH: always). */
  private parseSubAttributeAfterBrackets(): string | undefined {
    const token = this.token;
    if (token.kind !== "word" || this.text.charCodeAt(token.start) !== 46 /* . */) return undefined;
    if (this.scimType === "invalidFilter" && this.strict) {
      throw syntaxError(this.scimType, "filter.value_path_subattribute", token.start, {
        found: describeToken(this.text, token),
      });
    }
    const code = this.scimType === "invalidPath" ? "path.expected" : "filter.expected";
    const scanned = scanAttributePath(this.text, token.start + 1, token.end, this.scimType, code);
    if (!scanned.ok) throw scanned.error;
    if (scanned.value.schema !== undefined || scanned.value.subAttribute !== undefined) {
      const offset = this.text.indexOf(
        scanned.value.schema === undefined ? "." : ":",
        token.start + 1,
      );
      throw syntaxError(this.scimType, code, offset, {
        expected: this.scimType === "invalidPath" ? "end of path" : "comparison operator",
        found: JSON.stringify(this.text[offset]),
      });
    }
    this.advance();
    return scanned.value.attribute;
  }

  private parsePath(inFilter: boolean): AttributePath {
    const token = this.token;
    if (token.kind !== "word") this.unexpected(inFilter ? EXPRESSION_START : "attribute path");
    const code = this.scimType === "invalidPath" ? "path.expected" : "filter.expected";
    const scanned = scanAttributePath(this.text, token.start, token.end, this.scimType, code);
    if (!scanned.ok) throw scanned.error;
    this.advance();
    return scanned.value;
  }

  private isKeyword(keyword: "and" | "or" | "not"): boolean {
    const token = this.token;
    return (
      token.kind === "word" &&
      token.end - token.start === keyword.length &&
      (token.value as string).toLowerCase() === keyword
    );
  }

  private enter(): void {
    if (++this.depth > this.maxDepth) {
      throw syntaxError(this.scimType, "filter.too_deep", this.token.start, {
        limit: this.maxDepth,
      });
    }
  }

  /** The current token, read through a call so TypeScript does not keep a stale narrowing. */
  private current(): Token {
    return this.token;
  }

  private advance(): void {
    this.token = this.lexer.next();
  }

  private switchScimType(scimType: ScimType): void {
    this.scimType = scimType;
    this.lexer.scimType = scimType;
  }

  private unexpected(expected: string): never {
    const code = this.scimType === "invalidPath" ? "path.expected" : "filter.expected";
    throw syntaxError(this.scimType, code, this.token.start, {
      expected,
      found: describeToken(this.text, this.token),
    });
  }
}
