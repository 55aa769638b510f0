import { memoryStore } from "@scimkit/store-memory";
import { afterAll, afterEach, beforeAll, describe, expect, vi } from "vitest";
import {
  ENTERPRISE_SCHEMA,
  ERROR_SCHEMA,
  GROUP_SCHEMA,
  newUser,
  patchOp,
  type ScimClient,
  startScim,
  USER_SCHEMA,
} from "./harness";
import type { ConformanceTest, HttpAdapterUnderTest } from "./run-http-conformance";

/** The real service (memory store) over HTTP through the adapter: what a user's app gives an IdP. */
export function describeServiceOverHttp(
  adapter: HttpAdapterUnderTest,
  test: ConformanceTest,
): void {
  describe("the service over HTTP", () => {
    let scim: ScimClient;
    let baseUrl: string;
    let close: () => Promise<void>;

    beforeAll(async () => {
      const started = await startScim(adapter);
      scim = started.scim;
      baseUrl = started.baseUrl;
      close = started.close;
    });
    afterAll(() => close());

    const expectScimError = (
      reply: { status: number; headers: Headers; body: unknown },
      status: number,
      scimType?: string,
    ) => {
      expect(reply.status).toBe(status);
      expect(reply.headers.get("content-type")).toMatch(/^application\/scim\+json/);
      expect(reply.body).toMatchObject({ schemas: [ERROR_SCHEMA], status: String(status) });
      expect(typeof (reply.body as { detail: unknown }).detail).toBe("string");
      if (scimType !== undefined) expect(reply.body).toMatchObject({ scimType });
      else expect(reply.body).not.toHaveProperty("scimType");
    };

    describe("Users over HTTP", () => {
      test("POST answers 201 with Location, ETag, the created resource and a complete meta", async () => {
        const created = await scim(
          "POST",
          "/Users",
          newUser("bjensen@example.com", {
            id: "client-chosen",
            meta: { resourceType: "Group", version: 'W/"99"' },
            name: { givenName: "Barbara", familyName: "Jensen" },
            emails: [{ value: "bjensen@example.com", type: "work", primary: "True" }],
            [ENTERPRISE_SCHEMA]: { employeeNumber: "701984" },
            schemas: [USER_SCHEMA, ENTERPRISE_SCHEMA],
          }),
        );
        expect(created.status).toBe(201);
        expect(created.headers.get("content-type")).toMatch(/^application\/scim\+json/);
        const user = created.body;
        expect(user.id).not.toBe("client-chosen");
        expect(created.headers.get("location")).toBe(`${baseUrl}/Users/${user.id}`);
        expect(created.headers.get("etag")).toBe('W/"1"');
        expect(user.meta).toEqual({
          resourceType: "User",
          created: expect.any(String),
          lastModified: user.meta.created,
          location: `${baseUrl}/Users/${user.id}`,
          version: 'W/"1"',
        });
        expect(user.emails).toEqual([
          { value: "bjensen@example.com", type: "work", primary: true },
        ]);
        expect(user[ENTERPRISE_SCHEMA]).toEqual({ employeeNumber: "701984" });

        const read = await scim("GET", `/Users/${user.id}`);
        expect(read.status).toBe(200);
        expect(read.body).toEqual(user);
        expect(read.headers.get("etag")).toBe('W/"1"');
      });

      test("answers 409 uniqueness for a userName taken in another case", async () => {
        await scim("POST", "/Users", newUser("Dup@Example.com"));
        const again = await scim("POST", "/Users", newUser("dup@example.COM"));
        expectScimError(again, 409, "uniqueness");
      });

      test("honours attributes and excludedAttributes on POST, GET and lists; id is always returned", async () => {
        const created = await scim(
          "POST",
          "/Users?attributes=userName",
          newUser("projection@example.com", { displayName: "P" }),
        );
        expect(created.status).toBe(201);
        expect(Object.keys(created.body).sort()).toEqual(["id", "schemas", "userName"]);
        const excluded = await scim(
          "GET",
          `/Users/${created.body.id}?excludedAttributes=displayName,meta`,
        );
        expect(excluded.body.displayName).toBeUndefined();
        expect(excluded.body.userName).toBe("projection@example.com");
        const list = await scim(
          "GET",
          `/Users?filter=${encodeURIComponent('userName eq "projection@example.com"')}&attributes=displayName`,
        );
        expect(list.body.Resources).toEqual([
          { schemas: [USER_SCHEMA], id: created.body.id, displayName: "P" },
        ]);
      });

      test("lists with integer paging fields, a stable order and ignores unknown parameters", async () => {
        for (const name of ["page-a", "page-b", "page-c"]) {
          await scim("POST", "/Users", newUser(`${name}@example.com`, { title: "pager" }));
        }
        const filter = encodeURIComponent('title eq "pager"');
        const first = await scim(
          "GET",
          `/Users?filter=${filter}&startIndex=1&count=2&aadOptscim062020`,
        );
        expect(first.status).toBe(200);
        expect(first.body).toMatchObject({
          schemas: ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
          totalResults: 3,
          itemsPerPage: 2,
          startIndex: 1,
        });
        const second = await scim("GET", `/Users?filter=${filter}&startIndex=3&count=2`);
        expect(second.body).toMatchObject({ totalResults: 3, itemsPerPage: 1, startIndex: 3 });
        const names = [...first.body.Resources, ...second.body.Resources].map(
          (user: { userName: string }) => user.userName,
        );
        expect(new Set(names).size).toBe(3);
        const none = await scim(
          "GET",
          `/Users?filter=${encodeURIComponent('userName eq "nobody"')}`,
        );
        expect(none.body).toMatchObject({ totalResults: 0, itemsPerPage: 0, Resources: [] });
        const countZero = await scim("GET", `/Users?filter=${filter}&count=0`);
        expect(countZero.body).toMatchObject({ totalResults: 3, itemsPerPage: 0 });
      });

      test("answers 400 invalidFilter for a malformed or unknown-attribute filter", async () => {
        expectScimError(
          await scim("GET", `/Users?filter=${encodeURIComponent("userName eq")}`),
          400,
          "invalidFilter",
        );
        expectScimError(
          await scim("GET", `/Users?filter=${encodeURIComponent('nosuch eq "x"')}`),
          400,
          "invalidFilter",
        );
      });

      test("PUT replaces the resource, ignoring id/meta/groups as Okta sends them", async () => {
        const created = (
          await scim(
            "POST",
            "/Users",
            newUser("okta@example.com", { displayName: "Old", title: "t" }),
          )
        ).body;
        const replaced = await scim("PUT", `/Users/${created.id}`, {
          ...created,
          displayName: "New",
          title: undefined,
          groups: [],
          meta: { ...created.meta, version: 'W/"77"' },
        });
        expect(replaced.status).toBe(200);
        expect(replaced.body.displayName).toBe("New");
        expect(replaced.body.title).toBeUndefined();
        expect(replaced.body.meta.version).toBe('W/"2"');
        expect(replaced.headers.get("etag")).toBe('W/"2"');
        expect(replaced.body.meta.created).toBe(created.meta.created);
      });

      test("PATCH accepts Entra's capitalised ops and string booleans and answers 200 with the resource", async () => {
        const created = (await scim("POST", "/Users", newUser("entra@example.com"))).body;
        const patched = await scim(
          "PATCH",
          `/Users/${created.id}?excludedAttributes=emails`,
          patchOp(
            { op: "Replace", path: "active", value: "False" },
            { op: "Add", path: 'emails[type eq "work"].value', value: "entra@work.example.com" },
            { op: "Replace", path: "name.familyName", value: "Doe" },
          ),
        );
        expect(patched.status).toBe(200);
        expect(patched.body.active).toBe(false);
        expect(patched.body.name).toEqual({ familyName: "Doe" });
        expect(patched.body.emails).toBeUndefined();
        expect(patched.headers.get("etag")).toBe('W/"2"');
        const read = await scim("GET", `/Users/${created.id}`);
        expect(read.body.emails).toEqual([{ type: "work", value: "entra@work.example.com" }]);
        // The inactive user is still a resource: GET and filters return it.
        const filtered = await scim(
          "GET",
          `/Users?filter=${encodeURIComponent("active eq false")}`,
        );
        expect(filtered.body.Resources.map((user: { id: string }) => user.id)).toContain(
          created.id,
        );
      });

      test("a no-op PATCH keeps the version", async () => {
        const created = (
          await scim("POST", "/Users", newUser("noop@example.com", { displayName: "Same" }))
        ).body;
        const patched = await scim(
          "PATCH",
          `/Users/${created.id}`,
          patchOp({ op: "replace", path: "displayName", value: "Same" }),
        );
        expect(patched.status).toBe(200);
        expect(patched.headers.get("etag")).toBe('W/"1"');
      });

      test("answers 400 with the engine's scimType for a bad PATCH", async () => {
        const created = (await scim("POST", "/Users", newUser("badpatch@example.com"))).body;
        expectScimError(
          await scim("PATCH", `/Users/${created.id}`, patchOp({ op: "remove" })),
          400,
          "noTarget",
        );
        expectScimError(
          await scim(
            "PATCH",
            `/Users/${created.id}`,
            patchOp({ op: "jump", path: "title", value: "x" }),
          ),
          400,
          "invalidSyntax",
        );
      });

      test("DELETE answers 204, then 404 for every method", async () => {
        const created = (await scim("POST", "/Users", newUser("gone@example.com"))).body;
        const deleted = await scim("DELETE", `/Users/${created.id}`);
        expect(deleted.status).toBe(204);
        expect(deleted.body).toBeUndefined();
        expectScimError(await scim("GET", `/Users/${created.id}`), 404);
        expectScimError(
          await scim("PUT", `/Users/${created.id}`, newUser("gone@example.com")),
          404,
        );
        expectScimError(
          await scim(
            "PATCH",
            `/Users/${created.id}`,
            patchOp({ op: "replace", path: "title", value: "x" }),
          ),
          404,
        );
        expectScimError(await scim("DELETE", `/Users/${created.id}`), 404);
        const listed = await scim(
          "GET",
          `/Users?filter=${encodeURIComponent('userName eq "gone@example.com"')}`,
        );
        expect(listed.body.totalResults).toBe(0);
        // The userName is free again: a re-created user is a new user.
        const again = await scim("POST", "/Users", newUser("gone@example.com"));
        expect(again.status).toBe(201);
        expect(again.body.id).not.toBe(created.id);
      });
    });

    describe("ETags and conditional requests", () => {
      test("If-None-Match on GET answers 304 when the version matches, 200 when it changed", async () => {
        const created = await scim("POST", "/Users", newUser("etag@example.com"));
        const etag = created.headers.get("etag")!;
        const notModified = await scim("GET", `/Users/${created.body.id}`, undefined, {
          "if-none-match": etag,
        });
        expect(notModified.status).toBe(304);
        expect(notModified.body).toBeUndefined();
        expect(notModified.headers.get("etag")).toBe(etag);
        const other = await scim("GET", `/Users/${created.body.id}`, undefined, {
          "if-none-match": 'W/"42"',
        });
        expect(other.status).toBe(200);
      });

      test("If-Match mismatch answers 412 on PUT, PATCH and DELETE and changes nothing; * matches", async () => {
        const created = await scim("POST", "/Users", newUser("ifmatch@example.com"));
        const id = created.body.id;
        const stale = { "if-match": 'W/"9"' };
        expectScimError(
          await scim("PUT", `/Users/${id}`, newUser("ifmatch@example.com", { title: "x" }), stale),
          412,
        );
        expectScimError(
          await scim(
            "PATCH",
            `/Users/${id}`,
            patchOp({ op: "replace", path: "title", value: "x" }),
            stale,
          ),
          412,
        );
        expectScimError(await scim("DELETE", `/Users/${id}`, undefined, stale), 412);
        expect((await scim("GET", `/Users/${id}`)).headers.get("etag")).toBe('W/"1"');

        const current = { "if-match": 'W/"1"' };
        const patched = await scim(
          "PATCH",
          `/Users/${id}`,
          patchOp({ op: "replace", path: "title", value: "y" }),
          current,
        );
        expect(patched.status).toBe(200);
        const any = await scim(
          "PUT",
          `/Users/${id}`,
          newUser("ifmatch@example.com", { title: "z" }),
          {
            "if-match": "*",
          },
        );
        expect(any.status).toBe(200);
        expect(any.body.meta.version).toBe('W/"3"');
        expect(
          (await scim("DELETE", `/Users/${id}`, undefined, { "if-match": 'W/"3"' })).status,
        ).toBe(204);
      });
    });

    describe("Groups over HTTP", () => {
      const createUsers = async (prefix: string, count: number) => {
        const ids: string[] = [];
        for (let index = 0; index < count; index++) {
          ids.push(
            (await scim("POST", "/Users", newUser(`${prefix}-${index}@example.com`))).body.id,
          );
        }
        return ids;
      };

      test("creates a group with members, fills in their type, and derives the user's groups", async () => {
        const [alice, bob] = await createUsers("member", 2);
        const created = await scim("POST", "/Groups", {
          schemas: [
            GROUP_SCHEMA,
            "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group",
          ],
          displayName: "Engineering",
          externalId: "eng",
          members: [{ value: alice }, { value: bob, type: "Group", $ref: null }],
        });
        expect(created.status).toBe(201);
        expect(created.body.members).toEqual([
          { value: alice, $ref: `${baseUrl}/Users/${alice}`, type: "User" },
          { value: bob, $ref: `${baseUrl}/Users/${bob}`, type: "User" },
        ]);
        const user = await scim("GET", `/Users/${alice}`);
        expect(user.body.groups).toEqual([
          {
            value: created.body.id,
            $ref: `${baseUrl}/Groups/${created.body.id}`,
            display: "Engineering",
            type: "direct",
          },
        ]);
        const withoutGroups = await scim("GET", `/Users/${alice}?attributes=userName`);
        expect(withoutGroups.body.groups).toBeUndefined();
        const lean = await scim("GET", `/Groups/${created.body.id}?excludedAttributes=members`);
        expect(lean.body.members).toBeUndefined();
        expect(lean.body.displayName).toBe("Engineering");
      });

      test("rejects members that do not exist with 400 invalidValue naming them", async () => {
        const [alice] = await createUsers("exists", 1);
        const reply = await scim("POST", "/Groups", {
          schemas: [GROUP_SCHEMA],
          displayName: "Ghosts",
          members: [{ value: alice }, { value: "ghost-1" }],
        });
        expectScimError(reply, 400, "invalidValue");
        expect(reply.body.detail).toContain('"ghost-1"');
        expect(reply.body.detail).not.toContain(alice);
      });

      test("PATCHes members the ways Entra, Okta and authentik send them", async () => {
        const [a, b, c] = await createUsers("patchers", 3);
        const group = (
          await scim("POST", "/Groups", { schemas: [GROUP_SCHEMA], displayName: "Patchers" })
        ).body;
        const path = `/Groups/${group.id}?excludedAttributes=members`;
        const add = await scim(
          "PATCH",
          path,
          patchOp({ op: "Add", path: "members", value: [{ $ref: null, value: a }, { value: b }] }),
        );
        expect(add.status).toBe(200);
        expect(add.body.members).toBeUndefined();
        // Entra's remove with a value array removes exactly those values.
        await scim(
          "PATCH",
          path,
          patchOp({ op: "Remove", path: "members", value: [{ value: a }] }),
        );
        // Okta: remove by filter and add in one request, with the read-only id echoed.
        await scim(
          "PATCH",
          path,
          patchOp(
            { op: "remove", path: `members[value eq "${b}"]` },
            { op: "add", path: "members", value: [{ value: c, display: "C" }] },
            { op: "replace", value: { id: group.id, displayName: "Patchers 2" } },
          ),
        );
        const read = await scim("GET", `/Groups/${group.id}`);
        expect(read.body.displayName).toBe("Patchers 2");
        expect(read.body.members.map((member: { value: string }) => member.value)).toEqual([c]);
        const missing = await scim(
          "PATCH",
          path,
          patchOp({ op: "add", path: "members", value: [{ value: "nobody" }] }),
        );
        expectScimError(missing, 400, "invalidValue");
        // Okta's push of an empty group empties it.
        await scim("PATCH", path, patchOp({ op: "replace", path: "members", value: [] }));
        expect((await scim("GET", `/Groups/${group.id}`)).body.members).toBeUndefined();
      });

      test("applies 20 concurrent single-member PATCHes to one group without losing any", async () => {
        const ids = await createUsers("concurrent", 20);
        const group = (
          await scim("POST", "/Groups", { schemas: [GROUP_SCHEMA], displayName: "Busy" })
        ).body;
        const replies = await Promise.all(
          ids.map((id) =>
            scim(
              "PATCH",
              `/Groups/${group.id}?excludedAttributes=members`,
              patchOp({ op: "Add", path: "members", value: [{ value: id }] }),
            ),
          ),
        );
        expect(replies.map((reply) => reply.status)).toEqual(ids.map(() => 200));
        const read = await scim("GET", `/Groups/${group.id}`);
        expect(new Set(read.body.members.map((member: { value: string }) => member.value))).toEqual(
          new Set(ids),
        );
      });

      test("applies concurrent attribute PATCHes to one user without losing any (retries on conflict)", async () => {
        const [id] = await createUsers("race", 1);
        const replies = await Promise.all(
          ["a", "b", "c", "d", "e", "f"].map((letter) =>
            scim(
              "PATCH",
              `/Users/${id}`,
              patchOp({
                op: "add",
                path: "emails",
                value: [{ value: `${letter}@race.example.com` }],
              }),
            ),
          ),
        );
        expect(replies.map((reply) => reply.status)).toEqual(replies.map(() => 200));
        const read = await scim("GET", `/Users/${id}`);
        expect(read.body.emails).toHaveLength(6);
        expect(read.body.meta.version).toBe('W/"7"');
      });

      test("deleting a user removes it from its groups", async () => {
        const [a, b] = await createUsers("leaver", 2);
        const group = (
          await scim("POST", "/Groups", {
            schemas: [GROUP_SCHEMA],
            displayName: "Leavers",
            members: [{ value: a }, { value: b }],
          })
        ).body;
        await scim("DELETE", `/Users/${a}`);
        const read = await scim("GET", `/Groups/${group.id}`);
        expect(read.body.members.map((member: { value: string }) => member.value)).toEqual([b]);
      });
    });

    describe("routing and errors", () => {
      test("matches endpoints case-insensitively and tolerates a trailing slash", async () => {
        expect((await scim("GET", "/users?count=1")).status).toBe(200);
        expect((await scim("GET", "/Users/?filter=")).status).toBe(200);
        expect((await scim("GET", "/serviceproviderconfig")).status).toBe(200);
      });

      test("answers 404 with a SCIM body for unknown endpoints and ids", async () => {
        expectScimError(await scim("GET", "/Nope"), 404);
        expectScimError(await scim("GET", "/Users/a/b"), 404);
        expectScimError(await scim("GET", "/Groups/unknown-id"), 404);
      });

      test("answers 405 with Allow for a method the endpoint does not have", async () => {
        const reply = await scim("PATCH", "/Users", patchOp());
        expectScimError(reply, 405);
        expect(reply.headers.get("allow")).toBe("GET, POST");
        expectScimError(await scim("DELETE", "/ServiceProviderConfig"), 405);
        expectScimError(await scim("GET", "/Bulk"), 405);
      });

      test("answers 501 for /Me without a resolver", async () => {
        expectScimError(await scim("GET", "/Me"), 501);
      });

      test("answers 400 invalidSyntax for a body that is not a resource", async () => {
        expectScimError(await scim("POST", "/Users", [1, 2]), 400, "invalidSyntax");
      });

      test("answers 400 invalidValue when a required attribute is missing", async () => {
        expectScimError(
          await scim("POST", "/Users", { schemas: [USER_SCHEMA] }),
          400,
          "invalidValue",
        );
      });
    });

    describe("search", () => {
      test("POST /Users/.search takes the SearchRequest body", async () => {
        await scim("POST", "/Users", newUser("searcher@example.com"));
        const reply = await scim("POST", "/Users/.search", {
          schemas: ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
          filter: 'userName sw "searcher"',
          attributes: ["userName"],
          startIndex: 1,
          count: 10,
        });
        expect(reply.status).toBe(200);
        expect(reply.body.Resources).toEqual([
          { schemas: [USER_SCHEMA], id: expect.any(String), userName: "searcher@example.com" },
        ]);
      });

      test("POST /.search at the root searches every resource type", async () => {
        await scim(
          "POST",
          "/Users",
          newUser("rootsearch@example.com", { displayName: "Root Search" }),
        );
        await scim("POST", "/Groups", { schemas: [GROUP_SCHEMA], displayName: "Root Search" });
        const reply = await scim("POST", "/.search", {
          schemas: ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
          filter: 'displayName eq "Root Search"',
        });
        expect(reply.status).toBe(200);
        expect(reply.body.totalResults).toBe(2);
        expect(
          reply.body.Resources.map(
            (resource: { meta: { resourceType: string } }) => resource.meta.resourceType,
          ).sort(),
        ).toEqual(["Group", "User"]);
      });
    });
  });

  describe("discovery and bulk over HTTP", () => {
    let scim: ScimClient;
    let baseUrl: string;
    let close: () => Promise<void>;

    beforeAll(async () => {
      const started = await startScim(adapter, {
        limits: { bulk: { maxOperations: 5, maxPayloadSize: 100_000 } },
      });
      scim = started.scim;
      baseUrl = started.baseUrl;
      close = started.close;
    });
    afterAll(() => close());

    describe("discovery over HTTP", () => {
      test("GET /ServiceProviderConfig describes the service with its location", async () => {
        const reply = await scim("GET", "/ServiceProviderConfig");
        expect(reply.status).toBe(200);
        expect(reply.headers.get("content-type")).toMatch(/^application\/scim\+json/);
        expect(reply.body).toMatchObject({
          patch: { supported: true },
          bulk: { supported: true, maxOperations: 5, maxPayloadSize: 100_000 },
          filter: { supported: true },
          etag: { supported: true },
          sort: { supported: true },
          authenticationSchemes: [{ type: "oauthbearertoken" }],
          meta: { location: `${baseUrl}/ServiceProviderConfig` },
        });
      });

      test("GET /Schemas/{urn} and /ResourceTypes/{id} answer with meta.location", async () => {
        const schema = await scim("GET", `/Schemas/${GROUP_SCHEMA}`);
        expect(schema.status).toBe(200);
        expect(schema.body.meta.location).toBe(`${baseUrl}/Schemas/${GROUP_SCHEMA}`);
        const type = await scim("GET", "/ResourceTypes/User");
        expect(type.body).toMatchObject({
          id: "User",
          endpoint: "/Users",
          schema: USER_SCHEMA,
          schemaExtensions: [
            {
              schema: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
              required: false,
            },
          ],
          meta: { location: `${baseUrl}/ResourceTypes/User` },
        });
      });
    });

    describe("content types", () => {
      test("accepts application/json (Google) and answers application/scim+json", async () => {
        const reply = await scim("POST", "/Users", newUser("google@example.com"), {
          "content-type": "application/json",
        });
        expect(reply.status).toBe(201);
        expect(reply.headers.get("content-type")).toMatch(/^application\/scim\+json/);
      });
    });

    describe("bulk over HTTP", () => {
      test("creates a user and a group referring to it by bulkId in one request", async () => {
        const reply = await scim("POST", "/Bulk", {
          schemas: ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
          Operations: [
            { method: "POST", path: "/Users", bulkId: "u", data: newUser("bulk@example.com") },
            {
              method: "POST",
              path: "/Groups",
              bulkId: "g",
              data: {
                schemas: [GROUP_SCHEMA],
                displayName: "Bulk",
                members: [{ value: "bulkId:u" }],
              },
            },
          ],
        });
        expect(reply.status).toBe(200);
        const [user, group] = reply.body.Operations;
        expect(user).toMatchObject({
          status: "201",
          location: expect.stringMatching(`^${baseUrl}/Users/`),
        });
        expect(group).toMatchObject({
          status: "201",
          location: expect.stringMatching(`^${baseUrl}/Groups/`),
        });
        const read = await scim("GET", new URL(group.location).pathname.replace("/scim/v2", ""));
        expect(read.body.members[0].value).toBe(new URL(user.location).pathname.split("/").at(-1));
      });

      test("answers 413 when a request carries more than maxOperations", async () => {
        const operation = { method: "DELETE", path: "/Users/x" };
        const reply = await scim("POST", "/Bulk", {
          schemas: ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
          Operations: Array.from({ length: 6 }, () => operation),
        });
        expect(reply.status).toBe(413);
        expect(reply.body).toMatchObject({ status: "413" });
      });
    });
  });

  describe("edge cases over HTTP", () => {
    let close: (() => Promise<void>) | undefined;
    afterEach(async () => {
      await close?.();
      close = undefined;
    });

    test("/Me serves the user the resolver names, for GET and PATCH", async () => {
      let me: string | undefined;
      const started = await startScim(adapter, { me: () => me });
      close = started.close;
      const { scim } = started;
      expect((await scim("GET", "/Me")).status).toBe(404);
      me = (await scim("POST", "/Users", newUser("me@example.com"))).body.id;
      const read = await scim("GET", "/Me?attributes=userName");
      expect(read.status).toBe(200);
      expect(read.body).toMatchObject({ id: me, userName: "me@example.com" });
      expect(read.headers.get("etag")).toBe('W/"1"');
      const patched = await scim(
        "PATCH",
        "/Me",
        patchOp({ op: "replace", path: "displayName", value: "Me" }),
      );
      expect(patched.body.displayName).toBe("Me");
    });

    test("an unexpected store failure answers a generic SCIM 500 and reaches onError", async () => {
      const onError = vi.fn();
      const store = memoryStore();
      const started = await startScim(adapter, {
        store: { ...store, query: () => Promise.reject(new Error("secret connection string")) },
        onError,
      });
      close = started.close;
      const reply = await started.scim("GET", "/Users?filter=userName%20eq%20%22x%22");
      expect(reply.status).toBe(500);
      expect(reply.headers.get("content-type")).toMatch(/^application\/scim\+json/);
      expect(reply.body).toEqual({
        schemas: [ERROR_SCHEMA],
        status: "500",
        detail: "An internal error occurred.",
      });
      expect(onError).toHaveBeenCalledOnce();
    });

    test("patchResponse noContent answers PATCH with 204, no body and the new ETag", async () => {
      const started = await startScim(adapter, { patchResponse: "noContent" });
      close = started.close;
      const { scim } = started;
      const id = (await scim("POST", "/Users", newUser("quiet@example.com"))).body.id;
      const reply = await scim(
        "PATCH",
        `/Users/${id}`,
        patchOp({ op: "replace", path: "title", value: "x" }),
      );
      expect(reply.status).toBe(204);
      expect(reply.body).toBeUndefined();
      expect(reply.headers.get("etag")).toBe('W/"2"');
    });

    test("a strict service refuses what lenient mode tolerates", async () => {
      const started = await startScim(adapter, { strict: true });
      close = started.close;
      const reply = await started.scim(
        "GET",
        `/Users?filter=${encodeURIComponent("userName eq bjensen")}`,
      );
      expect(reply.status).toBe(400);
      expect(reply.body.scimType).toBe("invalidFilter");
    });
  });
}
