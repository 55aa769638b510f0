/**
 * `@scimkit/http/adapter`: the entry framework adapters build on. Node adapters
 * (`@scimkit/express`, `@scimkit/fastify`) hand the layer an `AdapterRequest` made
 * of what their framework already parsed and write the `AdapterReply` themselves,
 * so no WHATWG `Request`/`Response` is built per request. Applications use the
 * main entry (`scimFetchHandler`) or an adapter package instead.
 */
export type {
  AdapterBody,
  AdapterReply,
  AdapterRequest,
  RequestHeaders,
  StreamRead,
} from "./adapter-types";
export { createScimHttp, type ScimHttp } from "./create-scim-http";
export { createManagementHttp } from "./management-endpoint";
export { declaresBody, type NodeBodyStream, nodeRequestBody, readNodeStream } from "./node-body";
export type { OptionsOwner } from "./options";
export { decodeComponent, decodePath, MAX_QUERY_PARAMETERS, parseQuery } from "./parse-query";
export type { Pipeline } from "./pipeline";
export { digestToken } from "./token";
