import type { CheckDefinition } from "../check";
import { bulkChecks } from "./bulk";
import { concurrencyChecks } from "./concurrency";
import { discoveryChecks } from "./discovery";
import { entraChecks } from "./entra";
import { errorChecks } from "./errors";
import { etagChecks } from "./etag";
import { filterChecks } from "./filter";
import { groupChecks } from "./groups";
import { oktaChecks } from "./okta";
import { cursorChecks, pagingChecks, sortChecks } from "./paging";
import { patchChecks } from "./patch";
import { projectionChecks } from "./projection";
import { userChecks } from "./users";

/** Every check, in report order (grouped by area). */
export const ALL_CHECKS: readonly CheckDefinition[] = [
  ...discoveryChecks,
  ...errorChecks,
  ...userChecks,
  ...groupChecks,
  ...filterChecks,
  ...pagingChecks,
  ...sortChecks,
  ...cursorChecks,
  ...projectionChecks,
  ...patchChecks,
  ...etagChecks,
  ...bulkChecks,
  ...concurrencyChecks,
  ...entraChecks,
  ...oktaChecks,
];
