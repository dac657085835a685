// /ui/jobs: the tenant's jobs, newest first (GET /api/v1/jobs), with status badges that
// follow the jobs while they run (polling), a status filter and cursor paging that live
// in the URL (?status=…&cursor=…, so a page can be reloaded and shared), cancel and
// delete after a confirmation, and two completed jobs picked to compare.

import { h, td, replace, badge, when, shortId } from './dom.js';
import * as api from './api.js';
import { money } from './money.js';
import { confirmDialog } from './dialogs.js';
import { errorPanel } from './messages.js';
import { poller } from './poll.js';

const STATUSES = ['PENDING', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED'];
const PAGE_SIZE = 20;

// Upload names by upload id, kept across views: a job is easier to recognise by its
// project name or file than by its id. Read from GET /uploads/{id}, a few at a time, once
// per upload however many jobs share it.
const uploadNames = new Map(); // upload id -> name, or null while asked
const waiting = new Map(); // upload id -> callbacks waiting for its name
const pendingUploads = [];
let uploadsInFlight = 0;

function fetchUploadName(uploadId, onName) {
  const known = uploadNames.get(uploadId);
  if (known) {
    onName(known);
    return;
  }
  if (!waiting.has(uploadId)) waiting.set(uploadId, []);
  waiting.get(uploadId).push(onName);
  if (uploadNames.has(uploadId)) return; // already asked
  uploadNames.set(uploadId, null);
  pendingUploads.push(uploadId);
  pumpUploads();
}

function pumpUploads() {
  while (uploadsInFlight < 3 && pendingUploads.length) {
    const uploadId = pendingUploads.shift();
    uploadsInFlight += 1;
    api
      .getUpload(uploadId)
      .then((upload) => {
        const label = upload.project_name || (upload.files && upload.files.map((f) => f.name).join(', ')) || null;
        uploadNames.set(uploadId, label);
        if (label) for (const callback of waiting.get(uploadId) || []) callback(label);
      })
      .catch(() => {
        // Expired or gone: the job is shown by its id. Asked again on the next visit.
        uploadNames.delete(uploadId);
      })
      .finally(() => {
        waiting.delete(uploadId);
        uploadsInFlight -= 1;
        pumpUploads();
      });
  }
}

export function jobLabel(job) {
  return uploadNames.get(job.upload_id) || `Job ${shortId(job.job_id)}`;
}

export { fetchUploadName };

function totalOf(job) {
  const estimate = job.result && job.result.estimate;
  return estimate ? estimate.totalMonthlyCost : null;
}

export function mountJobs(container, _params, query, { navigate, url }) {
  const status = STATUSES.includes(query.get('status')) ? query.get('status') : '';
  const cursor = query.get('cursor') || '';
  // ?limit= as the API takes it (1-100); the default page is PAGE_SIZE jobs.
  const asked = Number(query.get('limit'));
  const limit = Number.isInteger(asked) && asked >= 1 && asked <= 100 ? asked : PAGE_SIZE;
  const previous = (history.state && history.state.previousCursors) || [];
  const selected = new Set();
  const lastStatus = new Map();
  let items = [];
  let nextCursor = null;
  let loaded = false;

  const heading = h('h1', { tabindex: '-1' }, 'Jobs');
  const filterSelect = h(
    'select',
    { id: 'status-filter', name: 'status' },
    h('option', { value: '' }, 'All statuses'),
    STATUSES.map((value) => h('option', { value, selected: value === status }, value)),
  );
  const compareButton = h('button', { type: 'button', class: 'button', disabled: true, 'data-action': 'compare' }, 'Compare two jobs (0 of 2 selected)');
  const refreshButton = h('button', { type: 'button', class: 'button', 'data-action': 'refresh' }, 'Refresh');
  const live = h('p', { class: 'visually-hidden', 'aria-live': 'polite' });
  const body = h('div', { class: 'jobs-body' }, h('p', { class: 'loading' }, 'Loading jobs…'));
  const pager = h('nav', { class: 'pager', 'aria-label': 'Pages of jobs' });

  replace(
    container,
    heading,
    h(
      'div',
      { class: 'toolbar' },
      h('div', { class: 'field field-inline' }, h('label', { for: filterSelect.id }, 'Status'), filterSelect),
      refreshButton,
      compareButton,
      h('a', { class: 'button button-primary', href: url('/') }, 'New estimate'),
    ),
    live,
    body,
    pager,
  );

  function go(params, state) {
    const search = new URLSearchParams();
    if (params.status) search.set('status', params.status);
    if (params.cursor) search.set('cursor', params.cursor);
    if (limit !== PAGE_SIZE) search.set('limit', String(limit));
    const text = search.toString();
    navigate(`/jobs${text ? `?${text}` : ''}`, { state });
  }

  filterSelect.addEventListener('change', () => go({ status: filterSelect.value }, { previousCursors: [] }));
  refreshButton.addEventListener('click', () => poll.now());
  compareButton.addEventListener('click', () => {
    const chosen = items.filter((job) => selected.has(job.job_id)).sort((a, b) => (a.created_at < b.created_at ? -1 : 1));
    if (chosen.length === 2) navigate(`/compare/${chosen[0].job_id}/${chosen[1].job_id}`);
  });

  function updateCompareButton() {
    const count = items.filter((job) => selected.has(job.job_id)).length;
    compareButton.disabled = count !== 2;
    compareButton.textContent = count === 2 ? 'Compare the two selected' : `Compare two jobs (${count} of 2 selected)`;
  }

  async function act(job) {
    const running = !api.TERMINAL.has(job.status);
    const confirmed = await confirmDialog(
      running
        ? { title: `Cancel job ${shortId(job.job_id)}?`, text: 'It stops at its next stage and is never estimated. This cannot be undone.', confirmLabel: 'Cancel the job' }
        : { title: `Delete job ${shortId(job.job_id)}?`, text: 'Its result and its files are removed for good.', confirmLabel: 'Delete the job' },
    );
    if (!confirmed) return;
    try {
      await api.deleteJob(job.job_id);
      live.textContent = running ? `Job ${shortId(job.job_id)} cancelled.` : `Job ${shortId(job.job_id)} deleted.`;
    } catch (err) {
      if (err.status !== 401) replace(body, errorPanel(err, { actions: [h('button', { type: 'button', class: 'button', onclick: () => poll.now() }, 'Retry')] }));
      return;
    }
    poll.now();
  }

  function row(job) {
    const label = h('span', { class: 'job-label' }, jobLabel(job));
    fetchUploadName(job.upload_id, (name) => {
      label.textContent = name;
    });
    const running = !api.TERMINAL.has(job.status);
    const total = totalOf(job);
    const diff = job.result && job.result.diff;
    const checkbox =
      job.status === 'COMPLETED'
        ? h('input', {
            type: 'checkbox',
            checked: selected.has(job.job_id),
            'aria-label': `Select job ${shortId(job.job_id)} to compare`,
            'data-focus-key': `select-${job.job_id}`,
            onchange: (event) => {
              if (event.target.checked) selected.add(job.job_id);
              else selected.delete(job.job_id);
              updateCompareButton();
            },
          })
        : null;
    let statusExtra = null;
    if (job.status === 'RUNNING' || job.status === 'PENDING') statusExtra = job.attempts ? `attempt ${job.attempts}` : null;
    if (job.status === 'FAILED' && job.error) statusExtra = job.error.code;
    return h(
      'tr',
      { 'data-job-id': job.job_id, 'data-status': job.status },
      td({ class: 'cell-select' }, checkbox),
      td(
        { 'data-label': 'Job' },
        h('a', { href: url(`/jobs/${job.job_id}`), 'data-focus-key': `open-${job.job_id}` }, label),
        h('br'),
        h('code', { class: 'hint' }, shortId(job.job_id)),
      ),
      td({ 'data-label': 'Status' }, badge(job.status), statusExtra ? h('span', { class: 'hint status-extra' }, ` ${statusExtra}`) : null),
      td({ 'data-label': 'Created' }, h('time', { datetime: job.created_at }, when(job.created_at))),
      td({ 'data-label': 'Region' }, job.region),
      td(
        { class: 'num', 'data-label': 'Per month' },
        total !== null ? h('span', { class: 'job-total' }, money(total)) : '—',
        diff && diff.headline ? h('span', { class: 'hint job-diff' }, diff.headline.split(',')[0]) : null,
      ),
      td(
        { 'data-label': 'Actions', class: 'cell-actions' },
        h(
          'button',
          {
            type: 'button',
            class: ['button', 'button-small', running ? 'button-warning' : 'button-danger'],
            'data-action': running ? 'cancel' : 'delete',
            'data-focus-key': `act-${job.job_id}`,
            'aria-label': `${running ? 'Cancel' : 'Delete'} job ${shortId(job.job_id)}`,
            onclick: () => act(job),
          },
          running ? 'Cancel' : 'Delete',
        ),
      ),
    );
  }

  function draw() {
    const focusKey = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.focusKey : null;
    if (!items.length) {
      replace(
        body,
        h('p', { class: 'empty' }, status ? `No ${status} jobs on this page.` : 'No jobs yet. ', status ? null : h('a', { href: url('/') }, 'Start a new estimate.')),
      );
    } else {
      replace(
        body,
        h(
          'table',
          { class: 'table table-stack jobs-table' },
          h('caption', { class: 'visually-hidden' }, 'Jobs, newest first'),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Compare')),
              h('th', { scope: 'col' }, 'Job'),
              h('th', { scope: 'col' }, 'Status'),
              h('th', { scope: 'col' }, 'Created'),
              h('th', { scope: 'col' }, 'Region'),
              h('th', { scope: 'col', class: 'num' }, 'Per month'),
              h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')),
            ),
          ),
          h('tbody', {}, items.map(row)),
        ),
      );
    }
    if (focusKey) {
      const again = body.querySelector(`[data-focus-key="${CSS.escape(focusKey)}"]`);
      if (again) again.focus();
    }
    updateCompareButton();
    const buttons = [];
    if (cursor) {
      buttons.push(
        h('button', {
          type: 'button',
          class: 'button',
          'data-action': 'newer',
          onclick: () => {
            const stack = [...previous];
            const back = stack.pop() || '';
            go({ status, cursor: back }, { previousCursors: stack });
          },
        }, '← Newer'),
      );
    }
    if (nextCursor) {
      buttons.push(
        h('button', { type: 'button', class: 'button', 'data-action': 'older', onclick: () => go({ status, cursor: nextCursor }, { previousCursors: [...previous, cursor] }) }, 'Older →'),
      );
    }
    replace(pager, buttons);
  }

  const poll = poller(
    async () => {
      try {
        const page = await api.listJobs({ status, cursor, limit });
        items = page.items;
        nextCursor = page.next_cursor;
        const changes = [];
        for (const job of items) {
          const before = lastStatus.get(job.job_id);
          if (before && before !== job.status) changes.push(`Job ${shortId(job.job_id)} is now ${job.status}.`);
          lastStatus.set(job.job_id, job.status);
        }
        if (changes.length) live.textContent = changes.join(' ');
        loaded = true;
        draw();
      } catch (err) {
        if (!loaded || err.status !== 429) {
          replace(body, errorPanel(err, { actions: [h('button', { type: 'button', class: 'button', 'data-action': 'retry', onclick: () => poll.now() }, 'Retry')] }));
          replace(pager);
        }
        throw err;
      }
      // Fast while a job on the page runs, slow otherwise (new jobs still show up).
      return items.some((job) => !api.TERMINAL.has(job.status)) ? 1500 : 15000;
    },
    { interval: 1500 },
  );
  poll.start();

  return {
    unmount() {
      poll.stop();
    },
    onToken() {
      poll.now();
    },
  };
}
