/**
 * The frontend messages of PostgreSQL's extended query protocol that the PGlite
 * prepared-statement runner sends (PostgreSQL docs, "Message Formats"): each a
 * type byte, an int32 length that counts itself, then the body.
 */

const encoder = new TextEncoder();

/** A growable buffer for one message: type byte, int32 length, then the body. */
class MessageWriter {
  private bytes = new Uint8Array(256);
  private view = new DataView(this.bytes.buffer);
  private length = 5;

  constructor(type: string) {
    this.bytes[0] = type.charCodeAt(0);
  }

  private room(extra: number): void {
    if (this.length + extra <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.length + extra));
    grown.set(this.bytes);
    this.bytes = grown;
    this.view = new DataView(grown.buffer);
  }

  int16(value: number): this {
    this.room(2);
    this.view.setInt16(this.length, value);
    this.length += 2;
    return this;
  }

  int32(value: number): this {
    this.room(4);
    this.view.setInt32(this.length, value);
    this.length += 4;
    return this;
  }

  raw(bytes: Uint8Array): this {
    this.room(bytes.length);
    this.bytes.set(bytes, this.length);
    this.length += bytes.length;
    return this;
  }

  cstring(text: string): this {
    return this.raw(encoder.encode(text)).raw(NUL);
  }

  finish(): Uint8Array {
    this.view.setInt32(1, this.length - 1);
    return this.bytes.subarray(0, this.length);
  }
}

const NUL = new Uint8Array([0]);

export const parseMessage = (name: string, text: string) =>
  new MessageWriter("P").cstring(name).cstring(text).int16(0).finish();

export const describeStatement = (name: string) =>
  new MessageWriter("D")
    .raw(new Uint8Array(["S".charCodeAt(0)]))
    .cstring(name)
    .finish();

/** Bind to the unnamed portal: every parameter and result column in text format. */
export function bindMessage(statement: string, values: readonly (string | null)[]): Uint8Array {
  const writer = new MessageWriter("B")
    .cstring("")
    .cstring(statement)
    .int16(0)
    .int16(values.length);
  for (const value of values) {
    if (value === null) writer.int32(-1);
    else {
      const bytes = encoder.encode(value);
      writer.int32(bytes.length).raw(bytes);
    }
  }
  return writer.int16(0).finish();
}

/** Execute the unnamed portal, all rows. */
export const EXECUTE = new MessageWriter("E").cstring("").int32(0).finish();
export const SYNC = new MessageWriter("S").finish();

export function concat(...parts: readonly Uint8Array[]): Uint8Array {
  let size = 0;
  for (const part of parts) size += part.length;
  const joined = new Uint8Array(size);
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.length;
  }
  return joined;
}
