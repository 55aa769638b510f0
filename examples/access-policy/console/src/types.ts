/** The JSON the console reads: the management API's and the app's `/api/admin` shapes. */

export interface Tenant {
  readonly id: string;
  readonly name: string;
  readonly disabled: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface TokenRecord {
  readonly id: string;
  readonly description: string;
  readonly hint: string;
  readonly createdAt: string;
  readonly lastUsedAt?: string;
  readonly expiresAt?: string;
}

export interface LogEntry {
  readonly id: string;
  readonly time: string;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly scimType?: string;
  readonly detail?: string;
  readonly idp?: string;
  readonly changedAttributes?: readonly string[];
}

export interface User {
  readonly id: string;
  readonly userName: string;
  readonly displayName?: string;
  readonly externalId?: string;
  readonly active: boolean;
}

export interface Group {
  readonly id: string;
  readonly displayName: string;
  readonly policyName: string;
  readonly externalId?: string;
  readonly memberCount: number;
  readonly nameReference: string | null;
  readonly idReference: string;
  readonly warning?: string;
}

export interface Member {
  readonly id: string;
  readonly type: "User" | "Group" | "Unknown";
  readonly name?: string;
  readonly active?: boolean;
}

export interface PolicyStatus {
  readonly file: string;
  readonly loadedAt?: string;
  readonly error?: { readonly messages: readonly string[]; readonly at: string };
  readonly domain: string | null;
  readonly nestedGroups: boolean;
  readonly rules: readonly {
    readonly index: number;
    readonly src: readonly string[];
    readonly dst: readonly string[];
  }[];
}

export interface PolicyError {
  readonly ref: string;
  readonly message: string;
}

export interface Overview {
  readonly tenant: string;
  readonly consumer: { readonly active: boolean; readonly position: number; readonly head: number };
}
