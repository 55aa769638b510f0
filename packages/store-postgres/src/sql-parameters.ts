/**
 * Collects the values of one statement and hands out their placeholders, so
 * values never enter SQL text.
 */
export class SqlParameters {
  readonly values: unknown[];

  constructor(values: readonly unknown[] = []) {
    this.values = [...values];
  }

  /** Appends `value` and returns its placeholder (`$3`), cast when `type` is given. */
  add(value: unknown, type?: string): string {
    this.values.push(value);
    const placeholder = `$${this.values.length}`;
    return type === undefined ? placeholder : `${placeholder}::${type}`;
  }
}

/**
 * A string literal for a name the schema defines (an attribute name or URN),
 * never for a client value. Attribute names are spliced rather than passed as
 * parameters so `data ->> 'userName'` matches the expression indexes.
 */
export function literal(name: string): string {
  return `'${name.replaceAll("'", "''")}'`;
}

/** A double-quoted SQL identifier. */
export function identifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
