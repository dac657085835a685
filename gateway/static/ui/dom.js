// DOM building for the tfquote page: elements are made with createElement and text
// nodes only, never from HTML strings. The page's CSP requires Trusted Types with no
// policy, so innerHTML with a string would throw; and API data (resource names, error
// messages) can then never become markup.

const SVG_NS = 'http://www.w3.org/2000/svg';

function append(parent, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else if (child instanceof Node) parent.appendChild(child);
    else parent.appendChild(document.createTextNode(String(child)));
  }
}

function setProps(el, props) {
  for (const [key, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') el.setAttribute('class', Array.isArray(value) ? value.filter(Boolean).join(' ') : value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'value' || key === 'checked' || key === 'selected' || key === 'disabled' || key === 'hidden') el[key] = value;
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
}

/** h('button', {type: 'button', onclick: fn}, 'Text') -> an HTML element. */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  setProps(el, props);
  append(el, children);
  return el;
}

/** The same for SVG elements (attributes only: presentation attributes, never style). */
export function s(tag, props, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  setProps(el, props);
  append(el, children);
  return el;
}

/** A table cell whose content is one block: on a phone the cell becomes a two-column
 * grid, its column name (data-label, drawn by CSS) beside that block. */
export function td(props, ...children) {
  return h('td', props, h('div', { class: 'cell' }, ...children));
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

export function replace(el, ...children) {
  clear(el);
  append(el, children);
  return el;
}

let uid = 0;
/** A page-unique id for label / aria-describedby pairs. */
export function newId(prefix = 'id') {
  uid += 1;
  return `${prefix}-${uid}`;
}

/** A labelled form field: the label, the control, an optional hint and an error slot
 * (role=alert) wired with aria-describedby, so screen readers read both. */
export function field(label, control, { hint, className } = {}) {
  if (!control.id) control.id = newId('field');
  const hintEl = hint ? h('p', { class: 'hint', id: newId('hint') }, hint) : null;
  const errorEl = h('p', { class: 'field-error', id: newId('err'), hidden: true });
  const described = [hintEl && hintEl.id, errorEl.id].filter(Boolean).join(' ');
  control.setAttribute('aria-describedby', described);
  const wrap = h('div', { class: ['field', className] }, h('label', { for: control.id }, label), control, hintEl, errorEl);
  wrap.setError = (message) => {
    errorEl.textContent = message || '';
    errorEl.hidden = !message;
    if (message) control.setAttribute('aria-invalid', 'true');
    else control.removeAttribute('aria-invalid');
  };
  return wrap;
}

/** Formats a byte count for people: 1.5 MB (decimal) and, for limits, MiB. */
export function bytes(n) {
  if (n === null || n === undefined) return '';
  if (n < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = n;
  let unit = -1;
  do {
    value /= 1000;
    unit += 1;
  } while (value >= 1000 && unit < units.length - 1);
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

export function mebibytes(n) {
  const value = n / (1024 * 1024);
  return `${Number.isInteger(value) ? value : value.toFixed(1)} MiB`;
}

/** A timestamp of the API (ISO 8601, UTC) in the reader's locale, with the zone. */
export function when(iso) {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString(undefined, {
    year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit',
  });
}

export function shortId(id) {
  return String(id || '').slice(0, 8);
}

/** Status badge: the word is always written (colour is never the only signal). */
export function badge(status) {
  const value = String(status || 'UNKNOWN');
  return h('span', { class: ['badge', `badge-${value.toLowerCase()}`], 'data-status': value }, value);
}
