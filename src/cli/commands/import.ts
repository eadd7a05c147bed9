import { Command, Option } from 'clipanion';
import { importGraphFile } from '../../api/index.js';
import { InvalidArgumentError } from '../../errors.js';
import { parseFormat } from '../../storage/loaders/index.js';
import { checkReplaceable } from '../../ingest/import-graph.js';
import { MAX_LABEL_BYTES_LIMIT } from '../../ingest/options.js';
import { formatCount, integerOption } from '../base.js';
import { PartitionedCommand } from '../partitioned-command.js';

export class ImportCommand extends PartitionedCommand {
  static override paths = [['import']];

  static override usage = Command.Usage({
    description: 'Import a graph file into vertex-cut partitions',
    details: `
      Reads an edge list (SNAP, TSV, CSV), a Matrix Market coordinate file or a graphology JSON export, plain or gzip-compressed, maps vertex labels to dense ids, cuts the edges into partitions and stores them in LMDB under the data directory. The import is atomic: on any error (or if the process is killed) no graph is left behind.

      Multi-edges and self-loops are kept and counted unless \`--dedupe\` / \`--drop-self-loops\` remove them.
    `,
    examples: [
      ['Import a SNAP web graph into 4 random partitions', '$0 import ../shared/data/cnr-2000.txt.gz --name cnr'],
      [
        'An undirected graph, duplicates removed, 2D grid over 9 partitions',
        '$0 import email-Enron.txt.gz --name enron --undirected --dedupe --partitions 9 --strategy grid',
      ],
      ['A weighted CSV edge list', '$0 import roads.csv --name roads --weighted'],
      ['MovieLens ratings as a user → item graph (for ALS)', '$0 import ml-latest-small.ratings.csv.gz --name ml --format ratings'],
      ['A UCI bag-of-words corpus with its vocabulary (for LDA)', '$0 import docword.kos.txt.gz --format uci --vocab vocab.kos.txt.gz --name kos'],
      ['Let gasworks measure the strategies and pick the cheapest for PageRank', '$0 import cnr-2000.txt.gz --name cnr --strategy auto --for pagerank'],
    ],
  });

  file = Option.String({ name: 'file' });
  name = Option.String('--name', { required: true, description: 'Name of the graph in the catalog' });
  format = Option.String('--format', {
    description: 'snap | tsv | csv | mtx | graphology | ratings | uci | lda-c (default: detected from content and file name)',
  });
  vocab = Option.String('--vocab', { description: 'uci / lda-c: the vocabulary file (one word per line)' });
  undirected = Option.Boolean('--undirected', false, { description: 'Edges have no direction' });
  weighted = Option.Boolean('--weighted', false, { description: 'Read a weight column (third field)' });
  dedupe = Option.Boolean('--dedupe', false, { description: 'Keep only the first copy of repeated edges' });
  dropSelfLoops = Option.Boolean('--drop-self-loops', false, { description: 'Remove edges from a vertex to itself' });
  header = Option.Boolean('--header', { description: 'csv/tsv: the first line is (--header) or is not (--no-header) a header; default: detect' });
  maxLabelBytes = Option.String('--max-label-bytes', { description: 'Refuse vertex labels longer than this many bytes (default 65536)' });
  replace = Option.Boolean('--replace', false, { description: 'Atomically replace an existing graph of the same name' });
  force = Option.Boolean('--force', false, {
    description:
      "With --replace: also when finished jobs on the old graph have results (the results go with it: they are over the old graph's vertices; the jobs stay listed)",
  });

  async run(): Promise<void> {
    if (this.force && !this.replace) throw new InvalidArgumentError('import: --force goes with --replace', { option: 'force' });
    let discardedJobs: readonly number[] = [];
    const result = await this.withCatalog(
      async (catalog) => {
        // The finished jobs whose results `--replace` deletes with the old graph: their results are
        // indexed by the old graph's vertex ids, which a new import does not keep, so they cannot be
        // carried over. Refused without `--force` when there are any; the jobs' rows stay, marked as
        // on a replaced graph.
        discardedJobs = this.replace ? checkReplaceable(catalog, this.name, this.force) : [];
        return importGraphFile(catalog, {
          file: this.file,
          name: this.name,
          format: this.format === undefined ? undefined : parseFormat(this.format),
          vocab: this.vocab,
          undirected: this.undirected,
          weighted: this.weighted,
          ...this.partitionOptions(),
          dedupe: this.dedupe,
          dropSelfLoops: this.dropSelfLoops,
          header: this.header ?? 'auto',
          maxLabelBytes: integerOption(this.maxLabelBytes, '--max-label-bytes', 1, MAX_LABEL_BYTES_LIMIT),
          replace: this.replace,
          force: this.force,
          onProgress: this.progress(),
        });
      },
      { create: true },
    );
    const g = result.graph;
    this.log.debug({ format: g.format, ...Object.fromEntries(Object.entries(result.timings).map(([phase, ms]) => [phase, Math.round(ms)])) }, 'imported');
    const n = discardedJobs.length;
    if (n > 0) {
      this.inform(
        `import: replaced graph "${g.name}" and deleted the results of ${n === 1 ? 'its job' : `its ${n} jobs:`} ${discardedJobs.join(', ')}; ` +
          `${n === 1 ? 'it stays' : 'they stay'} in gasworks jobs, marked "graph replaced"`,
      );
    }
    if (this.json) {
      this.printJson({ ...g, strategyReason: result.strategyReason, partitionSizes: result.partitionSizes, timings: result.timings, discardedJobs });
      return;
    }
    this.context.stdout.write(
      `imported graph "${g.name}" (${g.id}) from ${g.sourceFile} in ${(result.timings.totalMs / 1000).toFixed(2)} s\n` +
        `  ${formatCount(g.vertices)} vertices, ${formatCount(g.edges)} edges (${g.directed ? 'directed' : 'undirected'}${g.weighted ? ', weighted' : ''})\n` +
        `  ${formatCount(g.selfLoops)} self-loops${g.removedSelfLoops ? ' (removed)' : ''}, ${formatCount(g.multiEdges)} multi-edges${g.removedMultiEdges ? ' (removed)' : ''}\n` +
        `  ${g.partitions} partitions (${g.strategy}, seed ${g.seed}): replication factor ${g.replicationFactor.toFixed(3)}, edge balance ${g.edgeBalance.toFixed(3)}\n` +
        (result.strategyReason ? `  ${result.strategyReason}\n` : ''),
    );
  }
}
