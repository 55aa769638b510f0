import { render } from "preact";
import { useCallback, useEffect, useState } from "preact/hooks";
import { type Api, ApiError, createApi, savedToken, saveToken } from "./api";
import {
  DirectorySection,
  LogSection,
  PolicySection,
  TenantSection,
  TokensSection,
} from "./sections";
import type { Overview } from "./types";

const REFRESH_MS = 3000;

function Login({ onToken, error }: { onToken: (token: string) => void; error?: string }) {
  const [value, setValue] = useState("");
  return (
    <main class="login">
      <h1>Access policy</h1>
      <p>Admin console of the scimkit access-policy starter.</p>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (value.trim() !== "") onToken(value.trim());
        }}
      >
        <label for="admin-token">Admin token</label>
        <input
          id="admin-token"
          name="admin-token"
          type="password"
          autocomplete="off"
          required
          value={value}
          onInput={(event) => setValue((event.target as HTMLInputElement).value)}
        />
        <p class="hint">
          The <code>ADMIN_TOKEN</code> the server was started with, or the one it printed. It stays
          in this tab only.
        </p>
        {error === undefined ? null : (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit">Sign in</button>
      </form>
    </main>
  );
}

function SyncStatus({ overview }: { overview?: Overview }) {
  if (overview === undefined) return null;
  const behind = overview.consumer.head - overview.consumer.position;
  const text = !overview.consumer.active
    ? "consumer waiting for its lease"
    : behind > 0
      ? `${behind} change${behind === 1 ? "" : "s"} behind the SCIM feed`
      : `in sync with the SCIM feed (#${overview.consumer.position})`;
  return (
    <span class={`sync ${behind > 0 || !overview.consumer.active ? "sync-behind" : "sync-ok"}`}>
      {text}
    </span>
  );
}

function Console({ api, onSignOut }: { api: Api; onSignOut: () => void }) {
  const [tick, setTick] = useState(0);
  const [overview, setOverview] = useState<Overview>();
  const refresh = useCallback(() => setTick((value) => value + 1), []);
  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState === "visible") refresh();
    }, REFRESH_MS);
    return () => clearInterval(timer);
  }, [refresh]);
  useEffect(() => {
    api.get<Overview>("/api/admin/overview").then(setOverview, (error: unknown) => {
      if (error instanceof ApiError && error.status === 401) onSignOut();
    });
  }, [api, tick, onSignOut]);
  const props = { api, tick, refresh };
  return (
    <>
      <header class="top">
        <h1>Access policy</h1>
        <SyncStatus overview={overview} />
        <div class="actions">
          <button type="button" onClick={refresh}>
            Refresh
          </button>
          <button type="button" class="secondary" onClick={onSignOut}>
            Sign out
          </button>
        </div>
      </header>
      <main class="grid">
        <PolicySection {...props} />
        <TenantSection {...props} />
        <TokensSection {...props} />
        <DirectorySection {...props} />
        <LogSection {...props} />
      </main>
    </>
  );
}

function App() {
  const [token, setToken] = useState(savedToken());
  const [error, setError] = useState<string>();
  const [api, setApi] = useState<Api | undefined>(() =>
    token === undefined ? undefined : createApi(token),
  );
  const signOut = useCallback(() => {
    saveToken(undefined);
    setToken(undefined);
    setApi(undefined);
  }, []);
  const signIn = async (candidate: string) => {
    const next = createApi(candidate);
    try {
      await next.get("/api/admin/overview");
      saveToken(candidate);
      setError(undefined);
      setToken(candidate);
      setApi(next);
    } catch (problem) {
      setError(
        problem instanceof ApiError && problem.status === 401
          ? "That is not the admin token."
          : String((problem as Error).message),
      );
    }
  };
  if (api === undefined || token === undefined) {
    return <Login onToken={(candidate) => void signIn(candidate)} error={error} />;
  }
  return <Console api={api} onSignOut={signOut} />;
}

const root = document.getElementById("app")!;
root.textContent = "";
render(<App />, root);
