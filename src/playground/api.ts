/** An error the server answered with (OpenAI's `{error: {message, code}}`), or a failure to reach it. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Where the API key comes from: the one in hand, and a way to ask the person for one. */
export interface KeySource {
  current(): string | null;
  /** Resolves with a key the person entered; rejects when they decline. `problem`: why the last key was refused. */
  ask(problem?: string): Promise<string>;
}

interface ErrorBody {
  error?: { message?: unknown; code?: unknown };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

async function errorFrom(response: Response): Promise<ApiError> {
  const text = await response.text();
  const body = parseJson(text) as ErrorBody | undefined;
  const message = body?.error?.message;
  if (typeof message === 'string') {
    const code = body?.error?.code;
    return new ApiError(message, response.status, typeof code === 'string' ? code : null);
  }
  const detail = text.trim() ? `: ${text.trim().slice(0, 200)}` : '';
  return new ApiError(`The server answered ${response.status} ${response.statusText}${detail}`, response.status);
}

/**
 * Calls the server's `/v1` API: adds the API key, asks for one when the server answers 401 and
 * retries, and turns error answers into `ApiError`s carrying the server's message.
 */
export class ApiClient {
  constructor(private readonly keys: KeySource) {}

  async request(path: string, init: RequestInit = {}): Promise<Response> {
    let key = this.keys.current();
    for (;;) {
      const headers = new Headers(init.headers);
      if (key) headers.set('Authorization', `Bearer ${key}`);
      const response = await fetch(path, { ...init, headers }).catch((error: unknown) => {
        throw new ApiError(`Could not reach the server (${error instanceof Error ? error.message : String(error)}). Is it still running?`, 0);
      });
      if (response.ok) return response;
      const error = await errorFrom(response);
      if (response.status !== 401) throw error;
      // Another request may have got a new key while this one was on its way: use it before asking.
      const latest = this.keys.current();
      key = latest !== key ? latest : await this.keys.ask(key ? error.message : undefined);
    }
  }

  async getJson<T>(path: string): Promise<T> {
    return (await this.request(path)).json() as Promise<T>;
  }

  postJson(path: string, body: unknown): Promise<Response> {
    return this.request(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  }

  postForm(path: string, form: FormData): Promise<Response> {
    return this.request(path, { method: 'POST', body: form });
  }
}
