import type { Readable } from "node:stream";
import type { AdapterBody, RequestHeaders, StreamRead } from "./adapter-types";

/** The part of Node's `IncomingMessage` the body reader uses. */
export type NodeBodyStream = Pick<Readable, "on" | "off" | "resume">;

/** Whether the headers announce a body (a Content-Length other than 0, or Transfer-Encoding). */
export function declaresBody(headers: RequestHeaders): boolean {
  const length = headers["content-length"];
  return headers["transfer-encoding"] !== undefined || (length !== undefined && length !== "0");
}

/**
 * Reads a Node request stream, never buffering more than `limit` bytes. Past the
 * limit it stops buffering but keeps draining in the background, so the client
 * can read the 413.
 */
export function readNodeStream(stream: NodeBodyStream, limit: number): Promise<StreamRead> {
  return new Promise((resolve) => {
    const chunks: Uint8Array[] = [];
    let received = 0;
    const finish = (outcome: StreamRead) => {
      stream.off("data", onData);
      stream.off("end", onEnd);
      stream.off("error", onAbort);
      stream.off("close", onAbort);
      resolve(outcome);
    };
    const onData = (chunk: Uint8Array) => {
      received += chunk.length;
      if (received > limit) {
        stream.resume();
        finish({ ok: false, reason: "tooLarge" });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => finish({ ok: true, bytes: Buffer.concat(chunks, received) });
    const onAbort = () => finish({ ok: false, reason: "aborted" });
    stream.on("data", onData);
    stream.on("end", onEnd);
    stream.on("error", onAbort);
    stream.on("close", onAbort);
  });
}

/** The body of an unread Node request: none, or its stream. */
export function nodeRequestBody(stream: NodeBodyStream, headers: RequestHeaders): AdapterBody {
  return declaresBody(headers)
    ? { kind: "stream", read: (limit) => readNodeStream(stream, limit) }
    : { kind: "none" };
}
