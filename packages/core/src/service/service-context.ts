import type { Repository } from "../repository/create-repository";
import type { SchemaRegistry } from "../schema/create-schema-registry";
import type { ScimEventEmitter } from "./events";
import type { ResolvedBaseOptions } from "./options";

/** What every request handler of the service reads. */
export interface ServiceContext {
  readonly options: ResolvedBaseOptions;
  readonly registry: SchemaRegistry;
  readonly repository: Repository;
  readonly events: ScimEventEmitter;
}
