import { call } from '../api.js';
import { h } from '../dom.js';

/**
 * The sign-in form: a console token (read or write) and, for a shared token, the operator's name
 * (the audit records it).
 * @param {HTMLElement} main
 * @param {(principal: any) => void} onSignedIn
 */
export function signInView(main, onSignedIn) {
  const message = h('p', { id: 'sign-in-message', class: 'message', role: 'alert' });
  const token = h('input', {
    id: 'token',
    name: 'token',
    type: 'password',
    required: true,
    autocomplete: 'current-password',
    'aria-describedby': 'token-help',
  });
  const operator = h('input', {
    id: 'operator',
    name: 'operator',
    type: 'text',
    autocomplete: 'name',
    maxlength: '80',
    'aria-describedby': 'operator-help',
  });
  const form = h(
    'form',
    {
      class: 'card narrow',
      'aria-labelledby': 'sign-in-title',
      onsubmit: async (/** @type {SubmitEvent} */ e) => {
        e.preventDefault();
        message.textContent = '';
        const name = /** @type {HTMLInputElement} */ (operator).value;
        const r = await call('POST', '/api/session', {
          token: /** @type {HTMLInputElement} */ (token).value,
          ...(name ? { operator: name } : {}),
        });
        if (r.status === 200) onSignedIn(r.body.principal);
        else {
          message.textContent = r.body?.error?.message ?? `sign-in failed (${r.status})`;
          /** @type {HTMLInputElement} */ (token).focus();
        }
      },
    },
    h('h1', { id: 'sign-in-title' }, 'Sign in'),
    h(
      'p',
      null,
      'A read token shows everything and changes nothing; a write token also pauses, redrives, purges, replays and rebuilds. Every write is recorded with your name.',
    ),
    h('div', { class: 'field' }, h('label', { for: 'token' }, 'Console token'), token),
    h(
      'p',
      { id: 'token-help', class: 'help' },
      'FLEET_CONSOLE_READ_TOKEN or FLEET_CONSOLE_WRITE_TOKEN of this console.',
    ),
    h('div', { class: 'field' }, h('label', { for: 'operator' }, 'Your name'), operator),
    h(
      'p',
      { id: 'operator-help', class: 'help' },
      'Recorded with what you do when the token is shared; a personal token (name=token) names you itself.',
    ),
    h('button', { type: 'submit', class: 'primary' }, 'Sign in'),
    message,
  );
  main.append(form);
  return {};
}
