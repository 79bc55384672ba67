/**
 * The HTTP client of the editor: every call of the server API it makes, with the token (from the page's
 * own `?token=`) sent as `Authorization: Bearer`, and server errors turned into `ApiError`s that keep the
 * validation issues.
 */
import type { Catalog, GraphDocument, Issue, RunSummary, TemplateInfo } from './protocol.js';

/** A refused request: the server's message, and the issues of an invalid graph. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly issues: Issue[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The token the page was opened with (`/?token=...`), if any. */
export function pageToken(): string | undefined {
  return new URLSearchParams(location.search).get('token') ?? undefined;
}

async function call<T>(path: string, init: RequestInit = {}): Promise<T> {
  const token = pageToken();
  const headers = new Headers(init.headers);
  if (token) headers.set('authorization', `Bearer ${token}`);
  const res = await fetch(path, { ...init, headers });
  const text = await res.text();
  const body = text ? (JSON.parse(text) as unknown) : undefined;
  if (!res.ok) {
    const error = (body as { error?: { message?: string; issues?: Issue[] } } | undefined)?.error;
    throw new ApiError(error?.message ?? `${res.status} ${res.statusText}`, res.status, error?.issues ?? []);
  }
  return body as T;
}

const json = (method: string, body: unknown): RequestInit => ({ method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/**
 * @example const catalog = await api.nodes(); const { id } = await api.submit(doc);
 */
export const api = {
  nodes: () => call<Catalog>('/api/nodes'),
  submit: (graph: GraphDocument, inputs?: Record<string, unknown>) => call<{ id: string }>('/api/runs', json('POST', inputs ? { graph, inputs } : { graph })),
  cancel: (id: string) => call<unknown>(`/api/runs/${encodeURIComponent(id)}`, { method: 'DELETE' }),
  runs: (limit = 50) => call<{ runs: RunSummary[]; total: number }>(`/api/runs?limit=${limit}`),
  run: (id: string) => call<RunSummary & { graph?: GraphDocument }>(`/api/runs/${encodeURIComponent(id)}`),
  queue: () => call<{ running: RunSummary[]; pending: RunSummary[] }>('/api/queue'),
  templates: async () => (await call<{ graphs: TemplateInfo[] }>('/api/graphs')).graphs,
  template: (name: string) => call<GraphDocument>(`/api/graphs/${encodeURIComponent(name)}`),
  saveTemplate: (name: string, doc: GraphDocument) => call<{ name: string; created: boolean }>(`/api/graphs/${encodeURIComponent(name)}`, json('PUT', doc)),
  deleteTemplate: (name: string) => call<{ name: string; shadowed: boolean }>(`/api/graphs/${encodeURIComponent(name)}`, { method: 'DELETE' }),
  /** Uploads a file; resolves with the path a node reads it from. */
  upload: async (file: File) => {
    const res = await call<{ name: string; path?: string }>(`/api/files?name=${encodeURIComponent(file.name)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: file,
    });
    return res.path ?? res.name;
  },
};

/** A URL of the server with the page's token attached (for `<img>` and downloads). */
export function withToken(url: string): string {
  const token = pageToken();
  if (!token || url.startsWith('data:')) return url;
  return `${url}${url.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`;
}
