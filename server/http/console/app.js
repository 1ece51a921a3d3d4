// The Rampart web console: plain JavaScript, no build step, no external
// resources. It talks to rampartd's HTTP API: every unary gRPC method is
// POST /rampart.v1.<Service>/<Method> with the request in protobuf's JSON
// mapping, and the token as "Authorization: Bearer ...". Responses leave out
// fields at their default, so every read below supplies the default itself.
'use strict';

// ---------------------------------------------------------------------------
// Small helpers

const $ = (id) => document.getElementById(id);

// h('td', {class: 'x', dataset: {key: 'k'}}, 'text', childNode...): builds an
// element; strings become text nodes (never HTML).
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'dataset') Object.assign(el.dataset, value);
    else if (name.startsWith('on')) el.addEventListener(name.slice(2), value);
    else el.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

function fill(tbody, rows, columns, emptyText) {
  tbody.replaceChildren(...(rows.length ? rows
    : [h('tr', {class: 'empty'}, h('td', {colspan: columns}, emptyText))]));
}

const pad = (n) => String(n).padStart(2, '0');
const plural = (n, one, many = `${one}s`) => `${n} ${Number(n) === 1 ? one : many}`;
const enumLabel = (value, prefix) => (value || `${prefix}UNSPECIFIED`).replace(prefix, '');

// "2026-12-24 15:00" in the browser's zone; the element's title has UTC.
function fmtTime(iso) {
  if (!iso) return '–';
  const d = new Date(iso);
  if (isNaN(d)) return iso;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
         `${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
function timeEl(iso) {
  return h('time', {datetime: iso || '', title: iso ? new Date(iso).toISOString() : ''}, fmtTime(iso));
}
// A datetime-local input's value as an RFC 3339 instant (or undefined).
const inputInstant = (value) => (value ? new Date(value).toISOString() : undefined);
function toInputValue(iso) {
  const d = new Date(iso);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

// A FlagValue as the CLI prints it: true, "text", 25, {"json": 1}; unset: –.
function fmtValue(v) {
  if (!v) return '–';
  if ('boolValue' in v) return String(v.boolValue);
  if ('stringValue' in v) return `"${v.stringValue}"`;
  if ('intValue' in v) return String(v.intValue);
  if ('doubleValue' in v) return String(v.doubleValue);
  if ('jsonValue' in v) return v.jsonValue;
  return '–';
}

function fmtDuration(d) {  // protobuf Duration JSON: "172800s"
  const s = parseFloat(d);
  if (!s) return d;
  if (s % 86400 === 0) return `${s / 86400} d`;
  if (s % 3600 === 0) return `${s / 3600} h`;
  return `${Math.round(s / 60)} min`;
}

// ---------------------------------------------------------------------------
// The API

class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function call(method, body) {
  const headers = {'Content-Type': 'application/json'};
  if (state.token) headers.Authorization = `Bearer ${state.token}`;
  let resp;
  try {
    resp = await fetch(`/rampart.v1.${method}`, {method: 'POST', headers, body: JSON.stringify(body || {})});
  } catch (e) {
    throw new ApiError(0, 'unavailable', `cannot reach rampartd: ${e.message}`);
  }
  const text = await resp.text();
  let data = {};
  try { data = text ? JSON.parse(text) : {}; } catch (e) { data = {message: text}; }
  if (!resp.ok) {
    const err = new ApiError(resp.status, data.code || `http_${resp.status}`, data.message || resp.statusText);
    if (resp.status === 401 && method !== 'TokenService/WhoAmI') signOut(`Signed out: ${err.message}`);
    throw err;
  }
  return data;
}

// Reads every page of a paged list (at most `maxPages`); returns the items
// and whether more were left.
async function callAll(method, body, field, maxPages = 20) {
  const items = [];
  let token = '';
  for (let i = 0; i < maxPages; i++) {
    const resp = await call(method, {...body, page: {pageSize: 1000, pageToken: token}});
    items.push(...(resp[field] || []));
    token = resp.nextPageToken || '';
    if (!token) return {items, more: false};
  }
  return {items, more: true};
}

function showError(err) {
  const text = err instanceof ApiError ? `${err.message} (${err.code}, HTTP ${err.status})` : String(err.message || err);
  $('error-text').textContent = text;
  $('error-banner').hidden = false;
}
function clearError() { $('error-banner').hidden = true; }
function showNotice(text) {
  $('notice-text').textContent = text;
  $('notice-banner').hidden = !text;
}

// Runs an async UI action; any failure goes to the banner.
async function guarded(fn) {
  clearError();
  try { return await fn(); } catch (e) { showError(e); return undefined; }
}

// ---------------------------------------------------------------------------
// Session and navigation

const state = {
  token: sessionStorage.getItem('rampart.token') || '',
  me: null,
  accounts: null,   // {items, more}
  flags: null,
  segments: null,
  audit: {tokens: [''], index: 0, next: ''},
};
const WRITERS = ['ROLE_RELEASE_MANAGER', 'ROLE_ADMIN'];
const canWrite = () => state.me && (!state.me.authEnabled || WRITERS.includes(state.me.role));

async function signIn(token) {
  state.token = token;
  try {
    state.me = await call('TokenService/WhoAmI', {});
  } catch (e) {
    state.token = '';
    state.me = null;
    throw e;
  }
  if (token) sessionStorage.setItem('rampart.token', token);
  state.accounts = state.flags = state.segments = null;
  $('whoami-name').textContent = state.me.name || 'anonymous';
  // authEnabled false is left out of the JSON like every default: missing means off.
  $('whoami-role').textContent = !state.me.authEnabled ? 'auth off'
    : enumLabel(state.me.role, 'ROLE_').toLowerCase().replace('_', ' ');
  $('whoami-role').dataset.role = state.me.role || 'ROLE_UNSPECIFIED';
  $('identity').hidden = $('nav').hidden = false;
  $('sign-out').hidden = !state.me.authEnabled;
}

function signOut(message) {
  sessionStorage.removeItem('rampart.token');
  state.token = '';
  state.me = null;
  $('identity').hidden = $('nav').hidden = true;
  showNotice(message || '');
  render();
}

// Routes: #accounts[/KEY], #ramps[/FLAG], #freezes[/SEGMENT[/YYYY-MM]], #audit.
function route() {
  const [view, ...args] = location.hash.replace(/^#/, '').split('/').map(decodeURIComponent);
  return {view: ['accounts', 'ramps', 'freezes', 'audit'].includes(view) ? view : 'accounts', args};
}
const go = (...parts) => { location.hash = parts.map(encodeURIComponent).join('/'); };

async function render() {
  const {view, args} = state.me ? route() : {view: 'signin', args: []};
  for (const section of document.querySelectorAll('main > .view')) {
    section.hidden = section.id !== `view-${view}`;
  }
  for (const link of document.querySelectorAll('#nav a')) {
    if (link.dataset.view === view) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  // data-rendered tells a test (or a curious user) which route the page shows.
  const body = document.body.dataset;
  delete body.rendered;
  body.view = view;
  if (view === 'signin') { $('token-input').focus(); body.rendered = 'signin'; return; }
  document.title = `Rampart: ${view}`;
  await guarded(() => VIEWS[view](...args));
  body.rendered = location.hash || '#';
}

// ---------------------------------------------------------------------------
// Accounts: search, whois, timeline

async function loadAccounts() {
  if (!state.accounts) state.accounts = await callAll('AccountService/ListAccounts', {}, 'accounts', 10);
  return state.accounts;
}

async function searchAccounts() {
  const q = $('account-search').value.trim().toLowerCase();
  const all = await loadAccounts();
  let found = all.items.filter((a) => !q || a.key.toLowerCase().includes(q) ||
                                      (a.name || '').toLowerCase().includes(q));
  if (all.more && q && !found.length) {  // too many to hold: ask the server by key prefix
    const resp = await call('AccountService/ListAccounts', {
      where: [{attribute: 'key', op: 'OPERATOR_STARTS_WITH', values: [q]}], page: {pageSize: 100}});
    found = resp.accounts || [];
  }
  $('account-count').textContent = `${found.length} of ${all.items.length}${all.more ? '+' : ''} accounts`;
  const current = route().args[0];
  $('account-results').replaceChildren(...found.slice(0, 200).map((a) => h('li', {},
    h('a', {href: `#accounts/${encodeURIComponent(a.key)}`, class: a.key === current ? 'selected' : '',
            dataset: {testid: 'account-result', key: a.key}},
      h('strong', {}, a.key), h('span', {class: 'muted small'}, a.name || '')))));
}

async function showAccounts(key) {
  await searchAccounts();
  $('account-panel').hidden = !key;
  $('account-empty').hidden = !!key;
  if (!key) return;
  const at = inputInstant($('whois-at').value);
  const [view, history] = await Promise.all([
    call('SupportService/Whois', {account: key, at}),
    call('SupportService/History', {account: key, to: at, limit: 200}),
  ]);
  renderWhois(view);
  renderHistory(history);
}

function renderWhois(w) {
  const a = w.account || {};
  $('account-title').textContent = a.name ? `${a.name} (${a.key})` : a.key;
  const attrs = Object.entries(a.attributes || {}).map(([k, v]) => {
    const val = 'listValue' in v ? (v.listValue.values || []).join(';')
      : 'stringValue' in v ? v.stringValue : 'numberValue' in v ? v.numberValue : v.boolValue;
    return `${k}=${val}`;
  });
  $('account-meta').textContent = [a.timeZone || 'no time zone', ...attrs].join(' · ');
  const segs = (w.segments || []).length ? w.segments.join(', ') : 'none';
  $('account-state').replaceChildren(
    h('span', {}, 'Segments: ', h('strong', {}, segs), '. '),
    w.frozen
      ? h('span', {class: 'pill frozen', dataset: {testid: 'account-frozen'}},
        `Frozen by ${w.frozenBy || '?'} until `, timeEl(w.frozenUntil))
      : h('span', {class: 'pill ok'}, 'Not frozen'),
    ' ',
    h('span', {class: 'muted small'}, w.historical ? 'As it was at ' : 'As of ', timeEl(w.at),
      ` (store revision ${w.revision || 0}${w.historical ? ', from the audit log' : ''}).`));
  const rows = (w.flags || []).map((f) => {
    const error = f.errorCode && f.errorCode !== 'ERROR_CODE_UNSPECIFIED';
    return h('tr', {dataset: {testid: 'whois-row', flag: f.flagKey}},
      h('td', {}, h('a', {href: `#ramps/${encodeURIComponent(f.flagKey)}`, title: 'Open the flag\'s ramp'}, f.flagKey)),
      h('td', {class: 'value'},
        h('span', {dataset: {testid: 'whois-value'}}, error ? enumLabel(f.errorCode, 'ERROR_CODE_') : fmtValue(f.value)),
        ' ', h('span', {class: 'muted small', dataset: {testid: 'whois-variant'}}, f.variant || '')),
      h('td', {}, h('span', {class: 'badge', dataset: {testid: 'whois-reason'}}, enumLabel(f.reason, 'REASON_'))),
      h('td', {dataset: {testid: 'whois-why'}}, f.why || '–'),
      h('td', {dataset: {testid: 'whois-since'}}, f.since ? [f.sinceAtLeast ? 'at least since ' : '', timeEl(f.since)] : '–'),
      h('td', {dataset: {testid: 'whois-next'}},
        (f.next || []).length ? h('ul', {class: 'plain'}, f.next.map((n) => h('li', {}, timeEl(n.at), ' ', n.what || ''))) : '–'));
  });
  fill($('whois-table').tBodies[0], rows, 6, 'No flags.');
}

function renderHistory(resp) {
  const events = [...(resp.events || [])].reverse();
  $('history-note').textContent = resp.truncated ? 'Older events were left out.' : '';
  const rows = events.map((e) => h('tr', {dataset: {testid: 'history-row', flag: e.flagKey || ''}, class: e.held ? 'held' : ''},
    h('td', {}, timeEl(e.at)),
    h('td', {}, e.flagKey || h('em', {}, e.segmentKey ? `segment ${e.segmentKey}` : 'the account')),
    h('td', {class: 'value'},
      h('span', {dataset: {testid: 'history-value'}},
        e.flagKey ? `${fmtValue(e.before)} → ${fmtValue(e.after)}` : e.segmentKey ? (e.joinedSegment ? 'joined' : 'left') : '–'),
      e.flagKey ? h('span', {class: 'muted small'}, ` ${enumLabel(e.reason, 'REASON_')}`) : ''),
    h('td', {}, h('strong', {dataset: {testid: 'history-actor'}}, e.actor || '?'),
      h('div', {class: 'muted small'}, `${e.operation || ''} · `, timeEl(e.changedAt))),
    h('td', {}, e.changeReason || ''),
    h('td', {dataset: {testid: 'history-freeze'}},
      e.held ? h('span', {class: 'pill frozen'}, 'held by a freeze') : '',
      e.breakFreeze ? h('span', {class: 'pill danger'}, 'broke the freeze') : '')));
  fill($('history-table').tBodies[0], rows, 6, 'Nothing changed for this account.');
}

// ---------------------------------------------------------------------------
// Ramps

const STATUS_CLASS = {RUNNING: 'ok', PAUSED: 'warn', COMPLETED: 'info', ROLLED_BACK: 'danger', DRAFT: 'muted'};

async function showRamps(flagKey) {
  if (!state.flags) state.flags = (await callAll('FlagService/ListFlags', {}, 'flags')).items;
  const only = $('ramp-only').checked;
  const flags = state.flags.filter((f) => !only || (f.ramp && f.ramp.active) || f.key === flagKey);
  $('ramp-flags').replaceChildren(...flags.map((f) => h('li', {},
    h('a', {href: `#ramps/${encodeURIComponent(f.key)}`, class: f.key === flagKey ? 'selected' : '',
            dataset: {testid: 'ramp-flag', key: f.key}},
      h('strong', {}, f.key),
      f.ramp && f.ramp.active ? h('span', {class: 'badge'}, `stage ${(f.ramp.stages || []).length}`) : '',
      h('span', {class: 'muted small'}, f.name || '')))));
  if (!flags.length) $('ramp-flags').append(h('li', {class: 'muted'}, 'No flag has a started ramp.'));
  $('ramp-panel').hidden = !flagKey;
  $('ramp-empty').hidden = !!flagKey;
  if (!flagKey) return;
  let status;
  try {
    status = await call('RampService/GetRampStatus', {flagKey});
  } catch (e) {
    if (e.status !== 404) throw e;
    $('ramp-panel').hidden = true;
    $('ramp-empty').hidden = false;
    $('ramp-empty').textContent = `${flagKey} has no ramp (${e.message}).`;
    return;
  }
  const problems = await call('RampService/ListProblems', {flagKey, limit: 50});
  const flag = state.flags.find((f) => f.key === flagKey) || {};
  renderRamp(flagKey, flag, status);
  renderProblems(problems);
}

function renderRamp(flagKey, flag, view) {
  const ramp = view.ramp || {};
  const plan = ramp.plan || {};
  const stages = plan.stages || [];
  const status = enumLabel(ramp.status, 'RAMP_STATUS_');
  $('ramp-title').textContent = flagKey;
  $('ramp-subtitle').textContent = [flag.name, ramp.template && `template ${ramp.template}`,
    (plan.protectedSegments || []).length && `protected: ${plan.protectedSegments.join(', ')}`]
    .filter(Boolean).join(' · ');
  $('ramp-status').textContent = status.replace('_', ' ').toLowerCase();
  $('ramp-status').className = `status ${STATUS_CLASS[status] || ''}`;
  $('ramp-status').dataset.status = ramp.status || 'RAMP_STATUS_UNSPECIFIED';

  const next = view.nextStage ? stages[view.nextStage - 1] || {} : null;
  const items = [
    ['Serves', `${plural(view.served || 0, 'account')} now`],
    ['Current stage', ramp.currentStage ? `${ramp.currentStage} "${stages[ramp.currentStage - 1]?.name || ''}"` : 'none'],
    ['Next step', next ? [`stage ${view.nextStage} "${next.name || ''}" `, view.nextAt ? ['not before ', timeEl(view.nextAt)] : 'by hand'] : 'none'],
  ];
  if ((view.blockedBy || []).length) items.push(['Held by', h('span', {class: 'pill warn', dataset: {testid: 'ramp-blocked'}}, view.blockedBy.join('; '))]);
  if (ramp.pending) items.push(['Awaits approval', [`stage ${ramp.pending.stage}, asked by ${ramp.pending.requestedBy} at `, timeEl(ramp.pending.requestedAt)]]);
  if ((ramp.approvals || []).length) items.push(['Approvals', ramp.approvals.map((a) => a.actor).join(', ')]);
  if (ramp.pausedAt) items.push(['Paused', h('span', {dataset: {testid: 'ramp-paused'}}, timeEl(ramp.pausedAt), ` by ${ramp.pausedBy || '?'}: ${ramp.pausedReason || ''}`)]);
  $('ramp-summary').replaceChildren(...items.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));

  renderRampActions(flagKey, ramp, stages);

  const entered = new Map((ramp.entered || []).map((e) => [e.stage, e]));
  const byNumber = new Map((view.stages || []).map((s) => [s.stage, s]));
  $('ramp-stages').replaceChildren(...stages.map((stage, i) => {
    const n = i + 1;
    const s = byNumber.get(n) || {};
    const e = entered.get(n);
    const aud = stage.audience || {};
    let size = s.size || (stage.all ? 'all' : stage.count ? String(stage.count)
      : stage.percentThousandths ? `${stage.percentThousandths / 1000}%` : '?');
    if (/^\d+$/.test(size)) size = plural(size, 'account');
    const audience = [
      (aud.segments || []).length ? `segment ${aud.segments.join(' or ')}` : 'everyone',
      aud.betaEnrolled && 'beta-enrolled only',
      (aud.excludedSegments || []).length && `not ${aud.excludedSegments.join(', ')}`,
    ].filter(Boolean).join(', ');
    let when;
    if (s.entered || e) when = ['entered ', timeEl(s.startedAt || e?.startedAt), e?.actor ? ` by ${e.actor}` : ''];
    else if (n === view.nextStage) when = view.nextAt ? ['planned ', timeEl(view.nextAt)] : 'next, by hand';
    else {
      const prev = stages[i - 1]?.advance || {};
      when = prev.at ? ['planned ', timeEl(prev.at)] : prev.after ? `${fmtDuration(prev.after)} after stage ${n - 1}` : 'by hand';
    }
    const gates = [stage.requiresApproval && 'leaving it needs an approval',
      stage.maxProblemReports !== undefined && `held above ${stage.maxProblemReports} problem reports`,
      stage.waitWhileFrozen && 'waits while frozen'].filter(Boolean);
    return h('li', {class: `stage ${s.current ? 'current' : s.entered ? 'entered' : 'ahead'}`,
                    dataset: {testid: 'ramp-stage', stage: n, current: s.current ? 'true' : 'false'},
                    'aria-current': s.current ? 'step' : false},
      h('div', {class: 'stage-num'}, n),
      h('div', {class: 'stage-body'},
        h('div', {}, h('strong', {}, stage.name || `stage ${n}`), ' ', h('span', {class: 'badge'}, size),
          s.current ? h('span', {class: 'badge current'}, 'current') : ''),
        h('div', {class: 'muted small'}, audience),
        h('div', {class: 'small'}, when),
        h('div', {class: 'small'}, `${plural(s.accounts || 0, 'account')} served · ${plural(s.problemReports || 0, 'problem report')}`,
          gates.length ? h('span', {class: 'muted'}, ` · ${gates.join(' · ')}`) : '')));
  }));
}

function renderRampActions(flagKey, ramp, stages) {
  const box = $('ramp-actions');
  box.replaceChildren();
  const writer = canWrite();
  $('ramp-readonly').hidden = writer;
  $('ramp-readonly').textContent = writer ? '' : `Read only: the role ${$('whoami-role').textContent} cannot change ramps.`;
  if (!writer) return;
  const status = ramp.status || 'RAMP_STATUS_UNSPECIFIED';
  const active = ['RAMP_STATUS_RUNNING', 'RAMP_STATUS_PAUSED'].includes(status);
  const current = ramp.currentStage || 0;
  const button = (id, label, enabled, action, cls) => h('button', {
    type: 'button', id, class: cls, disabled: !enabled, dataset: {testid: id},
    onclick: () => action()}, label);
  const run = (title, text, method, extra, build) => () => askReason(title, text, extra, async (meta, form) => {
    const resp = await call(`RampService/${method}`, {meta, flagKey, ...(build ? build(form) : {})});
    // A StepResponse (advance, approve) leaves out `stepped` when false.
    if (['AdvanceRamp', 'ApproveRamp'].includes(method) && !resp.stepped) showNotice(resp.message || 'The step waits.');
    else showNotice(`${title}: done.`);
    state.flags = null;
    await showRamps(flagKey);
  });
  box.append(
    ['RAMP_STATUS_DRAFT', 'RAMP_STATUS_ROLLED_BACK'].includes(status)
      ? button('ramp-start', 'Start', true, run('Start the ramp', 'Enters stage 1.', 'StartRamp')) : '',
    button('ramp-pause', 'Pause', status === 'RAMP_STATUS_RUNNING',
      run('Pause the ramp', 'It keeps serving its current stage and never advances by itself.', 'PauseRamp')),
    button('ramp-resume', 'Resume', status === 'RAMP_STATUS_PAUSED',
      run('Resume the ramp', 'It advances again as its stages say.', 'ResumeRamp')),
    button('ramp-advance', 'Advance', active && current < stages.length,
      run('Advance to the next stage', `Steps into stage ${current + 1} "${stages[current]?.name || ''}" now, unless it needs an approval or a gate holds it.`,
        'AdvanceRamp', [h('label', {class: 'check'}, h('input', {type: 'checkbox', name: 'force', id: 'action-force'}),
          ' force: step even while a problem gate holds')],
        (form) => ({force: form.elements.force.checked})), 'primary'),
    ramp.pending ? button('ramp-approve', 'Approve', active,
      run('Approve the pending step', `Stage ${ramp.pending.stage}, asked by ${ramp.pending.requestedBy}.`, 'ApproveRamp')) : '',
    button('ramp-rollback', 'Roll back', current > 0,
      run('Roll back', 'Returns at once to an earlier stage (or off); the ramp is then paused.', 'RollbackRamp',
        [h('label', {for: 'action-to-stage'}, 'Back to'),
          h('select', {id: 'action-to-stage', name: 'toStage', dataset: {testid: 'action-to-stage'}},
            [h('option', {value: 0}, 'off (serve nobody)'),
              ...stages.slice(0, Math.max(current - 1, 0)).map((s, i) => h('option', {value: i + 1, selected: i + 2 === current},
                `stage ${i + 1} "${s.name || ''}"`))]),
          h('label', {class: 'check'}, h('input', {type: 'checkbox', name: 'breakFreeze', id: 'action-break-freeze'}),
            ' break the freeze: reach frozen accounts at once')],
        (form) => ({toStage: Number(form.elements.toStage.value)})), 'danger'),
  );
}

function renderProblems(resp) {
  const reports = resp.reports || [];
  $('problems-total').textContent = `(${resp.total || 0} in all${reports.length < (resp.total || 0) ? `, newest ${reports.length} shown` : ''})`;
  fill($('problems-table').tBodies[0], reports.map((p) => h('tr', {dataset: {testid: 'problem-row'}},
    h('td', {}, timeEl(p.reportedAt)), h('td', {}, p.accountKey || ''), h('td', {}, p.userKey || ''),
    h('td', {}, p.stage || '–'), h('td', {}, p.reporter || ''), h('td', {}, p.text || ''))), 6, 'No problem reports.');
}

// The reason dialog: calls `action(meta, form)` with the reason; on failure
// it stays open and shows the server's message in the banner.
function askReason(title, text, extra, action) {
  const dialog = $('action-dialog');
  $('action-title').textContent = title;
  $('action-text').textContent = text;
  $('action-extra').replaceChildren(...(extra || []));
  $('action-reason').value = '';
  $('action-confirm').disabled = false;
  dialog.onsubmit = async (ev) => {
    ev.preventDefault();
    const reason = $('action-reason').value.trim();
    if (!reason) { $('action-reason').focus(); return; }
    const form = $('action-form');
    const meta = {reason};
    if (form.elements.breakFreeze?.checked) meta.breakFreeze = true;
    $('action-confirm').disabled = true;
    const ok = await guarded(async () => { await action(meta, form); return true; });
    $('action-confirm').disabled = false;
    if (ok) dialog.close();
  };
  dialog.showModal();
  $('action-reason').focus();
}

// ---------------------------------------------------------------------------
// Freezes: a segment's windows as a month grid

const thisMonth = () => { const d = new Date(); return `${d.getFullYear()}-${pad(d.getMonth() + 1)}`; };
function shiftMonth(month, by) {
  const [y, m] = month.split('-').map(Number);
  const d = new Date(Date.UTC(y, m - 1 + by, 1));
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}`;
}
// "2026-11-24 15:00" -> {day: "2026-11-24", min: 900}; a local day as a UTC
// date makes day arithmetic free of the browser's zone.
function parseLocal(text) {
  const [day, time = '00:00'] = (text || '').split(/[ T]/);
  const [hh, mm] = time.split(':').map(Number);
  return {day, min: hh * 60 + (mm || 0)};
}
const dayAfter = (day) => new Date(Date.parse(`${day}T00:00:00Z`) + 86400000).toISOString().slice(0, 10);

// The frozen minutes of each local day a window covers: {day: [[from, to]]}.
function spansByDay(w) {
  const out = {};
  const start = parseLocal(w.localStart), end = parseLocal(w.localEnd);
  for (let day = start.day, guard = 0; day <= end.day && guard < 400; day = dayAfter(day), guard++) {
    const from = day === start.day ? start.min : 0;
    const to = day === end.day ? end.min : 1440;
    if (to > from) out[day] = [from, to];
  }
  return out;
}
const hhmm = (min) => `${pad(Math.floor(min / 60))}:${pad(min % 60)}`;

async function showFreezes(segment, month) {
  if (!state.segments) state.segments = (await callAll('SegmentService/ListSegments', {}, 'segments')).items;
  const select = $('freeze-segment');
  if (!segment) segment = select.value || (state.segments[0] || {}).key;
  month = month && /^\d{4}-\d{2}$/.test(month) ? month : ($('freeze-month').value || thisMonth());
  select.replaceChildren(...state.segments.map((s) => h('option', {value: s.key, selected: s.key === segment},
    s.name ? `${s.key} — ${s.name}` : s.key)));
  $('freeze-month').value = month;
  if (!segment) return;
  const [y, m] = month.split('-').map(Number);
  const first = `${month}-01`;
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  const last = `${month}-${pad(days)}`;
  // A UTC range wide enough for any zone's month; days are clipped below.
  const from = new Date(Date.UTC(y, m - 1, 1) - 86400000).toISOString();
  const to = new Date(Date.UTC(y, m, 1) + 2 * 86400000).toISOString();
  const [windows, calendars] = await Promise.all([
    call('FreezeService/ListFreezeWindows', {segment, from, to}),
    call('FreezeService/ListFreezeCalendars', {segment}),
  ]);
  const inMonth = (day) => day >= first && day <= last;
  const list = (windows.windows || []).filter((w) => Object.keys(spansByDay(w)).some(inMonth));
  const cals = calendars.calendars || [];
  $('freeze-calendars').textContent = cals.length
    ? `Calendars: ${cals.map((c) => `${c.key}${c.global ? ' (every account)' : ''} in ${c.timeZone}${c.description ? `: ${c.description}` : ''}`).join('; ')}`
    : 'No freeze calendar applies to this segment.';
  const monthName = new Date(Date.UTC(y, m - 1, 1)).toLocaleString('en', {month: 'long', year: 'numeric', timeZone: 'UTC'});
  $('freeze-title').textContent = `${segment}: ${monthName}`;

  const byDay = {};
  for (const w of list) {
    for (const [day, span] of Object.entries(spansByDay(w))) (byDay[day] ||= []).push({w, span});
  }
  const weekday = (new Date(Date.UTC(y, m - 1, 1)).getUTCDay() + 6) % 7;  // Monday = 0
  const cells = [];
  for (let i = 0; i < weekday; i++) cells.push(h('td', {class: 'pad'}));
  for (let d = 1; d <= days; d++) {
    const day = `${month}-${pad(d)}`;
    const hits = byDay[day] || [];
    const title = hits.map(({w, span}) => `${w.calendar}/${w.rule}: frozen ${hhmm(span[0])}–${hhmm(span[1])} ` +
      `(window ${w.localStart} – ${w.localEnd}, ${w.timeZone || 'UTC'}${(w.accounts || []).length ? `; only ${w.accounts.join(', ')}` : ''})`).join('\n');
    const minutes = hits.reduce((sum, {span}) => sum + span[1] - span[0], 0);
    cells.push(h('td', {class: hits.length ? 'day frozen' : 'day', title: title || 'not frozen',
                        dataset: {testid: 'freeze-day', date: day, frozen: hits.length ? 'true' : 'false'}},
      h('div', {class: 'daynum'}, d),
      h('div', {class: 'bar', 'aria-hidden': 'true'}, hits.map(({span}) => h('span', {
        style: `left:${(span[0] / 1440) * 100}%;width:${((span[1] - span[0]) / 1440) * 100}%`}))),
      hits.length ? h('div', {class: 'small'}, minutes >= 1440 ? 'all day' : `${hhmm(hits[0].span[0])}–${hhmm(hits[hits.length - 1].span[1])}`) : '',
      hits.length ? h('span', {class: 'sr-only'}, title) : ''));
  }
  while (cells.length % 7) cells.push(h('td', {class: 'pad'}));
  const rows = [];
  for (let i = 0; i < cells.length; i += 7) rows.push(h('tr', {}, cells.slice(i, i + 7)));
  $('freeze-grid').tBodies[0].replaceChildren(...rows);
  fill($('freeze-windows').tBodies[0], list.map((w) => h('tr', {dataset: {testid: 'freeze-window'}},
    h('td', {}, `${w.calendar} / ${w.rule}`), h('td', {title: w.start}, w.localStart), h('td', {title: w.end}, w.localEnd),
    h('td', {}, w.timeZone || 'UTC'), h('td', {}, (w.accounts || []).join(', ') || 'all'))), 5, 'No freeze windows this month.');
}

// ---------------------------------------------------------------------------
// Audit

function auditRequest(pageToken) {
  const kind = $('audit-kind').value;
  return {
    kind: kind || undefined,
    objectKey: $('audit-key').value.trim() || undefined,  // without a kind: the server says so
    actor: $('audit-actor').value.trim() || undefined,
    from: inputInstant($('audit-from').value),
    to: inputInstant($('audit-to').value),
    oldestFirst: $('audit-oldest').checked || undefined,
    page: {pageSize: Number($('audit-size').value), pageToken},
  };
}

function changedFields(before, after) {
  try {
    const b = before ? JSON.parse(before) : {}, a = after ? JSON.parse(after) : {};
    return [...new Set([...Object.keys(b), ...Object.keys(a)])]
      .filter((k) => !['revision', 'updatedat', 'createdat'].includes(k.replace('_', '').toLowerCase()) &&
                     JSON.stringify(b[k]) !== JSON.stringify(a[k]));
  } catch (e) { return []; }
}
const pretty = (text) => { try { return JSON.stringify(JSON.parse(text), null, 2); } catch (e) { return text; } };

async function showAudit() {
  const a = state.audit;
  const resp = await call('AuditService/ListAudit', auditRequest(a.tokens[a.index]));
  a.next = resp.nextPageToken || '';
  const rows = (resp.entries || []).map((e) => {
    const fields = changedFields(e.beforeJson, e.afterJson);
    return h('tr', {dataset: {testid: 'audit-row', actor: e.actor || '', key: e.objectKey || '', kind: e.kind || ''}},
      h('td', {}, timeEl(e.time)),
      h('td', {dataset: {testid: 'audit-actor'}}, e.actor || ''),
      h('td', {}, e.operation || enumLabel(e.action, 'AUDIT_ACTION_').toLowerCase(),
        e.breakFreeze ? h('span', {class: 'pill danger'}, 'broke the freeze') : ''),
      h('td', {}, h('span', {class: 'muted small'}, enumLabel(e.kind, 'OBJECT_KIND_').toLowerCase().replace('_', ' '), ' '),
        e.objectKey || '',
        h('details', {}, h('summary', {class: 'small'}, fields.length ? `changed: ${fields.join(', ')}` : 'details'),
          h('div', {class: 'jsondiff'},
            h('div', {}, h('div', {class: 'muted small'}, 'before'), h('pre', {}, e.beforeJson ? pretty(e.beforeJson) : '(none)')),
            h('div', {}, h('div', {class: 'muted small'}, 'after'), h('pre', {}, e.afterJson ? pretty(e.afterJson) : '(none)'))))),
      h('td', {dataset: {testid: 'audit-reason'}}, e.reason || ''),
      h('td', {}, e.revision || ''));
  });
  fill($('audit-table').tBodies[0], rows, 6, 'No entries match.');
  $('audit-page').textContent = `page ${a.index + 1}`;
  $('audit-prev').disabled = a.index === 0;
  $('audit-first').disabled = a.index === 0;
  $('audit-next').disabled = !a.next;
}

// ---------------------------------------------------------------------------
// Wiring

const VIEWS = {accounts: showAccounts, ramps: showRamps, freezes: showFreezes, audit: showAudit};

function debounce(fn, ms) {
  let timer;
  return (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), ms); };
}

document.addEventListener('DOMContentLoaded', async () => {
  $('error-close').addEventListener('click', clearError);
  $('signin-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    showNotice('');
    const ok = await guarded(async () => { await signIn($('token-input').value.trim()); return true; });
    if (ok) { $('token-input').value = ''; render(); }
  });
  $('sign-out').addEventListener('click', () => signOut('Signed out.'));
  $('account-search').addEventListener('input', debounce(() => guarded(searchAccounts), 150));
  $('asof-form').addEventListener('submit', (ev) => { ev.preventDefault(); render(); });
  $('whois-now').addEventListener('click', () => { $('whois-at').value = ''; render(); });
  $('ramp-only').addEventListener('change', render);
  $('freeze-segment').addEventListener('change', () => go('freezes', $('freeze-segment').value, $('freeze-month').value));
  $('freeze-month').addEventListener('change', () => $('freeze-month').value && go('freezes', $('freeze-segment').value, $('freeze-month').value));
  $('freeze-prev').addEventListener('click', () => go('freezes', $('freeze-segment').value, shiftMonth($('freeze-month').value || thisMonth(), -1)));
  $('freeze-next').addEventListener('click', () => go('freezes', $('freeze-segment').value, shiftMonth($('freeze-month').value || thisMonth(), 1)));
  const audit = state.audit;
  $('audit-form').addEventListener('submit', (ev) => { ev.preventDefault(); Object.assign(audit, {tokens: [''], index: 0}); guarded(showAudit); });
  $('audit-first').addEventListener('click', () => { audit.index = 0; guarded(showAudit); });
  $('audit-prev').addEventListener('click', () => { audit.index = Math.max(0, audit.index - 1); guarded(showAudit); });
  $('audit-next').addEventListener('click', () => {
    audit.tokens[audit.index + 1] = audit.next;
    audit.tokens.length = audit.index + 2;
    audit.index++;
    guarded(showAudit);
  });
  $('action-cancel').addEventListener('click', () => $('action-dialog').close());
  window.addEventListener('hashchange', render);

  if (state.token) {
    const ok = await guarded(async () => { await signIn(state.token); return true; });
    if (!ok) sessionStorage.removeItem('rampart.token');
  } else {
    // rampartd --auth=off answers WhoAmI without a token: no sign-in then.
    try { await signIn(''); } catch (e) { /* auth is on: sign in with a token */ }
    if (state.me && state.me.authEnabled) signOut();
  }
  document.body.dataset.ready = 'true';
  render();
});
