import { Command, Option } from 'clipanion';
import { jobResults, type ResultRow } from '../../api/index.js';
import { InvalidArgumentError } from '../../errors.js';
import { GasCommand, integerOption } from '../base.js';

const FORMATS = ['csv', 'ndjson', 'json'] as const;

export class ResultsCommand extends GasCommand {
  static override paths = [['results']];

  static override usage = Command.Usage({
    description: "Print a job's results under the graph's vertex labels",
    details: [
      'Every format has the same columns: `vertex` and the result, `value` for a scalar result and one named column per component of a vector result',
      "(ALS `factor_0 … factor_9, bias`; LDA `topic_0 …`; a program's vector column `<column>_0 …`): the CSV header, and the keys of each",
      'NDJSON line and JSON array element (`{"vertex":"u:1","factor_0":0.12,…,"bias":0.72}`). Rows stream: results of any size can be piped.',
      '`--top K` on a vector result ranks by the component `--by` names.',
    ].join(' '),
    examples: [
      ['The 10 highest-ranked vertices of job 1', '$0 results 1 --top 10'],
      ['One vertex', '$0 results 1 --vertex 60595'],
      ['Everything as NDJSON', '$0 results 1 --format ndjson > ranks.ndjson'],
      ["An LDA job's document–topic mixtures (and topic–word probabilities)", '$0 results 3 --format ndjson'],
      ['The 10 vertices with the most of topic 3', '$0 results 3 --top 10 --by topic_3'],
      ['The 10 largest ALS biases', '$0 results 2 --top 10 --by bias'],
    ],
  });

  job = Option.String({ name: 'job' });
  top = Option.String('--top', { description: 'Only the K vertices with the largest values' });
  by = Option.String('--by', { description: 'With --top on a vector result: the component to rank by (e.g. topic_3, bias)' });
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
        by: this.by,
        ascending: this.ascending,
        vertex: this.vertex,
        raw: this.raw,
      });
      const { emit, flush } = streamWriter(this.context.stdout);
      if (format === 'csv') {
        await emit(`${['vertex', ...results.components].map(csvLabel).join(',')}\n`);
        for (const row of results.rows()) await emit(`${csvLabel(row.vertex)},${Array.isArray(row.value) ? row.value.join(',') : row.value}\n`);
      } else {
        const toJson = jsonRow(results.components);
        if (format === 'ndjson') {
          for (const row of results.rows()) await emit(`${toJson(row)}\n`);
        } else {
          let first = true;
          await emit('[');
          for (const row of results.rows()) {
            await emit(`${first ? '' : ','}\n${toJson(row)}`);
            first = false;
          }
          await emit('\n]\n');
        }
      }
      await flush();
    });
  }
}

/**
 * Text for a stream in 64 KB writes, waiting for 'drain' when the stream is full: rows of any
 * number stream without being held in memory. `flush` writes what is left.
 */
export function streamWriter(out: NodeJS.WritableStream): { emit(text: string): Promise<void>; flush(): Promise<void> } {
  const write = async (text: string): Promise<void> => {
    if (!out.write(text)) await new Promise((resolve) => out.once('drain', resolve));
  };
  let buffered = '';
  return {
    async emit(text) {
      buffered += text;
      if (buffered.length > 1 << 16) {
        await write(buffered);
        buffered = '';
      }
    },
    async flush() {
      if (buffered) await write(buffered);
      buffered = '';
    },
  };
}

/** A row as one JSON object keyed like the CSV header: `{vertex, value}` or `{vertex, factor_0, …, bias}`. */
function jsonRow(components: readonly string[]): (row: ResultRow) => string {
  const keys = components.map((name) => `,${JSON.stringify(name)}:`);
  return (row) => {
    const values = Array.isArray(row.value) ? row.value : [row.value];
    let text = `{"vertex":${JSON.stringify(row.vertex)}`;
    for (let j = 0; j < keys.length; j++) text += keys[j]! + jsonNumber(values[j]!);
    return `${text}}`;
  };
}

/** JSON has no NaN or Infinity: they are written as null, as JSON.stringify does. */
function jsonNumber(value: number): string {
  return Number.isFinite(value) ? String(value) : 'null';
}

function csvLabel(label: string | number): string {
  if (typeof label === 'number') return String(label);
  return /[",\n\r]/.test(label) ? `"${label.replace(/"/g, '""')}"` : label;
}
