/** Options of `importGraph`, their defaults, and their validation (each message names its option). */
import { InvalidArgumentError } from '../errors.js';
import { AUTO_STRATEGY, PARTITION_DEFAULTS, STRATEGY_NAMES, type ProgramTarget } from '../partition/index.js';
import { DEFAULT_MAX_LABEL_BYTES, FORMATS, type GraphFormat } from '../storage/loaders/index.js';

/** How the edges are cut, shared by `import` and `repartition`. */
export interface PartitionOptions {
  readonly partitions?: number;
  /** A strategy name, or `auto`. */
  readonly strategy?: string;
  readonly seed?: number;
  /** `hybrid`: in-degree above which a target's in-edges follow their sources (default 100). */
  readonly threshold?: number;
  /** `hdrf`: weight of the balance term λ (default 1). */
  readonly lambda?: number;
  /** With `--strategy auto`: the program the partitioning is for (`--for pagerank`), whose gather direction it weighs. */
  readonly for?: ProgramTarget;
}

export interface ImportOptions extends PartitionOptions {
  /** Path of the input file (plain or gzip). */
  readonly file: string;
  /** Catalog name of the new graph. */
  readonly name: string;
  /** File format; detected from the name and content when omitted. */
  readonly format?: GraphFormat;
  /** For `--format uci` and `lda-c`: the vocabulary file naming the word ids. */
  readonly vocab?: string;
  /** Treat edges as undirected (Matrix Market `symmetric` and graphology `undirected` files are undirected anyway). */
  readonly undirected?: boolean;
  /** Read edge weights (third column, Matrix Market values are read regardless). */
  readonly weighted?: boolean;
  /** Keep one copy of each repeated edge (the first in file order). */
  readonly dedupe?: boolean;
  readonly dropSelfLoops?: boolean;
  /** For csv/tsv: whether the first line is a header (default: detect by column names). */
  readonly header?: boolean | 'auto';
  /** The longest vertex label accepted, in bytes (default 64 KiB); a longer one is a parse error at its line. */
  readonly maxLabelBytes?: number;
  /** Replace an existing graph of the same name atomically. */
  readonly replace?: boolean;
  /**
   * With `replace`: delete the results of the old graph's finished jobs (indexed by its vertex
   * ids, they cannot be carried over). Without it a replace that would is refused (GAS_ERR_EXISTS).
   */
  readonly force?: boolean;
  /** Progress callback: phase name and fraction done (0..1). */
  readonly onProgress?: (phase: string, fraction: number) => void;
}

export const IMPORT_DEFAULTS = {
  undirected: false,
  weighted: false,
  partitions: 4,
  strategy: 'random',
  seed: 1,
  threshold: PARTITION_DEFAULTS.threshold,
  lambda: PARTITION_DEFAULTS.lambda,
  dedupe: false,
  dropSelfLoops: false,
  header: 'auto',
  maxLabelBytes: DEFAULT_MAX_LABEL_BYTES,
  replace: false,
  force: false,
} as const;

export const MAX_LABEL_BYTES_LIMIT = 1 << 28;

export const MAX_PARTITIONS = 1024;

export type ResolvedImportOptions = Required<Omit<ImportOptions, 'format' | 'onProgress' | 'for' | 'vocab'>> &
  Pick<ImportOptions, 'format' | 'onProgress' | 'for' | 'vocab'>;

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export function resolveImportOptions(options: ImportOptions): ResolvedImportOptions {
  const resolved = { ...IMPORT_DEFAULTS, ...stripUndefined(options) } as ResolvedImportOptions;
  if (typeof resolved.name !== 'string' || !NAME.test(resolved.name)) {
    throw new InvalidArgumentError(
      `import: --name must be 1-128 characters of letters, digits, '.', '_' or '-' (starting with a letter or digit), got ${JSON.stringify(resolved.name)}`,
      { option: 'name' },
    );
  }
  checkPartitionOptions('import', resolved);
  if (!Number.isInteger(resolved.maxLabelBytes) || resolved.maxLabelBytes < 1 || resolved.maxLabelBytes > MAX_LABEL_BYTES_LIMIT) {
    throw new InvalidArgumentError(`import: --max-label-bytes must be an integer from 1 to ${MAX_LABEL_BYTES_LIMIT}, got ${resolved.maxLabelBytes}`, {
      option: 'maxLabelBytes',
    });
  }
  if (resolved.format !== undefined && !(FORMATS as readonly string[]).includes(resolved.format)) {
    throw new InvalidArgumentError(`import: --format must be one of ${FORMATS.join(', ')}, got ${JSON.stringify(resolved.format)}`, { option: 'format' });
  }
  return resolved;
}

/** The partitioning options shared by `import` and `repartition`; each message names its option. */
export function checkPartitionOptions(verb: string, options: { partitions: number; seed: number; strategy: string; threshold: number; lambda: number }): void {
  if (!Number.isInteger(options.partitions) || options.partitions < 1 || options.partitions > MAX_PARTITIONS) {
    throw new InvalidArgumentError(`${verb}: --partitions must be an integer from 1 to ${MAX_PARTITIONS}, got ${options.partitions}`, { option: 'partitions' });
  }
  if (!Number.isSafeInteger(options.seed) || options.seed < 0) {
    throw new InvalidArgumentError(`${verb}: --seed must be a non-negative integer, got ${options.seed}`, { option: 'seed' });
  }
  if (!STRATEGY_NAMES.includes(options.strategy) && options.strategy !== AUTO_STRATEGY) {
    throw new InvalidArgumentError(
      `${verb}: --strategy must be one of ${[...STRATEGY_NAMES, AUTO_STRATEGY].join(', ')}, got ${JSON.stringify(options.strategy)}`,
      {
        option: 'strategy',
      },
    );
  }
  if (!Number.isInteger(options.threshold) || options.threshold < 0) {
    throw new InvalidArgumentError(`${verb}: --threshold must be a non-negative integer, got ${options.threshold}`, { option: 'threshold' });
  }
  if (!Number.isFinite(options.lambda) || options.lambda < 0) {
    throw new InvalidArgumentError(`${verb}: --lambda must be a non-negative number, got ${options.lambda}`, { option: 'lambda' });
  }
}

export function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
