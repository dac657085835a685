// The public HTTP API, as the page uses it: the same routes any client calls, with the
// bearer token from sessionStorage. Every failure becomes an ApiError carrying the API's
// own envelope ({"error": {"code", "message", "request_id", "details"}}), or status 0
// for a network error, so the views can always say what happened.

const TOKEN_KEY = 'tfquote.token';
const AUTH_SEEN_KEY = 'tfquote.auth-required';

export const API_BASE = document.body.dataset.apiBase || '/api/v1';

export class ApiError extends Error {
  constructor({ status, code, message, details = null, retryAfter = null, requestId = null }) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
    this.retryAfter = retryAfter;
    this.requestId = requestId;
  }
}

// --- the token: this tab only (sessionStorage), never localStorage or a cookie ---------

const listeners = { unauthorized: [], token: [] };

export function on(event, fn) {
  listeners[event].push(fn);
  return () => {
    listeners[event] = listeners[event].filter((f) => f !== fn);
  };
}

function emit(event, detail) {
  for (const fn of [...listeners[event]]) fn(detail);
}

export function token() {
  try {
    return sessionStorage.getItem(TOKEN_KEY) || '';
  } catch {
    return '';
  }
}

export function authRequired() {
  try {
    return sessionStorage.getItem(AUTH_SEEN_KEY) === '1';
  } catch {
    return false;
  }
}

export function setToken(value) {
  sessionStorage.setItem(TOKEN_KEY, value);
  emit('token', value);
}

export function clearToken() {
  sessionStorage.removeItem(TOKEN_KEY);
  emit('token', '');
}

/** The token's subject (the tenant), read from its payload for display only: the API
 * verifies the signature, the page never trusts this for anything. */
export function tokenSubject(value = token()) {
  try {
    const payload = value.split('.')[1];
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(payload.length / 4) * 4, '='));
    const claims = JSON.parse(json);
    return typeof claims.sub === 'string' ? claims.sub : '';
  } catch {
    return '';
  }
}

function authHeaders() {
  const value = token();
  return value ? { Authorization: `Bearer ${value}` } : {};
}

// --- errors -------------------------------------------------------------------------------

function retryAfterOf(headerValue) {
  if (!headerValue) return null;
  const seconds = Number(headerValue);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(headerValue);
  return Number.isNaN(date) ? null : Math.max(0, Math.round((date - Date.now()) / 1000));
}

function errorFromBody(status, text, retryAfter) {
  let envelope = null;
  try {
    envelope = JSON.parse(text).error;
  } catch {
    envelope = null;
  }
  if (envelope && typeof envelope === 'object') {
    return new ApiError({
      status,
      code: String(envelope.code || 'http_error'),
      message: String(envelope.message || `HTTP ${status}`),
      details: envelope.details ?? null,
      retryAfter,
      requestId: envelope.request_id || null,
    });
  }
  // Not our envelope: a proxy in front of the gateway answered. Say so.
  return new ApiError({
    status,
    code: 'http_error',
    message: `the server answered HTTP ${status} without the API's error body${text ? `: ${text.slice(0, 200)}` : ''}`,
    retryAfter,
  });
}

function networkError(detail) {
  return new ApiError({
    status: 0,
    code: 'network_error',
    message: `no answer from ${location.origin}${detail ? ` (${detail})` : ''}`,
  });
}

function noteUnauthorized(error) {
  if (error.status === 401) {
    try {
      sessionStorage.setItem(AUTH_SEEN_KEY, '1');
      sessionStorage.removeItem(TOKEN_KEY);
    } catch {
      /* storage disabled: the prompt still shows */
    }
    emit('unauthorized', error);
  }
  return error;
}

// --- requests -----------------------------------------------------------------------------

async function request(method, path, { query, json, headers = {}, raw = false } = {}) {
  let url = API_BASE + path;
  if (query) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== null && value !== undefined && value !== '') params.set(key, value);
    }
    const text = params.toString();
    if (text) url += `?${text}`;
  }
  const init = { method, headers: { Accept: 'application/json', ...authHeaders(), ...headers }, cache: 'no-store' };
  if (json !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(json);
  }
  let response;
  try {
    response = await fetch(url, init);
  } catch (err) {
    throw networkError(err && err.message);
  }
  if (!response.ok) {
    let text = '';
    try {
      text = await response.text();
    } catch {
      text = '';
    }
    throw noteUnauthorized(errorFromBody(response.status, text, retryAfterOf(response.headers.get('Retry-After'))));
  }
  if (raw) return response;
  if (response.status === 204) return null;
  try {
    return await response.json();
  } catch {
    throw new ApiError({ status: response.status, code: 'invalid_response', message: 'the API answered something that is not JSON' });
  }
}

export function listJobs({ status, cursor, limit = 20 } = {}) {
  return request('GET', '/jobs', { query: { status, cursor, limit } });
}

export function getJob(jobId) {
  return request('GET', `/jobs/${encodeURIComponent(jobId)}`);
}

export function deleteJob(jobId) {
  return request('DELETE', `/jobs/${encodeURIComponent(jobId)}`);
}

export function getUpload(uploadId) {
  return request('GET', `/uploads/${encodeURIComponent(uploadId)}`);
}

export function getLimits() {
  return request('GET', '/limits');
}

/** POST /jobs with the Idempotency-Key of this form submission: sent again (a retry
 * after a lost answer), the API answers with the same job instead of making a second. */
export function createJob(body, idempotencyKey) {
  return request('POST', '/jobs', { json: body, headers: { 'Idempotency-Key': idempotencyKey } });
}

/** A finished job's report (markdown | html | json | table) as a Blob. */
export async function report(jobId, format) {
  const response = await request('GET', `/jobs/${encodeURIComponent(jobId)}/report`, { query: { format }, raw: true, headers: { Accept: '*/*' } });
  return response.blob();
}

/** POST /uploads with XMLHttpRequest, because fetch reports no upload progress.
 * `files` is [{name, blob}]; `onProgress(loaded, total)` follows the bytes sent. */
export function upload(files, { projectName, onProgress } = {}) {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    for (const { name, blob } of files) form.append('file', blob, name);
    if (projectName) form.append('project_name', projectName);
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `${API_BASE}/uploads`);
    xhr.setRequestHeader('Accept', 'application/json');
    const value = token();
    if (value) xhr.setRequestHeader('Authorization', `Bearer ${value}`);
    xhr.upload.addEventListener('progress', (event) => {
      if (onProgress && event.lengthComputable) onProgress(event.loaded, event.total);
    });
    xhr.addEventListener('load', () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        try {
          resolve(JSON.parse(xhr.responseText));
        } catch {
          reject(new ApiError({ status: xhr.status, code: 'invalid_response', message: 'the API answered something that is not JSON' }));
        }
        return;
      }
      reject(noteUnauthorized(errorFromBody(xhr.status, xhr.responseText, retryAfterOf(xhr.getResponseHeader('Retry-After')))));
    });
    xhr.addEventListener('error', () => reject(networkError('the upload was interrupted')));
    xhr.addEventListener('abort', () => reject(new ApiError({ status: 0, code: 'aborted', message: 'the upload was stopped' })));
    xhr.send(form);
  });
}

/** A random Idempotency-Key. crypto.getRandomValues works on plain-http origins too
 * (randomUUID needs a secure context, and a gateway on a LAN address is not one). */
export function newIdempotencyKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `ui-${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export const TERMINAL = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);
