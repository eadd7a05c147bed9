/**
 * The Graphs panel: the stored graphs (GET /graphs) and, for the one picked, its partition
 * figures (GET /graphs/:name: the size of every partition, degrees) and, on request, what each
 * partitioning strategy would cost on it (GET /graphs/:name/partition-report — it streams the
 * whole graph, so it runs only when asked).
 */
import { api, describeFailure } from './api.js';
import { fill, formatNumber, h } from './dom.js';

export class GraphsPanel {
  constructor({ table, detail, onGraphs = () => {}, onSelect = () => {}, onError }) {
    this.table = table;
    this.detail = detail;
    this.onGraphs = onGraphs;
    this.onSelect = onSelect;
    this.onError = onError;
    this.graphs = [];
    this.selected = null;
  }

  async refresh() {
    try {
      this.graphs = await api('/graphs');
    } catch (error) {
      this.onError(describeFailure(error));
      return;
    }
    this.onGraphs(this.graphs);
    const body = this.table.tBodies[0];
    if (this.graphs.length === 0) {
      fill(body, h('tr', {}, h('td', { colSpan: 7, className: 'empty' }, 'No graphs yet: import one with `gasworks import` or POST /graphs.')));
      return;
    }
    fill(
      body,
      this.graphs.map((graph) =>
        h(
          'tr',
          { 'aria-selected': String(graph.name === this.selected), 'data-graph': graph.name },
          h('th', { scope: 'row' }, h('button', { type: 'button', className: 'link', onclick: () => this.onSelect(graph.name) }, graph.name)),
          h('td', { className: 'num' }, formatNumber(graph.vertices)),
          h('td', { className: 'num' }, formatNumber(graph.edges)),
          h('td', { className: 'num' }, formatNumber(graph.partitions)),
          h('td', {}, graph.strategy),
          h('td', { className: 'num' }, formatNumber(graph.replicationFactor)),
          h('td', { className: 'num' }, formatNumber(graph.edgeBalance)),
        ),
      ),
    );
  }

  /** Shows graph `name`'s partition figures (null: none). */
  async select(name) {
    this.selected = name;
    for (const row of this.table.tBodies[0].rows) row.setAttribute('aria-selected', String(row.dataset.graph === name));
    if (name === null) {
      this.detail.hidden = true;
      return;
    }
    this.detail.hidden = false;
    fill(this.detail, h('p', { className: 'muted' }, `Loading ${name}…`));
    let graph;
    try {
      graph = await api(`/graphs/${encodeURIComponent(name)}`);
    } catch (error) {
      fill(this.detail, h('p', { className: 'error', role: 'alert' }, describeFailure(error)));
      return;
    }
    if (this.selected !== name) return;
    const report = h('div', { className: 'report' });
    const compare = h('button', { type: 'button', onclick: () => this.showReport(graph, report, compare) }, 'Compare partitioning strategies');
    fill(
      this.detail,
      h('h3', { id: 'graph-detail-heading' }, `Partitions of ${graph.name}`),
      h(
        'p',
        { className: 'facts' },
        `${graph.directed ? 'Directed' : 'Undirected'}${graph.weighted ? ', weighted' : ''}; ${graph.partitions} partitions by ${graph.strategy}`,
        graph.strategyReason ? ` (${graph.strategyReason})` : '',
        `; replication factor ${formatNumber(graph.replicationFactor)}, edge balance ${formatNumber(graph.edgeBalance)}, vertex balance ${formatNumber(graph.vertexBalance)}.`,
      ),
      partitionTable(graph.partitionSizes ?? []),
      degreeList(graph.degrees ?? {}),
      compare,
      report,
    );
  }

  async showReport(graph, target, button) {
    button.disabled = true;
    fill(target, h('p', { className: 'muted', role: 'status' }, 'Measuring every strategy on this graph…'));
    try {
      const report = await api(`/graphs/${encodeURIComponent(graph.name)}/partition-report`);
      fill(target, h('div', { className: 'scroll' }, reportTable(report, graph.strategy)));
    } catch (error) {
      fill(target, h('p', { className: 'error', role: 'alert' }, describeFailure(error)));
    } finally {
      button.disabled = false;
    }
  }
}

/** One row per partition, its edges also as a bar against the largest partition's. */
function partitionTable(sizes) {
  const most = Math.max(1, ...sizes.map((size) => size.edges));
  return h(
    'table',
    { className: 'partitions' },
    h('caption', {}, 'Partition sizes'),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['partition', 'vertices', 'masters', 'edges', ''].map((name) => h('th', { scope: 'col' }, name)),
      ),
    ),
    h(
      'tbody',
      {},
      sizes.map((size) =>
        h(
          'tr',
          {},
          h('th', { scope: 'row', className: 'num' }, String(size.partition)),
          h('td', { className: 'num' }, formatNumber(size.vertices)),
          h('td', { className: 'num' }, formatNumber(size.masters)),
          h('td', { className: 'num' }, formatNumber(size.edges)),
          h('td', { className: 'bar-cell', 'aria-hidden': 'true' }, h('span', { className: 'bar', style: `width: ${(100 * size.edges) / most}%` })),
        ),
      ),
    ),
  );
}

function degreeList(degrees) {
  const entries = Object.entries(degrees);
  if (entries.length === 0) return null;
  return h(
    'dl',
    { className: 'degrees' },
    entries.flatMap(([name, summary]) => [
      h('dt', {}, name === 'outDegree' ? 'out-degree' : name === 'inDegree' ? 'in-degree' : 'degree'),
      h(
        'dd',
        {},
        `min ${formatNumber(summary.min)}, median ${formatNumber(summary.median)}, mean ${formatNumber(summary.mean)}, max ${formatNumber(summary.max)}; ${formatNumber(summary.zero)} ${summary.zero === 1 ? 'vertex' : 'vertices'} at 0`,
      ),
    ]),
  );
}

function reportTable(report, current) {
  const columns = [
    ['replicationFactor', 'replication factor'],
    ['edgeBalance', 'edge balance'],
    ['vertexBalance', 'vertex balance'],
    ['seconds', 'seconds'],
  ];
  return h(
    'table',
    {},
    h('caption', {}, `Every strategy on ${formatNumber(report.edges)} edges, ${report.rows[0]?.partitions ?? '?'} partitions (nothing stored)`),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, 'strategy'),
        columns.map(([, label]) => h('th', { scope: 'col' }, label)),
      ),
    ),
    h(
      'tbody',
      {},
      report.rows.map((row) =>
        h(
          'tr',
          { className: row.strategy === current ? 'current' : '' },
          h('th', { scope: 'row' }, row.strategy, row.strategy === current ? ' (in use)' : ''),
          columns.map(([key]) => h('td', { className: 'num' }, formatNumber(row[key]))),
        ),
      ),
    ),
  );
}
