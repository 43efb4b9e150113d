/** A refusal of the server API: its stable code, message and HTTP status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** JSON pointer of the bad part of the request body, when the server named one. */
    readonly pointer?: string,
  ) {
    super(message);
  }
}

/** What every request carries: the project (X-Acquaint-Project) and the session's CSRF token. */
export const apiState: { project: string | null; csrfToken: string | null; onSignedOut?: () => void } = {
  project: null,
  csrfToken: null,
};

/** Calls the documented server API with the session cookie; JSON in, JSON out. */
export async function api<T>(
  method: string,
  path: string,
  body?: unknown,
  options: { contentType?: string; raw?: boolean } = {},
): Promise<T> {
  const headers: Record<string, string> = {};
  if (apiState.project) headers['x-acquaint-project'] = apiState.project;
  if (method !== 'GET' && apiState.csrfToken) headers['x-csrf-token'] = apiState.csrfToken;
  let payload: BodyInit | undefined;
  if (body instanceof Blob) {
    payload = body;
    headers['content-type'] = options.contentType ?? 'text/csv';
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    headers['content-type'] = 'application/json';
  }
  const response = await fetch(path, { method, headers, body: payload, credentials: 'same-origin' });
  if (options.raw && response.ok) return (await response.blob()) as T;
  const text = await response.text();
  const json = text ? safeJson(text) : null;
  if (!response.ok) {
    const error = (json as { error?: { code?: string; message?: string; pointer?: string } } | null)?.error;
    if (response.status === 401 && error?.code === 'NOT_SIGNED_IN') apiState.onSignedOut?.();
    throw new ApiError(
      response.status,
      error?.code ?? 'HTTP_ERROR',
      error?.message ?? `${response.status} ${response.statusText}`,
      error?.pointer,
    );
  }
  return json as T;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** Downloads an API answer as a file (a plain link could not carry the project header). */
export async function download(path: string, fileName: string): Promise<void> {
  const blob = await api<Blob>('GET', path, undefined, { raw: true });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  URL.revokeObjectURL(url);
}
