/**
 * The dashboard's wiring: the token form, the panels (graphs, jobs, one job in detail, the
 * start form), and the address: `#job=12` or `#graph=name` opens that job or graph, so a view
 * can be bookmarked and the browser's back button works.
 */
import { api, describeFailure, setToken, storedToken } from './api.js';
import { fill } from './dom.js';
import { GraphsPanel } from './graphs.js';
import { JobDetail } from './job-detail.js';
import { JobsPanel } from './jobs.js';
import { StartForm } from './start-form.js';

const byId = (id) => document.getElementById(id);
const notice = byId('notice');

function showNotice(text) {
  fill(notice, text);
  notice.hidden = text === '';
}

const graphs = new GraphsPanel({
  table: byId('graphs-table'),
  detail: byId('graph-detail'),
  onGraphs: (list) => startForm.setGraphs(list),
  onSelect: (name) => navigate({ graph: name }),
  onError: showNotice,
});
const jobs = new JobsPanel({ table: byId('jobs-table'), onSelect: (id) => navigate({ job: id }), onError: showNotice });
const detail = new JobDetail(byId('job-detail'), {
  onChange: (id, change) => {
    jobs.update(id, change);
    if (change.status) jobs.start(); // a state change: refresh the list (and its polling pace) now
  },
});
const startForm = new StartForm(byId('start-form'), { onStarted: (id) => navigate({ job: id }) });

/** `#job=12&graph=web` → { job: 12, graph: 'web' }. */
function route() {
  const params = new URLSearchParams(location.hash.slice(1));
  const job = Number(params.get('job'));
  return { job: Number.isInteger(job) && job > 0 ? job : null, graph: params.get('graph') };
}

function navigate(change) {
  const current = route();
  const next = { ...current, ...change };
  const params = new URLSearchParams();
  if (next.graph) params.set('graph', next.graph);
  if (next.job) params.set('job', String(next.job));
  location.hash = params.toString();
}

let shown = { job: undefined, graph: undefined };
function applyRoute() {
  const { job, graph } = route();
  if (job !== shown.job) {
    jobs.select(job);
    detail.show(job);
    if (job !== null) jobs.start();
  }
  if (graph !== shown.graph) graphs.select(graph);
  shown = { job, graph };
}

async function loadAll() {
  showNotice('');
  try {
    await api('/health');
  } catch (error) {
    showNotice(describeFailure(error));
  }
  await Promise.all([graphs.refresh(), startForm.loadAlgorithms()]);
  jobs.start();
  shown = { job: undefined, graph: undefined };
  applyRoute();
}

const tokenForm = byId('token-form');
tokenForm.elements.token.value = storedToken();
tokenForm.addEventListener('submit', (event) => {
  event.preventDefault();
  setToken(tokenForm.elements.token.value);
  fill(byId('token-state'), storedToken() === '' && tokenForm.elements.token.value.trim() !== '' ? 'Token set for this page.' : 'Token saved.');
  loadAll();
});
byId('token-forget').addEventListener('click', () => {
  tokenForm.elements.token.value = '';
  setToken('');
  fill(byId('token-state'), 'Token forgotten.');
  loadAll();
});
byId('graphs-refresh').addEventListener('click', () => graphs.refresh());
byId('jobs-refresh').addEventListener('click', () => jobs.start());
byId('job-close').addEventListener('click', () => navigate({ job: null }));

window.addEventListener('hashchange', applyRoute);
loadAll();
