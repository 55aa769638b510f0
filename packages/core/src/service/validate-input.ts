import { badRequest } from "../errors";
import type { ResourceSchema, ScimObject } from "../schema/types";

/**
 * Turns a POST/PUT body into the attributes to store. Interim: checks the body
 * is an object and drops `id`/`meta`; the schema validation from `schema/`
 * replaces this as soon as it lands.
 */
export function validateInput(
  _resourceSchema: ResourceSchema,
  body: unknown,
  _options: {
    readonly mode: "create" | "replace";
    readonly strict: boolean;
    readonly existing?: ScimObject;
  },
): ScimObject {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw badRequest(
      "invalidSyntax",
      "The request body must be a JSON object (a SCIM resource).",
      "body.not_object",
    );
  }
  const { id: _id, meta: _meta, ...data } = body as ScimObject;
  return data;
}
