/**
 * Calls to the gasworks REST API from the page: the bearer token the user typed (kept in
 * localStorage), JSON in and out, and failures as ApiError carrying the server's stable error
 * code and message (`{ error: { code, message, details } }`).
 */

const TOKEN_KEY = 'gasworks.token';

export function storedToken() {
  try {
    return localStorage.getItem(TOKEN_KEY) ?? '';
  } catch {
    return ''; // storage disabled: the token lives for this page only
  }
}

let token = storedToken();

export function setToken(value) {
  token = value.trim();
  try {
    if (token === '') localStorage.removeItem(TOKEN_KEY);
    else localStorage.setItem(TOKEN_KEY, token);
  } catch {
    // storage disabled: keep it in memory
  }
}

/** `Authorization: Bearer …` when a token is set, plus `extra`. */
export function authHeaders(extra = {}) {
  return token === '' ? { ...extra } : { authorization: `Bearer ${token}`, ...extra };
}

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details ?? {};
  }
}

/** The error a failed response carries, or one made from its status when the body is not ours. */
export async function errorOf(response) {
  let body = null;
  try {
    body = await response.json();
  } catch {
    // not JSON: a proxy's page, an empty body
  }
  const error = body?.error;
  if (error && typeof error.message === 'string') return new ApiError(response.status, error.code ?? '', error.message, error.details);
  return new ApiError(response.status, '', `${response.status} ${response.statusText || 'request failed'}`);
}

/** `method path` with an optional JSON body; the parsed JSON answer, or throws ApiError. */
export async function api(path, { method = 'GET', body, signal } = {}) {
  const headers = authHeaders(body === undefined ? {} : { 'content-type': 'application/json' });
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
  if (!response.ok) throw await errorOf(response);
  return response.json();
}

/** A sentence for the user: what failed and, for a missing or wrong token, what to do. */
export function describeFailure(error) {
  if (error instanceof ApiError && error.status === 401) return `${error.message} — enter the server's token at the top of the page.`;
  if (error instanceof ApiError) return error.message;
  return `The server cannot be reached (${error.message}).`;
}
