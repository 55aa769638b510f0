import { ScimError } from "../errors";
import type { ResourceSchema } from "../schema/types";
import type { ServiceContext } from "./service-context";
import type { ScimRequest, ScimResponse } from "./types";

/** `PATCH /{type}/{id}` (RFC 7644 §3.5.2). Interim until the PATCH engine lands. */
export async function patchResource(
  _context: ServiceContext,
  _request: ScimRequest,
  _resourceSchema: ResourceSchema,
  _id: string,
): Promise<ScimResponse> {
  throw new ScimError({ status: 501, detail: "PATCH is not available yet." });
}
