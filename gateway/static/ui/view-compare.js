// /ui/compare/{base_job_id}/{job_id}: two completed jobs side by side, and the resources
// added, removed and changed with their cost differences. When the job was made with
// options.compare_to naming the base, the diff is the API's own (result.diff); otherwise
// the page diffs the two estimates by the same rules (estimate.js, after costdiff.py).

import { h, replace, badge, when, shortId } from './dom.js';
import * as api from './api.js';
import { money } from './money.js';
import { diffJobs, apiDiff } from './estimate.js';
import { errorPanel } from './messages.js';
import { changesSection, card } from './view-job.js';
import { fetchUploadName, jobLabel } from './view-jobs.js';

function side(job, role, url) {
  const label = h('span', {}, jobLabel(job));
  fetchUploadName(job.upload_id, (name) => {
    label.textContent = name;
  });
  const total = job.result && job.result.estimate ? job.result.estimate.totalMonthlyCost : null;
  return h(
    'div',
    { class: 'card compare-side', dataset: { side: role } },
    h('p', { class: 'card-label' }, role === 'base' ? 'Before (base)' : 'After'),
    h('p', { class: 'card-value' }, total === null ? '—' : money(total)),
    h('p', { class: 'card-note' }, h('a', { href: url(`/jobs/${job.job_id}`) }, label), ' ', h('code', {}, shortId(job.job_id)), h('br'), `${job.region} · ${when(job.created_at)}`),
  );
}

export function mountCompare(container, [baseId, jobId], _query, { navigate, url }) {
  const heading = h('h1', { tabindex: '-1' }, 'Compare two estimates');
  const body = h('div', {}, h('p', { class: 'loading' }, 'Loading both jobs…'));
  replace(container, h('nav', { class: 'breadcrumb', 'aria-label': 'Breadcrumb' }, h('a', { href: url('/jobs') }, 'Jobs'), ' › ', h('span', { 'aria-current': 'page' }, 'Compare')), heading, body);
  let stopped = false;

  async function load() {
    replace(body, h('p', { class: 'loading' }, 'Loading both jobs…'));
    let base;
    let job;
    try {
      [base, job] = await Promise.all([api.getJob(baseId), api.getJob(jobId)]);
    } catch (err) {
      if (!stopped) replace(body, errorPanel(err, { actions: [h('button', { type: 'button', class: 'button', 'data-action': 'retry', onclick: load }, 'Retry'), h('a', { class: 'button', href: url('/jobs') }, 'All jobs')] }));
      return;
    }
    if (stopped) return;
    const unfinished = [base, job].filter((j) => j.status !== 'COMPLETED');
    if (unfinished.length) {
      replace(
        body,
        h(
          'div',
          { class: 'notice notice-warning', role: 'alert', 'data-role': 'not-completed' },
          h('h2', {}, 'Both jobs must be COMPLETED to compare them'),
          h('ul', {}, unfinished.map((j) => h('li', {}, h('a', { href: url(`/jobs/${j.job_id}`) }, `Job ${shortId(j.job_id)}`), ' is ', badge(j.status)))),
          h('button', { type: 'button', class: 'button', onclick: load }, 'Check again'),
        ),
      );
      return;
    }
    const own = job.result && job.result.diff && job.result.diff.base_job_id === base.job_id;
    const diff = own ? apiDiff(job.result.diff) : diffJobs(base, job);
    const origin = own
      ? `The job was estimated with compare_to set to the base: this is tfquote's own diff (result.diff).`
      : 'Diffed in this page from the two estimates, resource by resource by address, the way tfquote diffs a compare_to job.';
    replace(
      body,
      h(
        'div',
        { class: 'cards compare-cards' },
        side(base, 'base', url),
        side(job, 'job', url),
        card('Change', `${money(diff.diff, { sign: true })}${diff.percent !== null ? ` (${diff.percent} %)` : ''}`, { key: 'diff' }),
      ),
      h('div', { class: 'button-row' }, h('button', { type: 'button', class: 'button', 'data-action': 'swap', onclick: () => navigate(`/compare/${jobId}/${baseId}`) }, 'Swap before and after')),
      changesSection(diff, { title: 'Resources added, removed and changed', extra: h('p', { class: 'hint', 'data-role': 'diff-origin', 'data-origin': own ? 'api' : 'page' }, origin) }),
    );
  }

  load();
  return {
    unmount() {
      stopped = true;
    },
    onToken: load,
  };
}
