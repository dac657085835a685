// The tfquote page: a small router over the History API. Each view has its own URL
// (/ui/, /ui/jobs, /ui/jobs/{id}, /ui/compare/{base}/{id}); the gateway answers every one
// with this same shell, so a view can be reloaded and shared. A view is
// mount(container, params, query) -> {unmount(), onToken()}; the router unmounts the old
// one (its polling stops) before mounting the next, and moves the focus to the new
// heading so keyboard and screen-reader users land on the content.

import { h, replace } from './dom.js';
import * as api from './api.js';
import { askForToken } from './dialogs.js';
import { errorPanel } from './messages.js';
import { mountEstimate } from './view-estimate.js';
import { mountJobs } from './view-jobs.js';
import { mountJob } from './view-job.js';
import { mountCompare } from './view-compare.js';

const UI_BASE = document.body.dataset.uiBase || '/ui';
const main = document.getElementById('main');
const alertBox = document.getElementById('page-alert');
const authStatus = document.getElementById('auth-status');

const ROUTES = [
  { re: /^\/?$/, mount: mountEstimate, title: 'New estimate', nav: 'estimate' },
  { re: /^\/jobs\/?$/, mount: mountJobs, title: 'Jobs', nav: 'jobs' },
  { re: /^\/jobs\/([^/]+)$/, mount: mountJob, title: 'Job', nav: 'jobs' },
  { re: /^\/compare\/([^/]+)\/([^/]+)$/, mount: mountCompare, title: 'Compare', nav: 'jobs' },
];

let current = null;

export function url(path) {
  return UI_BASE + path;
}

export function navigate(path, { replace: replaceState = false, state = null } = {}) {
  const target = path.startsWith(UI_BASE) ? path : url(path);
  if (replaceState) history.replaceState(state, '', target);
  else history.pushState(state, '', target);
  render({ focus: true });
}

function notFound(container) {
  replace(
    container,
    h('h1', { tabindex: '-1' }, 'No such page'),
    h('p', {}, 'This address is not a page of tfquote. Start a ', h('a', { href: url('/') }, 'new estimate'), ' or see the ', h('a', { href: url('/jobs') }, 'jobs'), '.'),
  );
  return { unmount() {} };
}

function render({ focus = false } = {}) {
  if (current && current.unmount) current.unmount();
  current = null;
  hideAlert();
  let path = location.pathname;
  if (path.startsWith(UI_BASE)) path = path.slice(UI_BASE.length);
  const query = new URLSearchParams(location.search);
  const route = ROUTES.find((r) => r.re.test(path));
  for (const link of document.querySelectorAll('[data-nav]')) {
    if (route && link.dataset.nav === route.nav) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  main.replaceChildren();
  const container = h('div', { class: 'view' });
  main.appendChild(container);
  if (!route) {
    document.title = 'Not found · tfquote';
    current = notFound(container);
  } else {
    document.title = `${route.title} · tfquote`;
    const params = path.match(route.re).slice(1).map(decodeURIComponent);
    current = route.mount(container, params, query, { navigate, url });
  }
  if (focus) {
    const heading = container.querySelector('h1');
    if (heading) heading.focus();
  }
}

// Same-origin links to the page's own views change the view without a page load.
document.addEventListener('click', (event) => {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const link = event.target.closest('a[href]');
  if (!link || link.target || link.hasAttribute('download')) return;
  const target = new URL(link.href, location.href);
  if (target.origin !== location.origin || !(target.pathname === UI_BASE || target.pathname.startsWith(`${UI_BASE}/`))) return;
  event.preventDefault();
  if (target.pathname + target.search !== location.pathname + location.search) {
    history.pushState(null, '', target.pathname + target.search);
  }
  render({ focus: true });
});

window.addEventListener('popstate', () => render({ focus: true }));

// --- who is signed in ---------------------------------------------------------------------

function showAuthStatus() {
  const token = api.token();
  if (token) {
    const who = api.tokenSubject(token);
    replace(
      authStatus,
      h('span', { class: 'who' }, 'Signed in', who ? [' as ', h('strong', {}, who)] : null),
      h('button', {
        type: 'button',
        class: 'button button-small',
        onclick: () => {
          api.clearToken();
          askForToken('You signed out. Paste a token to go on.');
        },
      }, 'Sign out'),
    );
  } else if (api.authRequired()) {
    replace(authStatus, h('button', { type: 'button', class: 'button button-small', onclick: () => askForToken('This server needs a token.') }, 'Sign in'));
  } else {
    replace(authStatus);
  }
}

api.on('unauthorized', (error) => {
  showAuthStatus();
  const reason = api.token() ? `The API refused the token: ${error.message}.` : `This server needs a token: the API answered "${error.message}".`;
  askForToken(reason);
});

api.on('token', () => {
  showAuthStatus();
  if (current && current.onToken) current.onToken();
  else render();
});

// --- never a blank page -------------------------------------------------------------------

function hideAlert() {
  alertBox.hidden = true;
  alertBox.replaceChildren();
}

function showPageError(error) {
  replace(
    alertBox,
    errorPanel(error instanceof Error ? error : new Error(String(error)), {
      actions: [h('button', { type: 'button', class: 'button', onclick: () => location.reload() }, 'Reload the page')],
    }),
  );
  alertBox.hidden = false;
}

window.addEventListener('error', (event) => {
  // Browsers report a benign ResizeObserver notice as an error event; it is not ours to show.
  if (!event.error && /ResizeObserver loop/.test(event.message || '')) return;
  showPageError(event.error || new Error(event.message));
});
window.addEventListener('unhandledrejection', (event) => {
  // A 401 already opened the token prompt; anything else is said at the top.
  if (event.reason && event.reason.status === 401) return;
  showPageError(event.reason);
});

showAuthStatus();
render();
