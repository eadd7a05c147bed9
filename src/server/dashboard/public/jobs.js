/**
 * The Jobs panel: the newest jobs (GET /jobs), polled — every second while one is queued or
 * running, every few seconds otherwise — with each active job's latest progress (GET /jobs/:id,
 * as the list does not carry it). The job open in the detail view streams its events and
 * passes its progress here too, so its row moves with every step.
 */
import { api, describeFailure } from './api.js';
import { ACTIVE_STATES, fill, formatDuration, h, statusBadge } from './dom.js';

const LIST_LIMIT = 50;
const ACTIVE_POLL_MS = 1000;
const IDLE_POLL_MS = 5000;
/** Active jobs whose progress is fetched per poll (the rest show their status only). */
const PROGRESS_LOOKUPS = 8;

export class JobsPanel {
  constructor({ table, onSelect, onError }) {
    this.table = table;
    this.onSelect = onSelect;
    this.onError = onError;
    this.jobs = [];
    this.progress = new Map(); // job id → latest progress
    this.selected = null;
    this.timer = null;
  }

  /** Polls from now on (again at once when called while waiting). */
  start() {
    clearTimeout(this.timer);
    this.refresh().finally(() => {
      const active = this.jobs.some((job) => ACTIVE_STATES.includes(job.status));
      this.timer = setTimeout(() => this.start(), active ? ACTIVE_POLL_MS : IDLE_POLL_MS);
    });
  }

  async refresh() {
    try {
      this.jobs = await api(`/jobs?limit=${LIST_LIMIT}`);
      const active = this.jobs.filter((job) => ACTIVE_STATES.includes(job.status)).slice(0, PROGRESS_LOOKUPS);
      const details = await Promise.allSettled(active.map((job) => api(`/jobs/${job.id}`)));
      for (const detail of details) if (detail.status === 'fulfilled' && detail.value.progress) this.progress.set(detail.value.id, detail.value.progress);
    } catch (error) {
      this.onError(describeFailure(error));
      return;
    }
    this.render();
  }

  /** A job's state as the detail view's event stream has it, ahead of the next poll. */
  update(id, { status, progress }) {
    const job = this.jobs.find((candidate) => candidate.id === id);
    if (!job) return;
    if (status) job.status = status;
    if (progress) this.progress.set(id, progress);
    this.renderRow(job);
  }

  select(id) {
    this.selected = id;
    for (const row of this.table.tBodies[0].rows) row.setAttribute('aria-selected', String(Number(row.dataset.job) === id));
  }

  render() {
    const body = this.table.tBodies[0];
    if (this.jobs.length === 0) {
      fill(body, h('tr', {}, h('td', { colSpan: 5, className: 'empty' }, 'No jobs yet: start one with the form.')));
      return;
    }
    fill(
      body,
      this.jobs.map((job) => this.row(job)),
    );
  }

  renderRow(job) {
    const row = this.table.tBodies[0].querySelector(`tr[data-job="${job.id}"]`);
    row?.replaceWith(this.row(job));
  }

  row(job) {
    return h(
      'tr',
      { 'data-job': job.id, 'data-status': job.status, 'aria-selected': String(job.id === this.selected) },
      h(
        'th',
        { scope: 'row' },
        h('button', { type: 'button', className: 'link', onclick: () => this.onSelect(job.id), 'aria-label': `Job ${job.id}` }, `#${job.id}`),
      ),
      h('td', {}, job.algorithm),
      h('td', {}, job.graphName),
      h('td', {}, statusBadge(job.status)),
      h('td', { className: 'progress-cell' }, progressView(job, this.progress.get(job.id))),
    );
  }
}

/**
 * A job's progress: a bar with percent and ETA where the job knows how far it has to go, else
 * the step it is at; for a finished job, its step count and time.
 */
export function progressView(job, progress) {
  if (job.status === 'queued') return h('span', { className: 'muted' }, 'waiting');
  if (job.status !== 'running') {
    if (job.iterations === null || job.iterations === undefined) {
      return h('span', { className: 'muted' }, progress ? `stopped after step ${progress.step + 1}` : '—');
    }
    return h('span', {}, `${job.iterations} steps`, job.computeMs ? ` · ${formatDuration(job.computeMs)}` : '');
  }
  if (!progress) return h('span', { className: 'muted' }, 'starting');
  if (progress.percent === null || progress.percent === undefined) return h('span', {}, `step ${progress.step + 1}`);
  const percent = Math.round(progress.percent);
  return h(
    'span',
    { className: 'progress-line' },
    h('progress', { max: 100, value: progress.percent, 'aria-label': `${percent} percent done` }),
    ` ${percent} %`,
    progress.etaMs !== null && progress.etaMs !== undefined ? ` · ETA ${formatDuration(progress.etaMs)}` : '',
  );
}
