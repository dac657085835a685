// /ui/jobs/{job_id}: one job (GET /api/v1/jobs/{id}, polled until it finishes). Its
// status, attempts and times; a FAILED job's error in plain words; a COMPLETED job's
// total (and its diff), charts of cost by service and of the ten most expensive
// resources, the breakdown (sortable, filterable, each resource opening onto its cost
// components with quantity, unit, price and the price's source and date), unknowns and
// warnings, the budget verdict, and the reports to download.

import { h, td, replace, badge, when, shortId, newId } from './dom.js';
import * as api from './api.js';
import { money, price, quantity, cmp, abs, toNumber, ZERO } from './money.js';
import { readEstimate, costByService, topResources, apiDiff } from './estimate.js';
import { barChart } from './charts.js';
import { confirmDialog } from './dialogs.js';
import { errorPanel, failureInWords } from './messages.js';
import { poller } from './poll.js';
import { fetchUploadName, jobLabel } from './view-jobs.js';

const REPORTS = [
  { format: 'markdown', label: 'Markdown', ext: 'md' },
  { format: 'html', label: 'HTML', ext: 'html' },
  { format: 'json', label: 'JSON', ext: 'json' },
];

const CHECK_NAMES = {
  monthly_total_max: 'Monthly total at most',
  monthly_diff_max: 'Monthly change at most',
  diff_percent_max: 'Monthly change in percent at most',
};

const ACTION_WORDS = { create: 'added', delete: 'removed', update: 'changed', replace: 'replaced', 'no-op': 'unchanged' };

/** A link only for an http(s) URL: a price source's URL comes from the engine, and an
 * engine plugged in with ENGINE_URL is not ours to trust with javascript: or data: links. */
function sourceLink(url, text) {
  return /^https?:\/\//i.test(url || '') ? h('a', { href: url, rel: 'noopener noreferrer', target: '_blank' }, text) : text;
}

function section(title, ...children) {
  const id = newId('sec');
  return h('section', { class: 'panel', 'aria-labelledby': id }, h('h2', { id }, title), ...children);
}

function card(label, value, { className, note, key } = {}) {
  return h('div', { class: ['card', className], dataset: key ? { card: key } : {} }, h('p', { class: 'card-label' }, label), h('p', { class: 'card-value' }, value), note ? h('p', { class: 'card-note' }, note) : null);
}

function meta(rows) {
  return h('dl', { class: 'meta' }, rows.filter(Boolean).map(([term, value]) => [h('dt', {}, term), h('dd', {}, value)]));
}

function optionsList(job, url) {
  const o = job.options || {};
  const rows = [['Region', job.region]];
  if (o.root_module) rows.push(['Root module', h('code', {}, o.root_module)]);
  if (o.var_files && o.var_files.length) rows.push(['Var files', o.var_files.map((f, i) => [i ? ', ' : '', h('code', {}, f)])]);
  if (o.variables && Object.keys(o.variables).length) {
    rows.push(['Variables', Object.entries(o.variables).map(([k, v], i) => [i ? ', ' : '', h('code', {}, `${k} = ${typeof v === 'string' ? v : JSON.stringify(v)}`)])]);
  }
  if (o.workspace) rows.push(['Workspace', o.workspace]);
  if (o.usage_file) rows.push(['Usage file', h('code', {}, o.usage_file)]);
  if (o.usage_preset) rows.push(['Usage preset', o.usage_preset]);
  if (o.budget) {
    const parts = [];
    if (o.budget.monthly_total_max) parts.push(`total ≤ ${money(o.budget.monthly_total_max)}`);
    if (o.budget.monthly_diff_max) parts.push(`change ≤ ${money(o.budget.monthly_diff_max)}`);
    if (o.budget.diff_percent_max) parts.push(`change ≤ ${o.budget.diff_percent_max} %`);
    rows.push(['Budget', parts.join(', ')]);
  }
  if (o.compare_to) rows.push(['Compared with', h('a', { href: url(`/jobs/${o.compare_to}`) }, `job ${shortId(o.compare_to)}`)]);
  return rows;
}

// --- the breakdown table -----------------------------------------------------------------------

function componentRows(resource, sources) {
  return resource.components.map((c) => {
    if (c.isGroup) {
      return h('tr', { class: ['component-group', `depth-${Math.min(c.depth, 3)}`] }, h('th', { scope: 'rowgroup', colspan: '7' }, c.label));
    }
    const source = c.priceSource ? sources.get(c.priceSource) : null;
    let costCell;
    if (c.priceNotFound) costCell = h('span', { class: 'unknown' }, `price not found${c.reason ? `: ${c.reason}` : ''}`);
    else if (c.monthlyCost === null) costCell = h('span', { class: 'unknown' }, c.usageBased ? 'depends on usage' : `unknown${c.reason ? `: ${c.reason}` : ''}`);
    else costCell = money(c.monthlyCost);
    return h(
      'tr',
      { class: [`depth-${Math.min(c.depth, 3)}`, c.usageBased ? 'usage-based' : null], 'data-component': c.label },
      td({ 'data-label': 'Component' }, c.label, c.usageBased ? [' ', h('span', { class: 'tag tag-usage', title: 'The quantity comes from usage (a usage file, options or a preset), not from the configuration' }, 'usage-based')] : null),
      td({ class: 'num', 'data-label': 'Quantity' }, c.monthlyQuantity === null ? '—' : quantity(c.monthlyQuantity)),
      td({ 'data-label': 'Unit' }, c.unit),
      td({ class: 'num', 'data-label': 'Price' }, c.price === null ? '—' : price(c.price)),
      td({ class: 'num', 'data-label': 'Monthly cost' }, costCell),
      td(
        { 'data-label': 'Price source', class: 'provenance' },
        c.priceSource
          ? [source ? sourceLink(source.url, source.title) : null, source ? h('br') : null, h('code', { class: 'price-source' }, c.priceSource)]
          : '—',
      ),
      td({ 'data-label': 'Price date', class: 'price-date' }, c.priceEffectiveDate || '—'),
    );
  });
}

function breakdown(estimate) {
  const multiProject = new Set(estimate.resources.map((r) => r.project)).size > 1;
  const state = { key: 'monthly', dir: 'desc', filter: '', usageOnly: false, open: new Set() };
  const columns = [
    { key: 'name', label: 'Resource' },
    { key: 'type', label: 'Type' },
    { key: 'service', label: 'Service' },
    ...(multiProject ? [{ key: 'project', label: 'Project' }] : []),
    { key: 'monthly', label: 'Monthly cost', num: true },
  ];
  const filterInput = h('input', { type: 'search', id: newId('filter'), placeholder: 'e.g. aws_instance or RDS', 'data-role': 'filter' });
  const usageOnly = h('input', { type: 'checkbox', id: newId('usage') });
  const count = h('p', { class: 'hint', 'aria-live': 'polite', 'data-role': 'count' });
  const table = h('table', { class: 'table table-stack breakdown' });
  const headRow = h('tr');
  const tbody = h('tbody');

  function compare(a, b) {
    let order;
    if (state.key === 'monthly') {
      // An unknown cost sorts last whichever way the column is sorted.
      if ((a.monthly === null) !== (b.monthly === null)) return a.monthly === null ? 1 : -1;
      order = a.monthly === null ? 0 : cmp(a.monthly, b.monthly);
    } else order = String(a[state.key]).localeCompare(String(b[state.key]), undefined, { numeric: true });
    if (state.dir === 'desc') order = -order;
    // Ties in name order, whichever way the column is sorted.
    return order || a.name.localeCompare(b.name, undefined, { numeric: true });
  }

  function drawHead() {
    replace(
      headRow,
      h('th', { scope: 'col', class: 'cell-expand' }, h('span', { class: 'visually-hidden' }, 'Details')),
      columns.map((col) => {
        const active = state.key === col.key;
        const sort = active ? (state.dir === 'asc' ? 'ascending' : 'descending') : 'none';
        return h(
          'th',
          { scope: 'col', class: col.num ? 'num' : null, 'aria-sort': sort },
          h(
            'button',
            {
              type: 'button',
              class: 'sort',
              'data-sort': col.key,
              onclick: () => {
                if (state.key === col.key) state.dir = state.dir === 'asc' ? 'desc' : 'asc';
                else {
                  state.key = col.key;
                  state.dir = col.num ? 'desc' : 'asc';
                }
                drawHead();
                drawBody();
                table.querySelector(`button[data-sort="${col.key}"]`).focus();
              },
            },
            col.label,
            h('span', { class: 'sort-mark', 'aria-hidden': 'true' }, active ? (state.dir === 'asc' ? ' ▲' : ' ▼') : ' ↕'),
          ),
        );
      }),
    );
  }

  function drawBody() {
    const words = state.filter.toLowerCase().split(/\s+/).filter(Boolean);
    const shown = estimate.resources
      .filter((r) => (!state.usageOnly || r.usageBased) && words.every((w) => `${r.name} ${r.type} ${r.service} ${r.project}`.toLowerCase().includes(w)))
      .sort(compare);
    const rows = [];
    for (const r of shown) {
      const detailId = newId('detail');
      const open = state.open.has(r.name);
      const toggle = h(
        'button',
        {
          type: 'button',
          class: 'expand',
          'aria-expanded': String(open),
          'aria-controls': detailId,
          'data-expand': r.name,
          onclick: () => {
            if (state.open.has(r.name)) state.open.delete(r.name);
            else state.open.add(r.name);
            const nowOpen = state.open.has(r.name);
            toggle.setAttribute('aria-expanded', String(nowOpen));
            detail.hidden = !nowOpen;
          },
        },
        h('span', { 'aria-hidden': 'true', class: 'expand-mark' }),
        h('span', { class: 'visually-hidden' }, `Cost components of ${r.name}`),
      );
      const cells = {
        name: td({ 'data-label': 'Resource', class: 'resource-name' }, r.name, r.usageBased ? [' ', h('span', { class: 'tag tag-usage' }, 'usage-based')] : null),
        type: td({ 'data-label': 'Type' }, h('code', {}, r.type)),
        service: td({ 'data-label': 'Service' }, r.service),
        project: td({ 'data-label': 'Project' }, r.project),
        monthly: td({ class: 'num', 'data-label': 'Monthly cost' }, r.monthly === null ? h('span', { class: 'unknown' }, 'unknown') : money(r.monthly)),
      };
      rows.push(h('tr', { class: 'resource-row', 'data-resource': r.name }, h('td', { class: 'cell-expand' }, toggle), columns.map((col) => cells[col.key])));
      const detail = h(
        'tr',
        { class: 'detail-row', id: detailId, hidden: !open, 'data-detail': r.name },
        h(
          'td',
          { colspan: String(columns.length + 1) },
          h(
            'table',
            { class: 'table table-stack components' },
            h('caption', {}, `Cost components of ${r.name}`),
            h(
              'thead',
              {},
              h('tr', {}, ['Component', 'Quantity', 'Unit', 'Price', 'Monthly cost', 'Price source', 'Price date'].map((label) => h('th', { scope: 'col', class: ['Quantity', 'Price', 'Monthly cost'].includes(label) ? 'num' : null }, label))),
            ),
            h('tbody', {}, r.components.length ? componentRows(r, estimate.sources) : h('tr', {}, h('td', { colspan: '7' }, 'No cost components.'))),
          ),
        ),
      );
      rows.push(detail);
    }
    replace(tbody, rows.length ? rows : h('tr', {}, h('td', { colspan: String(columns.length + 1), class: 'empty' }, 'No resource matches the filter.')));
    count.textContent = `Showing ${shown.length} of ${estimate.resources.length} priced resources.`;
  }

  filterInput.addEventListener('input', () => {
    state.filter = filterInput.value;
    drawBody();
  });
  usageOnly.addEventListener('change', () => {
    state.usageOnly = usageOnly.checked;
    drawBody();
  });
  table.append(h('caption', { class: 'visually-hidden' }, 'Cost breakdown by resource'), h('thead', {}, headRow), tbody);
  drawHead();
  drawBody();
  return [
    h(
      'div',
      { class: 'toolbar' },
      h('div', { class: 'field field-inline' }, h('label', { for: filterInput.id }, 'Filter'), filterInput),
      h('div', { class: 'field field-check' }, usageOnly, h('label', { for: usageOnly.id }, 'Only usage-based resources')),
    ),
    count,
    table,
  ];
}

// --- changes (a diff of the API) ---------------------------------------------------------------

export function changesTable(diff, { showUnchanged = false } = {}) {
  const rows = diff.rows
    .filter((r) => showUnchanged || r.action !== 'no-op' || (r.diffMonthlyCost && cmp(r.diffMonthlyCost, ZERO) !== 0))
    .sort((a, b) => cmp(abs(b.diffMonthlyCost) || ZERO, abs(a.diffMonthlyCost) || ZERO) || a.address.localeCompare(b.address));
  return h(
    'table',
    { class: 'table table-stack changes' },
    h('caption', { class: 'visually-hidden' }, 'Resources added, removed and changed, with their monthly cost before and after'),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Change'), h('th', { scope: 'col' }, 'Resource'), h('th', { scope: 'col', class: 'num' }, 'Before'), h('th', { scope: 'col', class: 'num' }, 'After'), h('th', { scope: 'col', class: 'num' }, 'Difference'))),
    h(
      'tbody',
      {},
      rows.length
        ? rows.map((r) =>
            h(
              'tr',
              { class: `action-${r.action}`, 'data-address': r.address, 'data-action': r.action },
              td({ 'data-label': 'Change' }, h('span', { class: ['tag', `tag-${r.action}`] }, ACTION_WORDS[r.action] || r.action)),
              td({ 'data-label': 'Resource', class: 'resource-name' }, r.address),
              td({ class: 'num', 'data-label': 'Before' }, r.pastMonthlyCost === null ? '—' : money(r.pastMonthlyCost)),
              td({ class: 'num', 'data-label': 'After' }, r.monthlyCost === null ? '—' : money(r.monthlyCost)),
              td({ class: 'num diff-cell', 'data-label': 'Difference' }, r.diffMonthlyCost === null ? '—' : money(r.diffMonthlyCost, { sign: true })),
            ),
          )
        : h('tr', {}, h('td', { colspan: '5', class: 'empty' }, 'No resource changed.')),
    ),
  );
}

export function changesSection(diff, { title = 'Changes', extra = null } = {}) {
  const holder = h('div');
  const toggle = h('input', { type: 'checkbox', id: newId('unchanged') });
  const draw = () => replace(holder, changesTable(diff, { showUnchanged: toggle.checked }));
  toggle.addEventListener('change', draw);
  draw();
  const s = diff.summary || {};
  return section(
    title,
    h('p', { class: 'headline', 'data-role': 'headline' }, diff.headline),
    h(
      'ul',
      { class: 'counts' },
      h('li', { 'data-count': 'added' }, `${s.added ?? 0} added`),
      h('li', { 'data-count': 'removed' }, `${s.removed ?? 0} removed`),
      h('li', { 'data-count': 'changed' }, `${s.changed ?? 0} changed`),
      h('li', { 'data-count': 'unchanged' }, `${s.unchanged ?? 0} unchanged`),
    ),
    extra,
    h('div', { class: 'field field-check' }, toggle, h('label', { for: toggle.id }, 'Show unchanged resources too')),
    holder,
  );
}

// --- the view ----------------------------------------------------------------------------------

function resultView(job, estimate, { url }) {
  const parts = [];
  const cards = [card('Monthly total', money(estimate.total), { key: 'total', note: `${estimate.currency}, list prices` })];
  let diff = null;
  if (estimate.diff) {
    diff = apiDiff(estimate.diff);
    cards.push(card('Before', money(diff.pastTotal), { key: 'past', note: diff.source === 'plan' ? "the plan's prior state" : `job ${shortId(diff.base_job_id)}` }));
    cards.push(card('Change', `${money(diff.diff, { sign: true })}${diff.percent !== null ? ` (${diff.percent} %)` : ''}`, { key: 'diff', className: cmp(diff.diff, ZERO) > 0 ? 'card-up' : 'card-down' }));
  }
  if (estimate.policy) {
    const passed = Boolean(estimate.policy.passed);
    cards.push(card('Budget', passed ? 'within budget' : 'exceeded', { key: 'budget', className: passed ? 'card-pass' : 'card-fail' }));
  }
  cards.push(card('Resources', String(estimate.resources.length), { key: 'resources', note: `priced; ${estimate.free.length} free, ${estimate.unsupported.length} not supported` }));
  parts.push(h('div', { class: 'cards' }, cards));

  if (diff && diff.headline) parts.push(h('p', { class: 'headline', 'data-role': 'headline' }, diff.headline));

  const services = costByService(estimate.resources);
  const top = topResources(estimate.resources);
  parts.push(
    h(
      'div',
      { class: 'charts' },
      section('Cost by service', barChart('Monthly cost by AWS service', services.map((r) => ({ label: r.label, value: toNumber(r.amount), text: money(r.amount) })), { empty: 'No resource has a known cost.' })),
      section('The ten most expensive resources', barChart('Monthly cost of the most expensive resources', top.map((r) => ({ label: r.label, value: toNumber(r.amount), text: money(r.amount) })), { empty: 'No resource has a known cost.' })),
    ),
  );

  if (diff) {
    parts.push(
      changesSection(diff, {
        title: 'Changes',
        extra: diff.base_job_id ? h('p', {}, h('a', { href: url(`/compare/${diff.base_job_id}/${job.job_id}`), 'data-role': 'compare-link' }, `Compare side by side with job ${shortId(diff.base_job_id)}`)) : null,
      }),
    );
  }

  parts.push(section('Breakdown', ...breakdown(estimate)));

  if (estimate.policy) {
    const checks = estimate.policy.checks || [];
    parts.push(
      section(
        'Budget',
        h('p', { class: estimate.policy.passed ? 'verdict verdict-pass' : 'verdict verdict-fail', 'data-role': 'verdict' }, estimate.policy.passed ? '✓ Within budget: every limit holds.' : '✗ Budget exceeded: a limit does not hold. (The job still completed.)'),
        h(
          'table',
          { class: 'table table-stack budget' },
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Limit'), h('th', { scope: 'col', class: 'num' }, 'At most'), h('th', { scope: 'col', class: 'num' }, 'Actual'), h('th', { scope: 'col' }, 'Result'))),
          h(
            'tbody',
            {},
            checks.map((c) => {
              const pct = c.name === 'diff_percent_max';
              const show = (v) => (v === null || v === undefined ? '—' : pct ? `${v} %` : money(v));
              return h(
                'tr',
                { 'data-check': c.name },
                td({ 'data-label': 'Limit' }, CHECK_NAMES[c.name] || c.name),
                td({ class: 'num', 'data-label': 'At most' }, show(c.limit)),
                td({ class: 'num', 'data-label': 'Actual' }, show(c.actual)),
                td({ 'data-label': 'Result' }, c.passed ? h('span', { class: 'tag tag-pass' }, 'passed') : h('span', { class: 'tag tag-fail' }, 'failed'), c.message ? ` ${c.message}` : ''),
              );
            }),
          ),
        ),
      ),
    );
  }

  const notes = [];
  if (estimate.unknowns.length) {
    notes.push(h('h3', {}, `Not priced or not known (${estimate.unknowns.length})`));
    notes.push(h('ul', { class: 'unknowns' }, estimate.unknowns.map((u) => h('li', { 'data-address': u.address }, h('code', {}, u.address), ': ', u.reason))));
  }
  if (estimate.warnings.length) {
    notes.push(h('h3', {}, `Warnings (${estimate.warnings.length})`));
    notes.push(h('ul', { class: 'warnings' }, estimate.warnings.map((w) => h('li', {}, w))));
  }
  if (estimate.free.length) {
    notes.push(h('details', { class: 'free' }, h('summary', {}, `${estimate.free.length} free resources (not listed above)`), h('ul', {}, estimate.free.map((f) => h('li', {}, h('code', {}, f.name))))));
  }
  parts.push(section('Unknowns and warnings', notes.length ? notes : h('p', {}, 'None: every resource found was priced, and nothing was left unknown.')));

  const sourceList = [...estimate.sources.entries()];
  parts.push(
    section(
      'Prices and assumptions',
      sourceList.length
        ? h('ul', { class: 'sources' }, sourceList.map(([id, s]) => h('li', { 'data-source': id }, sourceLink(s.url, s.title), ` — prices of ${s.date} `, h('code', {}, id))))
        : h('p', {}, 'The engine named no price source.'),
      estimate.assumptions.length ? h('ul', { class: 'assumptions' }, estimate.assumptions.map((a) => h('li', {}, a))) : null,
    ),
  );
  return parts;
}

export function mountJob(container, [jobId], _query, { navigate, url }) {
  let job = null;
  let shownStatus = null;
  let shownState = null;
  let pollError = false;
  const charts = [];
  const heading = h('h1', { tabindex: '-1' }, `Job ${shortId(jobId)}`);
  const statusLine = h('div', { class: 'status-line', 'aria-live': 'polite' });
  const metaBox = h('div', { class: 'job-meta' });
  const actions = h('div', { class: 'button-row job-actions' });
  const message = h('div');
  const body = h('div', { class: 'job-body' }, h('p', { class: 'loading' }, 'Loading the job…'));

  replace(
    container,
    h('nav', { class: 'breadcrumb', 'aria-label': 'Breadcrumb' }, h('a', { href: url('/jobs') }, 'Jobs'), ' › ', h('span', { 'aria-current': 'page' }, shortId(jobId))),
    heading,
    statusLine,
    metaBox,
    actions,
    message,
    body,
  );

  async function download(format, ext, button) {
    button.disabled = true;
    try {
      const blob = await api.report(jobId, format);
      const href = URL.createObjectURL(blob);
      const link = h('a', { href, download: `tfquote-${shortId(jobId)}.${ext}`, hidden: true });
      document.body.appendChild(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(href), 60000);
      replace(message, h('p', { class: 'notice notice-ok', role: 'status' }, `Downloaded the ${format} report.`));
    } catch (err) {
      if (err.status !== 401) replace(message, errorPanel(err));
    } finally {
      button.disabled = false;
    }
  }

  async function cancelOrDelete() {
    const running = !api.TERMINAL.has(job.status);
    const confirmed = await confirmDialog(
      running
        ? { title: `Cancel job ${shortId(jobId)}?`, text: 'It stops at its next stage and is never estimated. This cannot be undone.', confirmLabel: 'Cancel the job' }
        : { title: `Delete job ${shortId(jobId)}?`, text: 'Its result and its files are removed for good.', confirmLabel: 'Delete the job' },
    );
    if (!confirmed) return;
    try {
      await api.deleteJob(jobId);
    } catch (err) {
      if (err.status !== 401) replace(message, errorPanel(err));
      return;
    }
    if (running) {
      replace(message, h('p', { class: 'notice notice-ok', role: 'status' }, 'Cancellation asked; the job stops at its next stage.'));
      poll.now();
    } else {
      navigate('/jobs');
    }
  }

  async function compareOptions(select) {
    try {
      const page = await api.listJobs({ status: 'COMPLETED', limit: 50 });
      const others = page.items.filter((j) => j.job_id !== jobId);
      replace(
        select,
        h('option', { value: '' }, others.length ? 'Choose a completed job…' : 'No other completed job'),
        others.map((j) => h('option', { value: j.job_id }, `${jobLabel(j)} · ${shortId(j.job_id)} · ${when(j.created_at)} · ${money(j.result && j.result.estimate ? j.result.estimate.totalMonthlyCost : null)}`)),
      );
    } catch {
      replace(select, h('option', { value: '' }, 'Could not list the jobs'));
    }
  }

  function drawActions() {
    const running = !api.TERMINAL.has(job.status);
    const items = [
      h('button', { type: 'button', class: ['button', running ? 'button-warning' : 'button-danger'], 'data-action': running ? 'cancel' : 'delete', onclick: cancelOrDelete }, running ? 'Cancel the job' : 'Delete the job'),
    ];
    if (job.status === 'COMPLETED') {
      const group = h('div', { class: 'downloads', role: 'group', 'aria-label': 'Download the report' }, h('span', { class: 'group-label' }, 'Report:'));
      for (const r of REPORTS) {
        const button = h('button', { type: 'button', class: 'button', 'data-report': r.format }, r.label);
        button.addEventListener('click', () => download(r.format, r.ext, button));
        group.appendChild(button);
      }
      items.push(group);
      const select = h('select', { id: newId('cmp'), 'data-role': 'compare-with' }, h('option', { value: '' }, 'Loading…'));
      compareOptions(select);
      items.push(
        h(
          'form',
          {
            class: 'compare-form',
            onsubmit: (event) => {
              event.preventDefault();
              if (select.value) navigate(`/compare/${select.value}/${jobId}`);
            },
          },
          h('label', { for: select.id }, 'Compare with'),
          select,
          h('button', { type: 'submit', class: 'button' }, 'Compare'),
        ),
      );
    }
    replace(actions, items);
  }

  function drawMeta() {
    replace(
      statusLine,
      badge(job.status),
      job.attempts ? h('span', { class: 'hint' }, ` attempt${job.attempts === 1 ? '' : 's'}: ${job.attempts}`) : null,
    );
    replace(
      metaBox,
      meta([
        ['Job id', h('code', { 'data-role': 'job-id' }, job.job_id)],
        ['Status', job.status],
        ['Attempts', String(job.attempts)],
        ['Created', h('time', { datetime: job.created_at }, when(job.created_at))],
        ['Started', job.started_at ? h('time', { datetime: job.started_at }, when(job.started_at)) : '—'],
        ['Finished', job.finished_at ? h('time', { datetime: job.finished_at }, when(job.finished_at)) : '—'],
        ['Updated', h('time', { datetime: job.updated_at }, when(job.updated_at))],
        ...optionsList(job, url),
      ]),
    );
  }

  function drawBody() {
    for (const chart of charts.splice(0)) if (chart.stop) chart.stop();
    if (job.status === 'COMPLETED') {
      const parts = resultView(job, readEstimate(job), { url });
      for (const el of parts) for (const chart of el.querySelectorAll ? el.querySelectorAll('figure.chart') : []) charts.push(chart);
      replace(body, parts);
      return;
    }
    if (job.status === 'FAILED') {
      const error = job.error || { code: 'unknown', message: '' };
      replace(
        body,
        h(
          'section',
          { class: 'notice notice-error failure', 'aria-labelledby': 'failure-title', 'data-role': 'failure' },
          h('h2', { id: 'failure-title' }, 'The estimate failed'),
          h('p', { class: 'failure-words' }, failureInWords(error.code)),
          meta([
            ['Error code', h('code', { 'data-role': 'error-code' }, error.code)],
            ['Message', h('span', { 'data-role': 'error-message' }, error.message)],
          ]),
          h('p', {}, 'Fix what it names and ', h('a', { href: url('/') }, 'start a new estimate'), '.'),
        ),
      );
      return;
    }
    if (job.status === 'CANCELLED') {
      replace(body, h('p', { class: 'notice', 'data-role': 'cancelled' }, 'This job was cancelled: it will not be estimated.'));
      return;
    }
    const waiting = job.status === 'PENDING' ? 'Waiting for a worker to take the job…' : 'Estimating… this page follows the job until it finishes.';
    replace(
      body,
      h(
        'div',
        { class: 'notice notice-progress', 'data-role': 'progress' },
        h('p', {}, h('span', { class: 'spinner', 'aria-hidden': 'true' }), waiting),
        job.error ? h('p', { class: 'hint' }, `The previous attempt ended with ${job.error.code}: ${job.error.message}. It is being retried.`) : null,
      ),
    );
  }

  const poll = poller(
    async () => {
      try {
        job = await api.getJob(jobId);
      } catch (err) {
        if (!job || err.status === 404) {
          replace(body, errorPanel(err, { actions: [h('button', { type: 'button', class: 'button', 'data-action': 'retry', onclick: () => poll.now() }, 'Retry'), h('a', { class: 'button', href: url('/jobs') }, 'All jobs')] }));
          replace(actions);
          replace(metaBox);
          replace(statusLine);
          if (err.status === 404) return false;
        } else if (err.status !== 401) {
          // Keep what is shown, say that it may be stale, and go on trying.
          pollError = true;
          replace(message, errorPanel(err, { actions: [h('button', { type: 'button', class: 'button', 'data-action': 'retry', onclick: () => poll.now() }, 'Retry now')] }));
        }
        throw err;
      }
      if (pollError) {
        pollError = false;
        replace(message);
      }
      heading.textContent = jobLabel(job);
      fetchUploadName(job.upload_id, (name) => {
        heading.textContent = name;
      });
      document.title = `${job.status} · ${heading.textContent} · tfquote`;
      // Redrawn only when something moved: the status line is a live region, and a
      // screen reader would otherwise hear the same status every second.
      const seen = JSON.stringify([job.status, job.attempts, job.updated_at, job.error]);
      if (seen !== shownState) {
        shownState = seen;
        drawMeta();
        if (job.status !== shownStatus) {
          shownStatus = job.status;
          drawActions();
        }
        drawBody();
      }
      return api.TERMINAL.has(job.status) ? false : 1000;
    },
    { interval: 1000 },
  );
  poll.start();

  return {
    unmount() {
      poll.stop();
      for (const chart of charts) if (chart.stop) chart.stop();
    },
    onToken() {
      shownStatus = null;
      shownState = null;
      poll.now();
    },
  };
}

export { section, card };
