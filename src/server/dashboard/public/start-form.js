/**
 * The "Start a job" form: a graph (from GET /graphs), an algorithm (from GET /algorithms, with
 * its options described), the options as a JSON object, an engine and a worker count; submits
 * POST /jobs and hands the new job's id on.
 */
import { api, describeFailure } from './api.js';
import { fill, h } from './dom.js';

export class StartForm {
  constructor(form, { onStarted }) {
    this.form = form;
    this.onStarted = onStarted;
    this.graph = form.elements.graph;
    this.algorithm = form.elements.algorithm;
    this.options = form.elements.options;
    this.engine = form.elements.engine;
    this.workers = form.elements.workers;
    this.help = form.querySelector('[data-part="options-help"]');
    this.optionsError = form.querySelector('[data-part="options-error"]');
    this.message = form.querySelector('[data-part="message"]');
    this.algorithms = [];
    this.algorithm.addEventListener('change', () => this.describeAlgorithm());
    this.options.addEventListener('input', () => this.checkOptions());
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.submit();
    });
  }

  /** The graphs to choose from (the choice is kept when the graph is still there). */
  setGraphs(graphs) {
    const current = this.graph.value;
    fill(
      this.graph,
      graphs.length === 0
        ? h('option', { value: '' }, 'no graphs')
        : graphs.map((graph) => h('option', { value: graph.name, selected: graph.name === current }, graph.name)),
    );
  }

  async loadAlgorithms() {
    try {
      this.algorithms = await api('/algorithms');
    } catch (error) {
      fill(this.message, h('span', { className: 'error' }, describeFailure(error)));
      return;
    }
    fill(this.message);
    fill(
      this.algorithm,
      this.algorithms.map((algorithm) => h('option', { value: algorithm.name, title: algorithm.description }, algorithm.name)),
    );
    this.describeAlgorithm();
  }

  describeAlgorithm() {
    const algorithm = this.algorithms.find((candidate) => candidate.name === this.algorithm.value);
    if (!algorithm) return fill(this.help);
    const options = Object.entries(algorithm.options ?? {});
    const defaults = Object.fromEntries(options.filter(([, spec]) => spec.default !== undefined && !spec.required).map(([name, spec]) => [name, spec.default]));
    this.options.placeholder = options.length === 0 ? '{}' : JSON.stringify(defaults);
    fill(
      this.help,
      h('p', {}, algorithm.description),
      options.length === 0
        ? h('p', { className: 'muted' }, 'No options.')
        : h(
            'dl',
            {},
            options.flatMap(([name, spec]) => [
              h('dt', {}, h('code', {}, name), spec.required ? ' (required)' : ` = ${JSON.stringify(spec.default)}`),
              h('dd', {}, spec.description ?? '', spec.oneOf ? ` One of ${spec.oneOf.join(', ')}.` : ''),
            ]),
          ),
    );
  }

  /** The options object, or null (with the reason shown next to the field) when the text is not one. */
  checkOptions() {
    const text = this.options.value.trim();
    let options = {};
    let problem = '';
    if (text !== '') {
      try {
        options = JSON.parse(text);
        if (options === null || typeof options !== 'object' || Array.isArray(options))
          problem = 'The options must be a JSON object, such as {"maxIterations": 20}.';
      } catch (error) {
        problem = `Not JSON: ${error.message}`;
      }
    }
    fill(this.optionsError, problem);
    this.options.setAttribute('aria-invalid', String(problem !== ''));
    return problem === '' ? options : null;
  }

  async submit() {
    const options = this.checkOptions();
    if (options === null) return this.options.focus();
    const body = { graph: this.graph.value, algorithm: this.algorithm.value, options };
    if (this.engine.value) body.engine = this.engine.value;
    if (this.workers.value) body.workers = Number(this.workers.value);
    const button = this.form.querySelector('button[type="submit"]');
    button.disabled = true;
    fill(this.message);
    try {
      const { id } = await api('/jobs', { method: 'POST', body });
      fill(this.message, `Job #${id} submitted.`);
      this.onStarted(id);
    } catch (error) {
      fill(this.message, h('span', { className: 'error' }, describeFailure(error)));
    } finally {
      button.disabled = false;
    }
  }
}
