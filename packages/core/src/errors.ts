/**
 * The one error type that crosses the HTTP boundary (RFC 7644 §3.12).
 *
 * Parsers and engines return failures as values (`Result`); the service throws
 * `ScimError` at the edge and the HTTP adapter turns it into an error body.
 */

/** The closed set of `scimType` values from RFC 7644 §3.12 and RFC 9865 §4. */
export type ScimType =
  | "invalidFilter"
  | "tooMany"
  | "uniqueness"
  | "mutability"
  | "invalidSyntax"
  | "invalidPath"
  | "noTarget"
  | "invalidValue"
  | "invalidVers"
  | "sensitive"
  | "invalidCursor"
  | "expiredCursor"
  | "invalidCount";

export const ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error";

const MARKER = Symbol.for("scimkit.ScimError");

export interface ScimErrorOptions {
  /** HTTP status, e.g. 400, 404, 409, 412. */
  readonly status: number;
  readonly scimType?: ScimType | undefined;
  /** Human-readable explanation, safe to show to the client. */
  readonly detail: string;
  /** Machine-readable code for tests and logs, e.g. `filter.expected_token`. */
  readonly code?: string | undefined;
  /** Zero-based offset into the parsed text, for parser errors. */
  readonly position?: number | undefined;
  readonly cause?: unknown;
}

export class ScimError extends Error {
  readonly [MARKER] = true;
  readonly status: number;
  readonly scimType: ScimType | undefined;
  readonly detail: string;
  readonly code: string | undefined;
  readonly position: number | undefined;

  constructor(options: ScimErrorOptions) {
    super(options.detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "ScimError";
    this.status = options.status;
    this.scimType = options.scimType;
    this.detail = options.detail;
    this.code = options.code;
    this.position = options.position;
  }

  /** Recognises a ScimError even when two copies of @scimkit/core are installed. */
  static is(value: unknown): value is ScimError {
    return typeof value === "object" && value !== null && MARKER in value;
  }

  /** The RFC 7644 §3.12 error body; `status` is a string as the RFC (erratum 7898) requires. */
  toJSON(): ScimErrorBody {
    return {
      schemas: [ERROR_SCHEMA],
      status: String(this.status),
      ...(this.scimType === undefined ? {} : { scimType: this.scimType }),
      detail: this.detail,
    };
  }
}

export interface ScimErrorBody {
  readonly schemas: readonly [typeof ERROR_SCHEMA];
  readonly status: string;
  readonly scimType?: ScimType;
  readonly detail: string;
}

/** Expected failures are values; only the edge throws. */
export type Result<T, E = ScimError> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: E };

export const ok = <T>(value: T): Result<T, never> => ({ ok: true, value });
export const fail = <E = ScimError>(error: E): Result<never, E> => ({ ok: false, error });

/** Unwraps a Result, throwing its ScimError. For the edge (service, tests). */
export function unwrap<T>(result: Result<T>): T {
  if (result.ok) return result.value;
  throw result.error;
}

export const badRequest = (
  scimType: ScimType | undefined,
  detail: string,
  code?: string,
  position?: number,
): ScimError => new ScimError({ status: 400, scimType, detail, code, position });

/**
 * The 400-error function of one wording table: call sites name a code and pass its
 * arguments; the human wording stays in the table (`patch/messages.ts`, ...).
 */
export function errorsFromTable<T extends Record<string, (...args: never[]) => string>>(
  messages: T,
) {
  return <C extends keyof T & string>(
    scimType: ScimType,
    code: C,
    ...args: Parameters<T[C]>
  ): ScimError => {
    const message = messages[code] as (...values: Parameters<T[C]>) => string;
    return badRequest(scimType, message(...args), code);
  };
}

export const notFound = (detail: string): ScimError =>
  new ScimError({ status: 404, detail, code: "not_found" });
