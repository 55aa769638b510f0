/**
 * Reads the statements out of the wire-protocol messages the store hands PGlite's
 * `execProtocolStream` (its prepared-statement path bypasses `query`), so a test's
 * recording client sees every statement on PGlite as it does on a `pg` Pool.
 */

/** A statement one Bind message ran: its text (from the Parse that named it) and values. */
export interface ProtocolStatement {
  readonly text: string;
  readonly values: readonly (string | null)[];
}

const decoder = new TextDecoder();

/** A decoder that remembers statement names across calls (Parse once, Bind many times). */
export function protocolStatements(): (message: Uint8Array) => ProtocolStatement[] {
  const texts = new Map<string, string>();
  return (message) => {
    const view = new DataView(message.buffer, message.byteOffset, message.byteLength);
    const ran: ProtocolStatement[] = [];
    let offset = 0;
    while (offset + 5 <= message.length) {
      const type = String.fromCharCode(message[offset] as number);
      const end = offset + 1 + view.getInt32(offset + 1);
      let at = offset + 5;
      const cstring = () => {
        const zero = message.indexOf(0, at);
        const text = decoder.decode(message.subarray(at, zero));
        at = zero + 1;
        return text;
      };
      if (type === "P") {
        const name = cstring();
        texts.set(name, cstring());
      } else if (type === "B") {
        cstring(); // portal
        const name = cstring();
        const formats = view.getInt16(at);
        at += 2 + formats * 2;
        const count = view.getInt16(at);
        at += 2;
        const values: (string | null)[] = [];
        for (let index = 0; index < count; index += 1) {
          const length = view.getInt32(at);
          at += 4;
          if (length < 0) values.push(null);
          else {
            values.push(decoder.decode(message.subarray(at, at + length)));
            at += length;
          }
        }
        ran.push({ text: texts.get(name) ?? `<unknown statement ${name}>`, values });
      }
      offset = end;
    }
    return ran;
  };
}
