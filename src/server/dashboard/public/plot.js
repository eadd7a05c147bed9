/**
 * A job's convergence plot: one aggregate per step (PageRank's residual `change`, LDA's
 * log-likelihood, …) drawn with uPlot (loaded by index.html from the app's own copy, the
 * global `uPlot`). The y axis is logarithmic while no value is negative — a residual falls by
 * orders of magnitude — and linear otherwise (a log-likelihood is negative).
 */
import { formatNumber } from './dom.js';

/** The aggregate shown unless the user picks another: the residual where there is one. */
const PREFERRED = ['change', 'residual', 'logLikelihood', 'loglikelihood'];

const HEIGHT = 260;

export class ConvergencePlot {
  /**
   * `target`: the element the canvas goes in; `note`: where to say what the plot leaves out;
   * `onSeries(names, shown)` when the aggregates known change.
   */
  constructor(target, { note, onSeries = () => {} } = {}) {
    this.target = target;
    this.note = note;
    this.onSeries = onSeries;
    this.reset();
    this.resizer = new ResizeObserver(() => this.plot?.setSize(this.size()));
    this.resizer.observe(target);
  }

  reset() {
    this.steps = [];
    this.series = new Map(); // name → values, aligned with steps (null where a step lacks it)
    this.shown = null;
    this.chosen = null;
    this.plot?.destroy();
    this.plot = null;
    this.logScale = null;
    this.pending = false;
    if (this.note) this.note.textContent = '';
  }

  /** Adds one progress report (`{ step, aggregates }`); redraws at the next animation frame. */
  add(progress) {
    const index = this.steps.length;
    this.steps.push(progress.step);
    let added = false;
    for (const [name, value] of Object.entries(progress.aggregates ?? {})) {
      if (typeof value !== 'number') continue;
      if (!this.series.has(name)) {
        this.series.set(name, new Array(index).fill(null));
        added = true;
      }
    }
    for (const [name, values] of this.series) {
      const value = progress.aggregates?.[name];
      values.push(typeof value === 'number' && Number.isFinite(value) ? value : null);
    }
    if (added) {
      if (this.chosen === null || !this.series.has(this.chosen))
        this.shown = PREFERRED.find((name) => this.series.has(name)) ?? this.series.keys().next().value;
      this.onSeries([...this.series.keys()], this.shown);
    }
    this.scheduleDraw();
  }

  /** Shows aggregate `name` (the user's choice). */
  show(name) {
    if (!this.series.has(name)) return;
    this.chosen = this.shown = name;
    this.plot?.destroy();
    this.plot = null;
    this.scheduleDraw();
  }

  scheduleDraw() {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.draw();
    });
  }

  draw() {
    if (this.shown === null || this.steps.length === 0) return;
    const values = withoutLeadingZeros(this.series.get(this.shown));
    // A residual that reaches exactly 0 has converged: a gap on the log scale, not a reason to drop it.
    const logScale = values.every((value) => value === null || value >= 0) && values.some((value) => value !== null && value > 0);
    if (this.plot && logScale !== this.logScale) {
      this.plot.destroy();
      this.plot = null;
    }
    const data = [this.steps.slice(), logScale ? values.map((value) => (value === 0 ? null : value)) : values.slice()];
    const firstZero = logScale ? values.indexOf(0) : -1;
    const unmeasured = values[0] === null ? values.findIndex((value) => value !== null) : 0;
    const notes = [];
    if (unmeasured > 0) notes.push(`${this.shown} is 0 until step ${this.steps[unmeasured]} (not measured yet; not drawn).`);
    if (firstZero !== -1) notes.push(`${this.shown} is exactly 0 from step ${this.steps[firstZero]} (not drawn on the log scale).`);
    if (this.note) this.note.textContent = notes.join(' ');
    if (this.plot) {
      this.plot.setData(data);
      return;
    }
    this.logScale = logScale;
    this.plot = new uPlot(this.options(this.shown, logScale), data, this.target);
  }

  size() {
    return { width: Math.max(240, Math.floor(this.target.clientWidth)), height: HEIGHT };
  }

  options(name, logScale) {
    const ticks = (_plot, splits) => splits.map(tickLabel);
    return {
      ...this.size(),
      title: `${name} per step${logScale ? ' (log scale)' : ''}`,
      scales: { x: { time: false }, y: logScale ? { distr: 3, log: 10 } : { auto: true } },
      legend: { show: true, live: true },
      cursor: { drag: { x: true, y: false } },
      series: [
        { label: 'step', value: (_plot, value) => (value === null ? '—' : String(value)) },
        { label: name, stroke: '#2563eb', width: 2, value: (_plot, value) => formatNumber(value) },
      ],
      axes: [
        { label: 'step', stroke: '#475569', grid: { stroke: '#eef2f6', width: 1 } },
        {
          label: name,
          stroke: '#475569',
          grid: { stroke: '#eef2f6', width: 1 },
          size: 64,
          values: ticks,
          ...(logScale && { splits: decades, filter: (_plot, splits) => splits }),
        },
      ],
    };
  }

  destroy() {
    this.resizer.disconnect();
    this.plot?.destroy();
  }
}

/** Axis ticks: short, 1e-8 rather than 0.00000001. */
function tickLabel(value) {
  if (value === null || value === undefined) return '';
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude < 1e-3 || magnitude >= 1e6)) return Number(value.toPrecision(2)).toExponential();
  return String(Number(value.toPrecision(3)));
}

/**
 * Log-scale ticks, about six: 1-2-3-5-7 or 1-2-5 in each decade over a narrow range, powers of ten over a
 * wider one, every few powers over a range of many decades (a residual falling to 1e-18).
 */
function decades(_plot, _axis, min, max) {
  if (!(min > 0) || !(max > 0)) return [];
  const low = Math.floor(Math.log10(min));
  const high = Math.ceil(Math.log10(max));
  const span = high - low;
  const mantissas = span <= 1 ? [1, 2, 3, 5, 7] : span <= 2 ? [1, 2, 5] : [1];
  const stride = Math.max(1, Math.ceil(span / 6));
  const ticks = [];
  for (let exponent = high; exponent >= low; exponent -= stride) {
    for (const mantissa of mantissas) {
      const tick = mantissa * 10 ** exponent;
      if (tick >= min * (1 - 1e-9) && tick <= max * (1 + 1e-9)) ticks.push(tick);
    }
  }
  return ticks.sort((a, b) => a - b);
}

/**
 * Leading zeros as gaps: an aggregate that reads 0 until it is first measured (LDA's
 * log-likelihood over its first steps) would otherwise squash the rest of the curve. A series
 * that is all zeros is left as it is.
 */
function withoutLeadingZeros(values) {
  const first = values.findIndex((value) => value !== null && value !== 0);
  if (first <= 0) return values;
  return values.map((value, index) => (index < first ? null : value));
}
