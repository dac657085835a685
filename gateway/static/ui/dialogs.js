// Modal dialogs (<dialog> with showModal: the browser traps focus inside, Escape closes
// it, and focus returns where it was): the confirmation before cancelling or deleting a
// job, and the token prompt. A modal keeps the page under it as it was, so a half-filled
// estimate form survives a sign-in.

import { h, newId } from './dom.js';
import * as api from './api.js';

/** Asks before a destructive action; resolves true only when confirmed. */
export function confirmDialog({ title, text, confirmLabel, danger = true }) {
  return new Promise((resolve) => {
    const titleId = newId('dlg');
    const textId = newId('dlg');
    const yes = h('button', { type: 'button', class: ['button', danger ? 'button-danger' : 'button-primary'], 'data-confirm': 'yes' }, confirmLabel);
    const no = h('button', { type: 'button', class: 'button', 'data-confirm': 'no' }, 'Keep it');
    const dialog = h(
      'dialog',
      { class: 'dialog', 'aria-labelledby': titleId, 'aria-describedby': textId },
      h('h2', { id: titleId }, title),
      h('p', { id: textId }, text),
      h('div', { class: 'button-row' }, no, yes),
    );
    let answered = false;
    const finish = (value) => {
      if (answered) return;
      answered = true;
      dialog.close();
      dialog.remove();
      resolve(value);
    };
    yes.addEventListener('click', () => finish(true));
    no.addEventListener('click', () => finish(false));
    dialog.addEventListener('close', () => finish(false));
    document.body.appendChild(dialog);
    dialog.showModal();
    no.focus(); // the safe choice has the focus: Enter does not delete by accident
  });
}

let tokenDialog = null;

/**
 * The token prompt. `reason` is the API's 401 message. The token is checked against the
 * API (GET /limits) before the dialog closes, so a wrong token is refused right here with
 * the API's message. Resolves true when a token was accepted.
 */
export function askForToken(reason) {
  if (tokenDialog) {
    tokenDialog.setReason(reason);
    return tokenDialog.promise;
  }
  const titleId = newId('dlg');
  const input = h('input', {
    type: 'password', id: newId('token'), name: 'token', autocomplete: 'off', spellcheck: 'false',
    autocapitalize: 'off', required: true, class: 'input-wide',
  });
  const reasonEl = h('p', { class: 'notice notice-warning', role: 'alert' });
  const errorEl = h('p', { class: 'field-error', role: 'alert', hidden: true });
  const submit = h('button', { type: 'submit', class: 'button button-primary' }, 'Use this token');
  const cancel = h('button', { type: 'button', class: 'button' }, 'Cancel');
  const form = h(
    'form',
    { method: 'dialog', novalidate: true },
    h('h2', { id: titleId }, 'Sign in with a token'),
    reasonEl,
    h('p', {}, 'This tfquote server needs a bearer token (a JWT) for its API. Paste the token you were given; it is kept in this browser tab only (sessionStorage) and sent only to this server.'),
    h('label', { for: input.id }, 'Bearer token'),
    input,
    errorEl,
    h('p', { class: 'hint' }, 'Running tfquote yourself? Make one with: JWT_SECRET=… python -m gateway token --sub you'),
    h('div', { class: 'button-row' }, cancel, submit),
  );
  const dialog = h('dialog', { class: 'dialog dialog-token', 'aria-labelledby': titleId, id: 'token-dialog' }, form);
  let settle;
  const promise = new Promise((resolve) => {
    settle = resolve;
  });
  const done = (value) => {
    tokenDialog = null;
    if (dialog.open) dialog.close();
    dialog.remove();
    settle(value);
  };
  const setReason = (text) => {
    reasonEl.textContent = text || 'This server needs a token.';
  };
  setReason(reason);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const value = input.value.trim().replace(/^Bearer\s+/i, '');
    if (!value) {
      errorEl.textContent = 'Paste a token first.';
      errorEl.hidden = false;
      input.focus();
      return;
    }
    submit.disabled = true;
    errorEl.hidden = true;
    try {
      sessionStorage.setItem('tfquote.token', value);
      await api.getLimits();
      done(true);
      api.setToken(value);
    } catch (err) {
      errorEl.textContent = err.status === 401 ? `The API refused this token: ${err.message}.` : `Could not check the token: ${err.message}.`;
      errorEl.hidden = false;
      input.setAttribute('aria-invalid', 'true');
      input.focus();
      input.select();
    } finally {
      submit.disabled = false;
    }
  });
  cancel.addEventListener('click', () => done(false));
  dialog.addEventListener('cancel', () => done(false));
  document.body.appendChild(dialog);
  dialog.showModal();
  input.focus();
  tokenDialog = { promise, setReason };
  return promise;
}

export function tokenDialogOpen() {
  return tokenDialog !== null;
}
