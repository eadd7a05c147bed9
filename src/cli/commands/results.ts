import { Command, Option } from 'clipanion';
import { jobResults, type ResultRow } from '../../api/index.js';
import { InvalidArgumentError } from '../../errors.js';
import { GasCommand, integerOption } from '../base.js';

const FORMATS = ['csv', 'ndjson', 'json'] as const;

export class ResultsCommand extends GasCommand {
  static override paths = [['results']];

  static override usage = Command.Usage({
    description: "Print a job's results under the graph's vertex labels",
    details:
      'CSV (header `vertex,value`, or `vertex,value_0,…` for vector results), NDJSON (one object per line) or one JSON array. Rows stream: results of any size can be piped.',
    examples: [
      ['The 10 highest-ranked vertices of job 1', '$0 results 1 --top 10'],
      ['One vertex', '$0 results 1 --vertex 60595'],
      ['Everything as NDJSON', '$0 results 1 --format ndjson > ranks.ndjson'],
      ["An LDA job's document–topic mixtures (and topic–word probabilities)", '$0 results 3 --format ndjson'],
    ],
  });

  job = Option.String({ name: 'job' });
  top = Option.String('--top', { description: 'Only the K vertices with the largest values' });
  ascending = Option.Boolean('--ascending', false, { description: 'With --top: the smallest values instead' });
  vertex = Option.String('--vertex', { description: 'Only this vertex (by label)' });
  format = Option.String('--format', { description: 'csv (default) | ndjson | json' });
  raw = Option.Boolean('--raw', false, { description: 'The stored column as the job wrote it (LDA: topic counts instead of mixtures)' });

  async run(): Promise<void> {
    const format = this.format ?? (this.json ? 'json' : 'csv');
    if (!(FORMATS as readonly string[]).includes(format)) {
      throw new InvalidArgumentError(`results: --format must be one of ${FORMATS.join(', ')}, got ${JSON.stringify(format)}`, { option: 'format' });
    }
    await this.withCatalog(async (catalog) => {
      const results = jobResults(catalog, this.job, {
        top: integerOption(this.top, '--top', 1, Number.MAX_SAFE_INTEGER),
        ascending: this.ascending,
        vertex: this.vertex,
        raw: this.raw,
      });
      const out = this.context.stdout;
      const write = async (text: string): Promise<void> => {
        if (!out.write(text)) await new Promise((resolve) => out.once('drain', resolve));
      };
      let buffered = '';
      const flushEvery = 1 << 16;
      const emit = async (line: string): Promise<void> => {
        buffered += line;
        if (buffered.length > flushEvery) {
          await write(buffered);
          buffered = '';
        }
      };
      if (format === 'csv') {
        const header = results.width === 1 ? 'vertex,value' : ['vertex', ...Array.from({ length: results.width }, (_, k) => `value_${k}`)].join(',');
        await emit(`${header}\n`);
        for (const row of results.rows()) await emit(`${csvLabel(row.vertex)},${Array.isArray(row.value) ? row.value.join(',') : row.value}\n`);
      } else if (format === 'ndjson') {
        for (const row of results.rows()) await emit(`${jsonRow(row)}\n`);
      } else {
        let first = true;
        await emit('[');
        for (const row of results.rows()) {
          await emit(`${first ? '' : ','}\n${jsonRow(row)}`);
          first = false;
        }
        await emit('\n]\n');
      }
      await write(buffered);
    });
  }
}

function jsonRow(row: ResultRow): string {
  return JSON.stringify({ vertex: row.vertex, value: row.value });
}

function csvLabel(label: string | number): string {
  if (typeof label === 'number') return String(label);
  return /[",\n\r]/.test(label) ? `"${label.replace(/"/g, '""')}"` : label;
}
