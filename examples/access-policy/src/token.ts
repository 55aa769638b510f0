import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generateToken, hashToken } from "@scimkit/express";

/** The default tenant's SCIM token (as its SHA-256), and what to tell the person who started it. */
export interface TokenSetup {
  readonly sha256: string;
  readonly message: string;
}

const HASH_FILE = "scim-token.sha256";

/**
 * `SCIM_TOKEN` wins. Otherwise a token is generated and shown once; when the data
 * outlives the process (`persistDir`), only its SHA-256 is written there, so a
 * restart keeps the token the IdP already holds without storing it in clear.
 */
export function setUpScimToken(persistDir: string | undefined): TokenSetup {
  const configured = process.env.SCIM_TOKEN;
  if (configured !== undefined && configured !== "") {
    return { sha256: hashToken(configured), message: "the value of SCIM_TOKEN" };
  }
  const hashFile = persistDir === undefined ? undefined : join(persistDir, HASH_FILE);
  if (hashFile !== undefined && existsSync(hashFile)) {
    const sha256 = readFileSync(hashFile, "utf8").trim();
    if (/^[0-9a-f]{64}$/.test(sha256)) {
      return {
        sha256,
        message: `the token generated on first start (only its hash is kept in ${hashFile}; delete that file for a new token)`,
      };
    }
  }
  const token = generateToken();
  if (hashFile !== undefined && persistDir !== undefined) {
    mkdirSync(persistDir, { recursive: true });
    writeFileSync(hashFile, `${hashToken(token)}\n`, { mode: 0o600 });
  }
  return {
    sha256: hashToken(token),
    message: `${token}   (generated now and shown once; set SCIM_TOKEN to choose one)`,
  };
}
