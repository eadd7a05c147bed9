/**
 * One job, followed live: its record (GET /jobs/:id), then its events over SSE from the first
 * (GET /jobs/:id/events — the replay fills the plot for a job that is running or long done),
 * the convergence plot, a Cancel button while it can still stop, and once it has succeeded the
 * top 10 vertices of its result (GET /jobs/:id/results?top=10).
 */
import { ApiError, api, describeFailure } from './api.js';
import { ACTIVE_STATES, TERMINAL_STATES, fill, formatDuration, formatNumber, h, statusBadge } from './dom.js';
import { progressView } from './jobs.js';
import { ConvergencePlot } from './plot.js';
import { followEvents } from './sse.js';

const TOP = 10;
/** The screen-reader announcement of progress changes at most this often (each step would drown the reader). */
const ANNOUNCE_MS = 3000;

export class JobDetail {
  constructor(section, { onChange = () => {} }) {
    this.section = section;
    this.onChange = onChange;
    const find = (name) => section.querySelector(`[data-part="${name}"]`);
    this.heading = find('heading');
    this.summary = find('summary');
    this.progressLine = find('progress');
    this.announcer = find('announce');
    this.seriesSelect = find('series');
    this.topTable = find('top');
    this.topNote = find('top-note');
    this.cancelButton = find('cancel');
    this.message = find('message');
    this.plot = new ConvergencePlot(find('plot'), { note: find('plot-note'), onSeries: (names, shown) => this.listSeries(names, shown) });
    this.seriesSelect.addEventListener('change', () => this.plot.show(this.seriesSelect.value));
    this.cancelButton.addEventListener('click', () => this.cancel());
    this.job = null;
    this.stream = null;
    this.lastAnnounced = 0;
  }

  /** Shows job `id` (null: none) and follows it. */
  async show(id) {
    this.stream?.abort();
    this.stream = null;
    this.plot.reset();
    this.listSeries([], null);
    fill(this.topTable.tBodies[0]);
    this.topTable.hidden = true;
    fill(this.topNote);
    fill(this.message);
    if (id === null) {
      this.section.hidden = true;
      this.job = null;
      return;
    }
    this.section.hidden = false;
    fill(this.heading, `Job #${id}`);
    try {
      this.job = await api(`/jobs/${id}`);
    } catch (error) {
      this.job = null;
      fill(this.summary);
      this.fail(describeFailure(error));
      return;
    }
    this.progress = null;
    this.render();
    const stream = new AbortController();
    this.stream = stream;
    followEvents(`/jobs/${id}/events`, {
      signal: stream.signal,
      onEvent: (event) => this.onEvent(JSON.parse(event.data)),
      isLast: (event) => TERMINAL_STATES.includes(event.type),
      onState: (state) => this.section.setAttribute('data-stream', state),
      onError: (error) => this.fail(describeFailure(error)),
    });
  }

  onEvent(event) {
    if (!this.job || event.job !== this.job.id) return;
    if (event.type === 'progress') {
      this.progress = event.progress;
      this.plot.add(event.progress);
      this.renderProgress();
      this.onChange(this.job.id, { progress: event.progress });
      return;
    }
    const status = event.type;
    // The replay of a job's events starts at `queued`: a record already further on keeps its state.
    if (stage(status) < stage(this.job.status)) return;
    this.job = { ...this.job, status };
    if (status === 'succeeded')
      this.job = { ...this.job, iterations: event.iterations, converged: event.converged, stopReason: event.stopReason, computeMs: event.computeMs };
    if (status === 'failed') this.job = { ...this.job, errorCode: event.code, errorMessage: event.message };
    this.onChange(this.job.id, { status });
    this.render();
    this.announce(`Job ${this.job.id} ${status}.`, true);
    if (status === 'succeeded') this.loadTop();
  }

  render() {
    const job = this.job;
    const facts = [
      ['status', statusBadge(job.status)],
      ['algorithm', job.algorithm],
      ['graph', job.graphName],
      ['workers', String(job.workers)],
      ['options', h('code', {}, JSON.stringify(job.options ?? {}))],
    ];
    if (job.status === 'succeeded')
      facts.push([
        'ended',
        `${job.iterations} steps, ${job.converged ? 'converged' : 'not converged'}${job.stopReason ? ` (${job.stopReason})` : ''}, ${formatDuration(job.computeMs)}`,
      ]);
    if (job.status === 'failed') facts.push(['error', `${job.errorCode ?? ''} ${job.errorMessage ?? ''}`.trim()]);
    fill(
      this.summary,
      facts.flatMap(([name, value]) => [h('dt', {}, name), h('dd', { 'data-fact': name }, value)]),
    );
    this.cancelButton.hidden = !ACTIVE_STATES.includes(job.status);
    this.cancelButton.disabled = Boolean(job.cancelRequested);
    this.section.setAttribute('data-status', job.status);
    if (job.status !== 'succeeded') fill(this.topNote, ACTIVE_STATES.includes(job.status) ? 'Shown once the job has succeeded.' : 'This job left no result.');
    this.renderProgress();
  }

  renderProgress() {
    const job = this.job;
    const progress = this.progress;
    // A finished job's steps and time are in its facts above.
    this.progressLine.hidden = job.status === 'succeeded';
    const parts = [progressView(job, progress)];
    if (progress && job.status === 'running') {
      parts.push(
        h(
          'span',
          { className: 'muted' },
          ` · step ${progress.step + 1}, ${formatNumber(progress.activeVertices)} active, ${formatDuration(progress.stepMs)} per step, ${formatDuration(progress.elapsedMs)} elapsed`,
        ),
      );
    }
    fill(this.progressLine, parts);
    if (progress && job.status === 'running') {
      const done = progress.percent === null ? `step ${progress.step + 1}` : `${Math.round(progress.percent)} percent done`;
      this.announce(`Job ${job.id}: ${done}.`);
    }
  }

  /** Puts `text` in the polite live region (at most every few seconds unless `now`). */
  announce(text, now = false) {
    const time = performance.now();
    if (!now && time - this.lastAnnounced < ANNOUNCE_MS) return;
    this.lastAnnounced = time;
    this.announcer.textContent = text;
  }

  listSeries(names, shown) {
    fill(
      this.seriesSelect,
      names.map((name) => h('option', { value: name, selected: name === shown }, name)),
    );
    this.seriesSelect.closest('label').hidden = names.length < 2;
  }

  /** The top vertices; a vector result's ranked by component `by` (`components`: the ones to choose from). */
  async loadTop(by, components = []) {
    const id = this.job.id;
    const query = new URLSearchParams({ top: String(TOP), format: 'json' });
    if (by) query.set('by', by);
    let rows;
    try {
      rows = await api(`/jobs/${id}/results?${query}`);
    } catch (error) {
      // A vector result (ALS factors, LDA mixtures) ranks by one component: the first, unless the user picks another.
      const named = error instanceof ApiError ? error.details.components : undefined;
      if (!by && Array.isArray(named) && named.length > 0) return this.loadTop(named[0], named);
      fill(this.topNote, h('span', { className: 'error' }, describeFailure(error)));
      return;
    }
    if (this.job?.id !== id) return;
    const columns = rows.length > 0 ? Object.keys(rows[0]).filter((key) => key !== 'vertex') : ['value'];
    fill(
      this.topTable.tHead,
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, 'rank'),
        h('th', { scope: 'col' }, 'vertex'),
        columns.map((column) => h('th', { scope: 'col', className: 'num' }, column)),
      ),
    );
    fill(
      this.topTable.tBodies[0],
      rows.map((row, index) =>
        h(
          'tr',
          {},
          h('td', { className: 'num' }, String(index + 1)),
          h('th', { scope: 'row' }, String(row.vertex)),
          columns.map((column) => h('td', { className: 'num', title: String(row[column]), 'data-value': String(row[column]) }, formatNumber(row[column]))),
        ),
      ),
    );
    this.topTable.hidden = false;
    if (by) {
      const choice = h(
        'select',
        { onchange: () => this.loadTop(choice.value, components) },
        components.map((name) => h('option', { value: name, selected: name === by }, name)),
      );
      fill(this.topNote, h('label', {}, 'Ranked by ', choice));
    } else {
      fill(this.topNote, rows.length < TOP ? `The result has ${rows.length} vertices.` : '');
    }
  }

  async cancel() {
    const id = this.job.id;
    this.cancelButton.disabled = true;
    try {
      const job = await api(`/jobs/${id}`, { method: 'DELETE' });
      if (this.job?.id === id && ACTIVE_STATES.includes(this.job.status)) this.job = { ...this.job, cancelRequested: true, status: job.status };
      this.render();
      this.announce(`Job ${id}: cancel requested.`, true);
    } catch (error) {
      this.cancelButton.disabled = false;
      this.fail(describeFailure(error));
    }
  }

  fail(text) {
    fill(this.message, text);
  }
}

/** queued 0, running 1, an end 2: a job's state only moves forward. */
function stage(status) {
  return status === 'queued' ? 0 : status === 'running' ? 1 : 2;
}
