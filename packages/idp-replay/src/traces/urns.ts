/** Schema and message URNs the traces put on the wire. */
export const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
export const ENTERPRISE_USER = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
export const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
export const PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
export const LIST_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
export const ERROR = "urn:ietf:params:scim:api:messages:2.0:Error";
/** Entra's group schema URN, sent beside the core Group URN [E1]. */
export const MICROSOFT_GROUP =
  "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group";
/** The malformed enterprise URN of Entra's older create example (no `:` before `User`) [E1]. */
export const MALFORMED_ENTERPRISE_USER =
  "urn:ietf:params:scim:schemas:extension:enterprise:2.0User";
/** SCIM 1.1 core URN some OneLogin templates keep in a 2.0 payload [N2, N3]. */
export const SCIM1_CORE = "urn:scim:schemas:core:1.0";

/** Response content type every SCIM answer must carry (RFC 7644 §8.1). */
export const SCIM_JSON = /^application\/scim\+json/;
