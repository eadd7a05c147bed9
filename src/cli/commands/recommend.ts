import { readFileSync } from 'node:fs';
import { Command, Option } from 'clipanion';
import { openRecommender, RECOMMEND_DEFAULTS, type Recommendation, type Recommender } from '../../api/recommend.js';
import { GasError, InvalidArgumentError, NotFoundError, ParseError } from '../../errors.js';
import { GasCommand, formatCount, integerOption } from '../base.js';
import { streamWriter } from './results.js';

const FORMATS = ['table', 'ndjson'] as const;

export class RecommendCommand extends GasCommand {
  static override paths = [['recommend']];

  static override usage = Command.Usage({
    description: "Users' top items under a finished ALS job's factors",
    details: [
      'Scores every item with at least --min-ratings ratings (default 5) by its predicted rating for the user (global mean + biases + factor dot product), highest first.',
      'Scores are clamped to the scale of the training ratings (their min and max); --json and NDJSON also give the unclamped `prediction`.',
      'With --users FILE (one user id per line; blank lines and # comments skipped) or --users all, writes NDJSON, one line per user: {"user":"1","items":[{"item":"318","score":4.9,"prediction":4.9},…]}.',
    ].join(' '),
    examples: [
      ['Ten films for user 1, leaving out what they rated', '$0 recommend 3 --user 1 --top 10 --exclude-rated'],
      ['Including films rated only once', '$0 recommend 3 --user 1 --min-ratings 1'],
      ['Every user, one NDJSON line each', '$0 recommend 3 --users all --exclude-rated > recommendations.ndjson'],
    ],
  });

  job = Option.String({ name: 'job' });
  user = Option.String('--user', { description: 'User id as in the ratings file (or its label u:ID)' });
  users = Option.String('--users', { description: 'A file of user ids, one per line, or `all`: one NDJSON line per user' });
  top = Option.String('--top', { description: `How many items (default ${RECOMMEND_DEFAULTS.top})` });
  minRatings = Option.String('--min-ratings', {
    description: `Only items with at least N ratings in the training graph (default ${RECOMMEND_DEFAULTS.minRatings}; 1 = every item)`,
  });
  excludeRated = Option.Boolean('--exclude-rated', false, { description: 'Leave out items the user has rated' });
  format = Option.String('--format', { description: 'table (default with --user) | ndjson (default and only format with --users)' });

  async run(): Promise<void> {
    if ((this.user === undefined) === (this.users === undefined)) {
      throw new InvalidArgumentError('recommend: give one of --user U or --users FILE|all', { option: 'user' });
    }
    const format = this.format ?? (this.users !== undefined ? 'ndjson' : 'table');
    if (!(FORMATS as readonly string[]).includes(format)) {
      throw new InvalidArgumentError(`recommend: --format must be one of ${FORMATS.join(', ')}, got ${JSON.stringify(format)}`, { option: 'format' });
    }
    if (this.users !== undefined && format !== 'ndjson') {
      throw new InvalidArgumentError('recommend: --users writes NDJSON (one line per user); --format table is for one --user', { option: 'format' });
    }
    const top = integerOption(this.top, '--top', 1, 1_000_000) ?? RECOMMEND_DEFAULTS.top;
    const minRatings = integerOption(this.minRatings, '--min-ratings', 1, Number.MAX_SAFE_INTEGER);
    await this.withCatalog(async (catalog) => {
      const recommender = openRecommender(catalog, this.job, { minRatings, excludeRated: this.excludeRated });
      try {
        if (this.users !== undefined) await this.many(recommender, this.users, top);
        else this.one(recommender, this.user!, top, format);
      } finally {
        recommender.close();
      }
    });
  }

  private one(recommender: Recommender, name: string, top: number, format: string): void {
    const user = recommender.user(name);
    recommender.load([user]);
    const items = recommender.top(user, top);
    if (this.json) {
      this.printJson(items);
      return;
    }
    if (format === 'ndjson') {
      this.context.stdout.write(`${userLine(recommender.userName(user), items)}\n`);
      return;
    }
    const out = this.context.stdout;
    out.write(`user ${recommender.userName(user)}: ${items.length} of ${describeCandidates(recommender)}\n`);
    out.write(`${describeScale(recommender)}\n`);
    this.printTable(
      ['item', 'score', 'prediction'],
      items.map((row) => [row.item, row.score.toFixed(4), row.prediction.toFixed(4)]),
    );
  }

  /** One NDJSON line per user, written as each is computed: nothing is held per user. */
  private async many(recommender: Recommender, source: string, top: number): Promise<void> {
    const users = source === 'all' ? recommender.allUsers() : readUsersFile(source, recommender);
    recommender.load(users);
    this.inform(`recommend: ${formatCount(users.length)} users, top ${top} of ${describeCandidates(recommender)}; ${describeScale(recommender)}`);
    const { emit, flush } = streamWriter(this.context.stdout);
    for (const user of users) await emit(`${userLine(recommender.userName(user), recommender.top(user, top))}\n`);
    await flush();
  }
}

function userLine(user: string, items: readonly Recommendation[]): string {
  return JSON.stringify({ user, items });
}

function describeCandidates(recommender: Recommender): string {
  const { candidates, leftOut, minRatings } = recommender;
  const rated = recommender.excludeRated ? '; items the user rated left out' : '';
  if (minRatings === 1) return `all ${itemCount(candidates)} (--min-ratings 1)${rated}`;
  return `${itemCount(candidates)} with ≥ ${minRatings} ratings (${itemCount(leftOut)} with fewer left out; --min-ratings 1 for all)${rated}`;
}

function itemCount(count: number): string {
  return `${formatCount(count)} item${count === 1 ? '' : 's'}`;
}

function describeScale(recommender: Recommender): string {
  const scale = recommender.scale;
  return scale
    ? `scores clamped to the training ratings' scale ${scale.min}–${scale.max}`
    : 'implicit feedback: scores are preferences, not ratings (not clamped)';
}

/** The users a `--users FILE` names, one per line (blank lines and `#` comments skipped), each checked. */
function readUsersFile(file: string, recommender: Recommender): Uint32Array {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new NotFoundError(`recommend: users file ${file} not found`, { file });
    throw new GasError('GAS_ERR_IO', `recommend: cannot read users file ${file}: ${(error as Error).message}`, { file });
  }
  const users: number[] = [];
  const lines = text.split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!.replace(/^\uFEFF/, '').trim();
    if (line === '' || line.startsWith('#')) continue;
    if (/[\s,;]/.test(line)) throw new ParseError(file, n + 1, 'expected one user id per line', lines[n]);
    const user = recommender.findUser(line);
    if (user < 0) throw new NotFoundError(`${file}:${n + 1}: ${recommender.describeMissingUser(line)}`, { file, line: n + 1, user: line });
    users.push(user);
  }
  return Uint32Array.from(users);
}
