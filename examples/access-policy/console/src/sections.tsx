import { type ComponentChildren, Fragment } from "preact";
import { useEffect, useState } from "preact/hooks";
import type { Api } from "./api";
import type {
  Group,
  LogEntry,
  Member,
  PolicyError,
  PolicyStatus,
  Tenant,
  TokenRecord,
  User,
} from "./types";

/** The tenant the app's SCIM token provisions and its policy applies to. */
const TENANT = "default";
const TENANT_PATH = `/admin/api/tenants/${TENANT}`;

export interface SectionProps {
  readonly api: Api;
  /** Changes on every refresh: sections reload when it does. */
  readonly tick: number;
  readonly refresh: () => void;
}

/** Loads `path` on every tick; keeps the last good value while a reload fails. */
function useLoad<T>(api: Api, path: string, tick: number) {
  const [value, setValue] = useState<T>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    let current = true;
    api.get<T>(path).then(
      (next) => {
        if (!current) return;
        setValue(next);
        setError(undefined);
      },
      (problem: unknown) => current && setError((problem as Error).message),
    );
    return () => {
      current = false;
    };
  }, [api, path, tick]);
  return { value, error };
}

const time = (iso: string | undefined) =>
  iso === undefined ? "—" : new Date(iso).toLocaleString(undefined, { hour12: false });

function Section(props: {
  id: string;
  title: string;
  wide?: boolean;
  error?: string;
  children: ComponentChildren;
}) {
  return (
    <section class={`card${props.wide ? " wide" : ""}`} aria-labelledby={`${props.id}-title`}>
      <h2 id={`${props.id}-title`}>{props.title}</h2>
      {props.error === undefined ? null : (
        <p class="error" role="alert">
          {props.error}
        </p>
      )}
      {props.children}
    </section>
  );
}

function Badge({
  kind,
  children,
}: {
  kind: "ok" | "bad" | "warn" | "muted";
  children: ComponentChildren;
}) {
  return <span class={`badge badge-${kind}`}>{children}</span>;
}

export function PolicySection({ api, tick }: SectionProps) {
  const status = useLoad<PolicyStatus>(api, "/api/admin/policy", tick);
  const errors = useLoad<{ errors: PolicyError[] }>(api, "/api/policy/errors", tick);
  const policy = status.value;
  const list = errors.value?.errors ?? [];
  return (
    <Section id="policy" title="Policy" wide error={status.error ?? errors.error}>
      {policy === undefined ? null : (
        <p class="meta">
          <code>{policy.file}</code> · {policy.rules.length} rule
          {policy.rules.length === 1 ? "" : "s"} · domain {policy.domain ?? "any"} · nested groups{" "}
          {policy.nestedGroups ? "on" : "off"} · loaded {time(policy.loadedAt)}
        </p>
      )}
      {policy?.error === undefined ? null : (
        <div class="problem" role="alert">
          <strong>
            The policy file is invalid
            {policy.loadedAt === undefined
              ? "; nothing is granted until it is fixed."
              : "; the last good policy stays in force."}
          </strong>
          <ul>
            {policy.error.messages.map((message) => (
              <li key={message}>{message}</li>
            ))}
          </ul>
        </div>
      )}
      <h3>Policy errors</h3>
      {list.length === 0 ? (
        <p class="ok-text">Every group reference resolves to exactly one group.</p>
      ) : (
        <ul class="policy-errors" aria-label="Policy errors">
          {list.map((entry) => (
            <li key={entry.ref}>
              <code>{entry.ref}</code>
              <span>{entry.message}</span>
            </li>
          ))}
        </ul>
      )}
      {policy === undefined || policy.rules.length === 0 ? null : (
        <details>
          <summary>Rules</summary>
          <table>
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">Source groups</th>
                <th scope="col">Destinations</th>
              </tr>
            </thead>
            <tbody>
              {policy.rules.map((rule) => (
                <tr key={rule.index}>
                  <td>{rule.index}</td>
                  <td>{rule.src.join(", ")}</td>
                  <td>{rule.dst.join(", ")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      )}
    </Section>
  );
}

export function TenantSection({ api, tick, refresh }: SectionProps) {
  const tenant = useLoad<Tenant>(api, TENANT_PATH, tick);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const toggle = async () => {
    if (tenant.value === undefined) return;
    setBusy(true);
    try {
      await api.post(`${TENANT_PATH}/${tenant.value.disabled ? "enable" : "disable"}`);
      setError(undefined);
      refresh();
    } catch (problem) {
      setError((problem as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const value = tenant.value;
  return (
    <Section id="tenant" title="Provisioning tenant" error={tenant.error ?? error}>
      {value === undefined ? null : (
        <>
          <dl>
            <dt>Name</dt>
            <dd>{value.name}</dd>
            <dt>Id</dt>
            <dd>
              <code>{value.id}</code>
            </dd>
            <dt>SCIM base URL</dt>
            <dd>
              <code>{`${location.origin}/scim/v2`}</code>
            </dd>
            <dt>Provisioning</dt>
            <dd>
              {value.disabled ? (
                <Badge kind="bad">Disabled: every token is refused (403)</Badge>
              ) : (
                <Badge kind="ok">Enabled</Badge>
              )}
            </dd>
          </dl>
          <button
            type="button"
            class={value.disabled ? "" : "danger"}
            disabled={busy}
            onClick={() => void toggle()}
          >
            {value.disabled ? "Enable provisioning" : "Disable provisioning"}
          </button>
        </>
      )}
    </Section>
  );
}

export function TokensSection({ api, tick, refresh }: SectionProps) {
  const tokens = useLoad<{ tokens: TokenRecord[] }>(api, `${TENANT_PATH}/tokens`, tick);
  const [description, setDescription] = useState("");
  const [issued, setIssued] = useState<{ token: string; description: string }>();
  const [error, setError] = useState<string>();
  const issue = async (event: Event) => {
    event.preventDefault();
    try {
      const created = await api.post<{ token: string; description: string }>(
        `${TENANT_PATH}/tokens`,
        description.trim() === "" ? {} : { description: description.trim() },
      );
      setIssued({ token: created.token, description: created.description });
      setDescription("");
      setError(undefined);
      refresh();
    } catch (problem) {
      setError((problem as Error).message);
    }
  };
  const revoke = async (token: TokenRecord) => {
    if (
      !confirm(
        `Revoke the token "${token.description || token.hint}"? The IdP using it is refused from its next request.`,
      )
    ) {
      return;
    }
    try {
      await api.delete(`${TENANT_PATH}/tokens/${encodeURIComponent(token.id)}`);
      setError(undefined);
      refresh();
    } catch (problem) {
      setError((problem as Error).message);
    }
  };
  const list = tokens.value?.tokens ?? [];
  return (
    <Section id="tokens" title="SCIM tokens" error={tokens.error ?? error}>
      {issued === undefined ? null : (
        <div class="issued" role="status">
          <p>
            <strong>
              New token{issued.description === "" ? "" : ` for ${issued.description}`}
            </strong>{" "}
            — shown once. Paste it into the IdP as its secret token now.
          </p>
          <code class="secret" data-testid="issued-token">
            {issued.token}
          </code>
          <div class="actions">
            <button type="button" onClick={() => void navigator.clipboard?.writeText(issued.token)}>
              Copy
            </button>
            <button type="button" class="secondary" onClick={() => setIssued(undefined)}>
              Done
            </button>
          </div>
        </div>
      )}
      <form class="inline" onSubmit={(event) => void issue(event)}>
        <label for="token-description">Description</label>
        <input
          id="token-description"
          maxLength={200}
          placeholder="e.g. Entra ID production"
          value={description}
          onInput={(event) => setDescription((event.target as HTMLInputElement).value)}
        />
        <button type="submit">Issue token</button>
      </form>
      {list.length === 0 ? (
        <p class="muted">
          No issued tokens. <code>SCIM_TOKEN</code> (or the token printed at start-up) works as
          well.
        </p>
      ) : (
        <table>
          <caption class="visually-hidden">Issued tokens</caption>
          <thead>
            <tr>
              <th scope="col">Description</th>
              <th scope="col">Ends in</th>
              <th scope="col">Created</th>
              <th scope="col">Last used</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.map((token) => (
              <tr key={token.id}>
                <td>{token.description || <span class="muted">(none)</span>}</td>
                <td>
                  <code class="nowrap">{token.hint}</code>
                </td>
                <td>{time(token.createdAt)}</td>
                <td>{time(token.lastUsedAt)}</td>
                <td>
                  <button type="button" class="danger small" onClick={() => void revoke(token)}>
                    Revoke<span class="visually-hidden"> {token.description || token.hint}</span>
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}

function Members({ api, group, tick }: { api: Api; group: Group; tick: number }) {
  const members = useLoad<{ members: Member[]; total: number }>(
    api,
    `/api/admin/groups/${encodeURIComponent(group.id)}/members?limit=200`,
    tick,
  );
  if (members.error !== undefined) return <p class="error">{members.error}</p>;
  const list = members.value?.members ?? [];
  if (members.value !== undefined && list.length === 0) return <p class="muted">No members.</p>;
  return (
    <ul class="members">
      {list.map((member) => (
        <li key={member.id}>
          {member.type === "Group" ? <Badge kind="muted">group</Badge> : null}
          {member.name ?? <code>{member.id}</code>}
          {member.type === "User" && member.active === false ? (
            <Badge kind="bad">suspended</Badge>
          ) : null}
          {member.type === "Unknown" ? <span class="muted"> (not in the directory)</span> : null}
        </li>
      ))}
      {members.value !== undefined && members.value.total > list.length ? (
        <li class="muted">… and {members.value.total - list.length} more</li>
      ) : null}
    </ul>
  );
}

export function DirectorySection({ api, tick }: SectionProps) {
  const users = useLoad<{ users: User[]; total: number }>(api, "/api/admin/users?limit=200", tick);
  const groups = useLoad<{ groups: Group[]; total: number }>(
    api,
    "/api/admin/groups?limit=200",
    tick,
  );
  const [open, setOpen] = useState<string>();
  const userList = users.value?.users ?? [];
  const groupList = groups.value?.groups ?? [];
  return (
    <>
      <Section id="users" title={`Users (${users.value?.total ?? "…"})`} error={users.error}>
        {userList.length === 0 ? (
          <p class="muted">No users provisioned yet.</p>
        ) : (
          <table>
            <caption class="visually-hidden">Provisioned users</caption>
            <thead>
              <tr>
                <th scope="col">User name</th>
                <th scope="col">Display name</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {userList.map((user) => (
                <tr key={user.id}>
                  <td>{user.userName}</td>
                  <td>{user.displayName ?? <span class="muted">—</span>}</td>
                  <td>
                    {user.active ? (
                      <Badge kind="ok">Active</Badge>
                    ) : (
                      <Badge kind="bad">Suspended</Badge>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
      <Section id="groups" title={`Groups (${groups.value?.total ?? "…"})`} error={groups.error}>
        {groupList.length === 0 ? (
          <p class="muted">No groups provisioned yet.</p>
        ) : (
          <table>
            <caption class="visually-hidden">Provisioned groups</caption>
            <thead>
              <tr>
                <th scope="col">Group</th>
                <th scope="col">Refer to it as</th>
                <th scope="col">Members</th>
              </tr>
            </thead>
            <tbody>
              {groupList.map((group) => (
                <Fragment key={group.id}>
                  <tr>
                    <td>
                      {group.displayName}
                      {group.warning === undefined ? null : (
                        <p class="warn-text">{group.warning}</p>
                      )}
                    </td>
                    <td>
                      {group.nameReference === null ? null : <code>{group.nameReference}</code>}
                      <br />
                      <code class="muted">{group.idReference}</code>
                    </td>
                    <td>
                      <button
                        type="button"
                        class="link"
                        aria-expanded={open === group.id}
                        onClick={() => setOpen(open === group.id ? undefined : group.id)}
                      >
                        {group.memberCount} member{group.memberCount === 1 ? "" : "s"}
                      </button>
                    </td>
                  </tr>
                  {open === group.id ? (
                    <tr class="expanded">
                      <td colSpan={3}>
                        <Members api={api} group={group} tick={tick} />
                      </td>
                    </tr>
                  ) : null}
                </Fragment>
              ))}
            </tbody>
          </table>
        )}
      </Section>
    </>
  );
}

export function LogSection({ api, tick }: SectionProps) {
  const [errorsOnly, setErrorsOnly] = useState(false);
  const log = useLoad<{ entries: LogEntry[] }>(
    api,
    `${TENANT_PATH}/log?limit=50${errorsOnly ? "&status=4xx" : ""}`,
    tick,
  );
  const entries = log.value?.entries ?? [];
  return (
    <Section id="log" title="Provisioning log" wide error={log.error}>
      <label class="check">
        <input
          type="checkbox"
          checked={errorsOnly}
          onChange={(event) => setErrorsOnly((event.target as HTMLInputElement).checked)}
        />{" "}
        Client errors only (4xx)
      </label>
      {entries.length === 0 ? (
        <p class="muted">No requests logged yet.</p>
      ) : (
        <table class="log">
          <caption class="visually-hidden">The IdP's latest requests, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">IdP</th>
              <th scope="col">Request</th>
              <th scope="col">Status</th>
              <th scope="col">Detail</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((entry) => (
              <tr key={entry.id} class={entry.status >= 400 ? "failed" : ""}>
                <td>{time(entry.time)}</td>
                <td>{entry.idp ?? <span class="muted">—</span>}</td>
                <td>
                  <code>
                    {entry.method} {entry.path}
                  </code>
                </td>
                <td>
                  <Badge kind={entry.status >= 500 ? "bad" : entry.status >= 400 ? "warn" : "ok"}>
                    {entry.status}
                  </Badge>
                </td>
                <td>
                  {entry.detail ??
                    (entry.changedAttributes === undefined
                      ? ""
                      : entry.changedAttributes.join(", "))}
                  {entry.scimType === undefined ? null : (
                    <span class="muted"> ({entry.scimType})</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}
