/** The console's only way to the server: JSON over fetch, the admin token as a bearer token. */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface Api {
  get<T>(path: string): Promise<T>;
  post<T>(path: string, body?: unknown): Promise<T>;
  delete(path: string): Promise<void>;
}

export function createApi(token: string): Api {
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(path, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        accept: "application/json",
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (response.status === 204) return undefined as T;
    const json = (await response.json().catch(() => undefined)) as
      | { error?: { message?: string } }
      | undefined;
    if (!response.ok) {
      throw new ApiError(
        response.status,
        json?.error?.message ?? `${method} ${path} answered ${response.status}.`,
      );
    }
    return json as T;
  };
  return {
    get: (path) => call("GET", path),
    post: (path, body) => call("POST", path, body ?? {}),
    delete: (path) => call("DELETE", path),
  };
}

/** The admin token lives in this tab's sessionStorage only: closing the tab signs out. */
const KEY = "access-policy.admin-token";
export const savedToken = (): string | undefined => sessionStorage.getItem(KEY) ?? undefined;
export const saveToken = (token: string | undefined) =>
  token === undefined ? sessionStorage.removeItem(KEY) : sessionStorage.setItem(KEY, token);
