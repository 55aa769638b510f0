import type { ScimType } from "../errors";
import { describeFound, syntaxError } from "./messages";

/**
 * Token kinds of the filter language. `word` is any run of characters other than
 * whitespace, brackets, parentheses and `"`: attribute paths (with URN prefix and
 * `.sub`), operators, keywords, and (lenient mode) bare values.
 */
export type TokenKind = "word" | "string" | "number" | "(" | ")" | "[" | "]" | "end";

export interface Token {
  readonly kind: TokenKind;
  /** Offset of the first character. */
  readonly start: number;
  /** Offset after the last character. */
  readonly end: number;
  /** Decoded string for `string`, the number for `number`, the raw text otherwise. */
  readonly value: string | number;
}

const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** Character codes the lexer branches on. */
const Code = {
  Tab: 9,
  LineFeed: 10,
  CarriageReturn: 13,
  Space: 32,
  Quote: 34,
  LeftParen: 40,
  RightParen: 41,
  Minus: 45,
  Zero: 48,
  Nine: 57,
  LeftBracket: 91,
  Backslash: 92,
  RightBracket: 93,
} as const;

const isWhitespace = (code: number) =>
  code === Code.Space ||
  code === Code.Tab ||
  code === Code.LineFeed ||
  code === Code.CarriageReturn;

const isDelimiter = (code: number) =>
  isWhitespace(code) ||
  code === Code.LeftParen ||
  code === Code.RightParen ||
  code === Code.LeftBracket ||
  code === Code.RightBracket ||
  code === Code.Quote;

const ESCAPES: Record<string, string> = {
  '"': '"',
  "\\": "\\",
  "/": "/",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
};

/**
 * Splits filter text into tokens on demand. Throws a ScimError (caught by the
 * parser, which returns it as a Result) for an unterminated string, a bad escape
 * or a number that is not finite.
 */
export class Lexer {
  /** Offset where the next token search starts. */
  private position = 0;
  /** `scimType` of lexical errors; the PATCH path parser switches it. */
  scimType: ScimType = "invalidFilter";

  constructor(readonly text: string) {}

  /** Offset of the next non-whitespace character (without consuming anything). */
  peekOffset(): number {
    const { text } = this;
    let position = this.position;
    while (position < text.length && isWhitespace(text.charCodeAt(position))) position++;
    return position;
  }

  next(): Token {
    const { text } = this;
    const start = this.peekOffset();
    if (start >= text.length) {
      this.position = start;
      return { kind: "end", start, end: start, value: "" };
    }
    const code = text.charCodeAt(start);
    switch (code) {
      case Code.LeftParen:
        this.position = start + 1;
        return { kind: "(", start, end: start + 1, value: "(" };
      case Code.RightParen:
        this.position = start + 1;
        return { kind: ")", start, end: start + 1, value: ")" };
      case Code.LeftBracket:
        this.position = start + 1;
        return { kind: "[", start, end: start + 1, value: "[" };
      case Code.RightBracket:
        this.position = start + 1;
        return { kind: "]", start, end: start + 1, value: "]" };
      case Code.Quote:
        return this.readString(start);
    }
    let end = start + 1;
    while (end < text.length && !isDelimiter(text.charCodeAt(end))) end++;
    this.position = end;
    const raw = text.slice(start, end);
    if ((code === Code.Minus || (code >= Code.Zero && code <= Code.Nine)) && NUMBER.test(raw)) {
      const value = Number(raw);
      if (!Number.isFinite(value)) {
        throw syntaxError(this.scimType, "filter.number_out_of_range", start, {
          found: describeFound(raw),
        });
      }
      // -0 prints as "0"; normalising keeps parse(print(ast)) equal to ast.
      return { kind: "number", start, end, value: value === 0 ? 0 : value };
    }
    return { kind: "word", start, end, value: raw };
  }

  private readString(start: number): Token {
    const { text } = this;
    let position = start + 1;
    let chunkStart = position;
    let decoded = "";
    while (position < text.length) {
      const code = text.charCodeAt(position);
      if (code === Code.Quote) {
        this.position = position + 1;
        const value = decoded + text.slice(chunkStart, position);
        return { kind: "string", start, end: position + 1, value };
      }
      if (code === Code.Backslash) {
        decoded += text.slice(chunkStart, position);
        const escaped = text[position + 1];
        if (escaped === "u") {
          const hex = text.slice(position + 2, position + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw this.invalidEscape(position, 6);
          decoded += String.fromCharCode(Number.parseInt(hex, 16));
          position += 6;
        } else {
          const replacement = escaped === undefined ? undefined : ESCAPES[escaped];
          if (replacement === undefined) throw this.invalidEscape(position, 2);
          decoded += replacement;
          position += 2;
        }
        chunkStart = position;
        continue;
      }
      position++;
    }
    throw syntaxError(this.scimType, "filter.unterminated_string", start);
  }

  private invalidEscape(position: number, length: number) {
    return syntaxError(this.scimType, "filter.invalid_escape", position, {
      found: describeFound(this.text.slice(position, position + length)),
    });
  }
}

/** How an error message shows a token. */
export function describeToken(text: string, token: Token): string {
  if (token.kind === "end") return "end of input";
  if (token.kind === "string") {
    const raw = text.slice(token.start, token.end);
    return `string ${raw.length > 42 ? `${raw.slice(0, 40)}..."` : raw}`;
  }
  return describeFound(text.slice(token.start, token.end));
}
