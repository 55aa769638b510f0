import type { ScimStore } from "@scimkit/core";
import { describe } from "vitest";
import { defineChangeFeedConformance } from "./areas/change-feed";
import { defineFeedReplayConformance } from "./areas/feed-replay";
import { defineFiltersConformance } from "./areas/filters";
import { defineIsolationConformance } from "./areas/isolation";
import { defineMembershipConformance } from "./areas/membership";
import { definePagingConformance } from "./areas/paging";
import { defineProvisioningLogConformance } from "./areas/provisioning-log";
import { defineRecordsConformance } from "./areas/records";
import { defineSoftDeleteConformance } from "./areas/soft-delete";
import { defineSortingConformance } from "./areas/sorting";
import { defineTenantsConformance } from "./areas/tenants";
import { defineUniquenessConformance } from "./areas/uniqueness";
import { createHarness, type StoreConformanceOptions } from "./harness";

/**
 * Defines the store conformance suite as vitest `describe`/`it` blocks, one area
 * per file under `areas/`: records (CRUD), uniqueness and version conflicts under
 * concurrency, a corpus of filters over a fixed data set, sorting, index and
 * cursor paging, the membership relation, tenant isolation, and the optional
 * trash methods (soft delete, purge, restore; skipped with a reason when the store
 * does not implement them), and the optional feature groups: the change feed
 * (with a property test that replaying it rebuilds the directory after random
 * IdP writes), tenants with their tokens, and the provisioning log. Persisted state is checked through `backdoor`. Queries
 * run through core's repository, so a store is judged on what it claims to push
 * down and core's fallback covers the rest.
 */
export function runStoreConformance<S extends ScimStore>(options: StoreConformanceOptions<S>) {
  const harness = createHarness(options);
  describe(options.name, () => {
    defineRecordsConformance(harness);
    defineUniquenessConformance(harness);
    defineFiltersConformance(harness);
    defineSortingConformance(harness);
    definePagingConformance(harness);
    defineMembershipConformance(harness);
    defineIsolationConformance(harness);
    defineSoftDeleteConformance(harness);
    defineChangeFeedConformance(harness);
    defineFeedReplayConformance(harness);
    defineTenantsConformance(harness);
    defineProvisioningLogConformance(harness);
  });
}
