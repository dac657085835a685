// What to tell people: an API error (401/403/404/413/429/503, network) as a title, the
// API's own message and what to do about it; a FAILED job's error code in plain words.
// Every error panel carries the request id, which finds the request in the gateway's logs.

import { h, mebibytes } from './dom.js';

/** {title, message, action} for an ApiError (or any Error). */
export function explain(error, { limits } = {}) {
  const message = (error && error.message) || String(error);
  const status = error && typeof error.status === 'number' ? error.status : -1;
  const wait = error && error.retryAfter !== null && error.retryAfter !== undefined ? error.retryAfter : null;
  switch (status) {
    case 0:
      if (error.code === 'aborted') return { title: 'Upload stopped', message, action: 'Submit again when you are ready.' };
      return {
        title: 'Cannot reach the tfquote API',
        message: `The browser got ${message}.`,
        action: 'Check your network connection and that the gateway is running (make run starts it), then retry.',
      };
    case 400:
      return { title: 'The API refused the request', message, action: 'Correct what it names and submit again.' };
    case 401:
      return {
        title: 'Sign-in needed',
        message: `The API answered: ${message}.`,
        action: 'Enter a valid bearer token for this server (ask its operator; locally: JWT_SECRET=… python -m gateway token --sub you).',
      };
    case 403:
      return { title: 'Not allowed', message: `The API answered: ${message}.`, action: 'Your token does not allow this; ask the operator for one that does.' };
    case 404:
      return {
        title: 'Not found',
        message: `The API answered: ${message}.`,
        action: 'It may have been deleted, or expired (finished jobs are kept for JOB_TTL_SECONDS, 7 days by default), or it belongs to another tenant: a job is visible only with a token of the tenant that made it.',
      };
    case 409:
      return { title: 'Not possible yet', message, action: 'Wait until the job has finished, then retry.' };
    case 413:
      return {
        title: 'Too large for this server',
        message: `The API answered: ${message}.`,
        action: `Upload at most ${limits ? mebibytes(limits.max_upload_bytes) : 'MAX_UPLOAD_BYTES'} at once: leave out provider binaries (.terraform/providers) and other large files.`,
      };
    case 422:
      return { title: 'The API could not use this', message, action: 'Correct what it names and submit again.' };
    case 429:
      return {
        title: 'Too many requests',
        message: `The API answered: ${message}.`,
        action: wait !== null ? `Wait ${wait} s and retry; this page retries on its own.` : 'Wait a little and retry; this page retries on its own.',
      };
    case 503:
      return {
        title: 'The service is unavailable',
        message: `The API answered: ${message}.`,
        action: `Redis or the job queue is unreachable; the gateway recovers by itself. Retry in ${wait !== null ? `${wait} s` : 'a few seconds'}.`,
      };
    default:
      if (status >= 500) {
        return { title: 'The server failed', message: `The API answered HTTP ${status}: ${message}.`, action: 'Retry; if it keeps failing, give the request id below to the operator.' };
      }
      if (status > 0) return { title: `HTTP ${status}`, message, action: 'Retry, or go back to the jobs.' };
      return { title: 'Something went wrong in this page', message, action: 'Reload the page. If it happens again, tell the operator what you did.' };
  }
}

/** An error panel (role=alert) with the explanation, the request id and optional buttons. */
export function errorPanel(error, { actions = [], limits } = {}) {
  const { title, message, action } = explain(error, { limits });
  return h(
    'div',
    { class: 'notice notice-error', role: 'alert', 'data-status': error && error.status !== undefined ? String(error.status) : '' },
    h('h2', { class: 'notice-title' }, title),
    h('p', { class: 'notice-message' }, message),
    h('p', { class: 'notice-action' }, action),
    error && error.requestId ? h('p', { class: 'hint' }, 'Request id: ', h('code', {}, error.requestId)) : null,
    actions.length ? h('div', { class: 'button-row' }, actions) : null,
  );
}

/** The details of a 400 validation_error, flattened: [{path: "options.budget.monthly_total_max", message}]. */
export function flattenDetails(details, prefix = '') {
  const out = [];
  if (Array.isArray(details)) {
    for (const item of details) {
      if (typeof item === 'string') out.push({ path: prefix, message: item });
      else out.push(...flattenDetails(item, prefix));
    }
  } else if (details && typeof details === 'object') {
    for (const [key, value] of Object.entries(details)) {
      // marshmallow reports a bad dict key as {name: {key: [...]}}: keep the name only.
      const path = key === 'key' && prefix ? prefix : prefix ? `${prefix}.${key}` : key;
      out.push(...flattenDetails(value, path));
    }
  } else if (details !== null && details !== undefined) {
    out.push({ path: prefix, message: String(details) });
  }
  return out;
}

// A FAILED job's code, said plainly. The API's message follows it on the page.
const ARCHIVE_RULES = new Set([
  'io_error', 'unsupported_format', 'unsupported_compression', 'corrupt_archive', 'too_many_entries',
  'prefix_data', 'overlapping_entries', 'link_entry', 'special_entry', 'path_traversal', 'unsafe_path',
  'name_too_long', 'path_too_deep', 'encrypted_entry', 'nested_archive', 'too_large', 'compression_ratio',
  'duplicate_entry', 'name_collision', 'file_dir_conflict', 'empty_archive',
]);

const FAILURES = {
  no_terraform: 'The upload holds no Terraform: it needs at least one .tf or .tf.json file, or a plan JSON (terraform show -json).',
  upload_missing: 'The uploaded files were gone (expired or removed) when the job ran. Upload them again.',
  invalid_option: 'An option names something that is not in the upload: a root module, a var file or a usage file. Check the paths and estimate again.',
  hcl_parse_error: 'Terraform could not read a file of the configuration: there is a syntax error in it.',
  not_a_plan: 'The JSON file is not a Terraform plan as terraform show -json writes it.',
  invalid_json: 'A JSON file of the upload is not valid JSON.',
  evaluation_failed: 'Evaluating the configuration crashed or ran out of memory in the engine.',
  evaluation_timeout: 'Evaluating the configuration took longer than the engine allows.',
  engine_unavailable: 'The estimation engine could not be reached, on every attempt.',
  engine_timeout: 'The estimation engine did not answer in time, on every attempt.',
  max_attempts_exceeded: 'The job was tried as many times as allowed and never finished (its worker kept stopping).',
  job_timeout: 'The job ran past its time limit.',
  compare_to_unavailable: 'The job to compare with was gone (deleted or expired) when this one finished.',
  worker_lost: 'The worker running the job stopped.',
};

export function failureInWords(code) {
  if (FAILURES[code]) return FAILURES[code];
  if (ARCHIVE_RULES.has(code)) {
    return 'The archive was refused by a safety rule (links, paths leaving the folder, archives inside the archive, too many or too large files…).';
  }
  return 'The estimate failed.';
}
