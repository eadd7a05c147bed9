/**
 * The README, followed line by line on a fresh machine: every command of its ```sh blocks runs,
 * in order, in a fresh clone of this repository with a fresh data directory, and must succeed.
 *
 * - The commands are extracted from README.md when the test runs, so the test follows the README
 *   as it changes. Each ```sh block runs as one `bash -c` script under `set -euo pipefail` (shell
 *   variables such as `ALS_JOB=$(npx gasworks jobs --last --graph ml)` live within their block).
 *   A ```ts block whose preceding paragraph says "Save as `FILE`" is written to FILE in the clone
 *   before the blocks after it run (the README then runs it with `npx tsx FILE`).
 * - Lines in SKIPPED below are not run; each entry says why. Nothing else is skipped: a command
 *   too slow for this suite is a command to shorten in the README, not to skip here.
 * - "Fresh clone": `git clone --no-hardlinks` of this checkout into a temporary directory, with
 *   `GASWORKS_HOME` pointing at a new, empty directory. To avoid a second `npm ci` (slow, and CI is
 *   offline except for the npm registry), the clone's `node_modules` is a symlink to this
 *   checkout's, and `dist/` is a copy of this checkout's build (so run `npm run build` first;
 *   `npm test` does). The clone is of the committed tree, but its README.md is replaced by this
 *   checkout's, so an edited README is tested before it is committed (in CI they are the same).
 * - The README reads data sets from `../shared/data/…` relative to the repository root: the clone
 *   sits next to a `shared` symlink to this checkout's `../shared`. The test fails, naming them,
 *   when files the README reads are missing.
 *
 * Takes about a minute on two loaded cores (cnr-2000 import and PageRank, ALS on MovieLens
 * small, 100 LDA iterations on KOS, a Kronecker scale-16 graph, the library snippets).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const REPO = process.cwd();
const SHARED = path.resolve(REPO, '../shared');

/** README lines that are not run, with the reason (matched against the trimmed command line). */
const SKIPPED: readonly { readonly pattern: RegExp; readonly reason: string }[] = [
  { pattern: /^npm (install|ci)\b/, reason: 'the clone reuses this checkout’s node_modules and dist/ (see the doc comment)' },
  { pattern: /^npm test\b/, reason: 'the test suite, which runs this test' },
  { pattern: /^npm run\b/, reason: 'development scripts (build, typecheck, benchmarks): not part of using gasworks, and minutes long' },
  { pattern: /^node --import tsx bench\//, reason: 'long-running benchmarks on the full data sets (test/bench.test.ts runs each on a small input)' },
  { pattern: /^gasworks worker --listen\b/, reason: 'a remote worker serves until stopped, on another machine (test/cluster.test.ts covers it)' },
  { pattern: /--cluster\s/, reason: 'needs the remote worker machines of the line above (test/cluster.test.ts covers clusters)' },
];

interface Block {
  readonly kind: 'sh' | 'file';
  /** sh: the commands to run (skipped lines removed); file: the file's text. */
  readonly text: string;
  /** file: where the README says to save it. */
  readonly file?: string;
  /** The README line the block starts on (1-based), for messages. */
  readonly line: number;
  readonly skipped: readonly string[];
}

/** The README's runnable blocks in order: ```sh blocks, and ```ts blocks it says to save as a file. */
function readmeBlocks(readme: string): Block[] {
  const lines = readme.split('\n');
  const blocks: Block[] = [];
  let prose: string[] = []; // the paragraph being read
  let paragraph = ''; // the last complete paragraph since the previous block
  for (let i = 0; i < lines.length; i++) {
    const fence = /^```(\S*)\s*$/.exec(lines[i]!);
    if (!fence) {
      if (lines[i]!.trim() !== '') prose.push(lines[i]!);
      else if (prose.length > 0) {
        paragraph = prose.join(' ');
        prose = [];
      }
      continue;
    }
    const lang = fence[1]!;
    const start = i + 1;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]!); i++) body.push(lines[i]!);
    if (prose.length > 0) paragraph = prose.join(' ');
    const before = paragraph;
    prose = [];
    paragraph = '';
    if (lang === 'sh') {
      const commands: string[] = [];
      const skipped: string[] = [];
      for (const raw of joinContinuations(body)) {
        const command = raw.trim();
        if (command === '' || command.startsWith('#')) continue;
        if (SKIPPED.some((s) => s.pattern.test(command))) skipped.push(command);
        else commands.push(command);
      }
      if (commands.length > 0 || skipped.length > 0) blocks.push({ kind: 'sh', text: commands.join('\n'), line: start, skipped });
    } else if (/^(ts|typescript|mts)$/.test(lang)) {
      const save = /save (?:it )?as `([^`]+)`/i.exec(before);
      if (save) blocks.push({ kind: 'file', file: save[1]!, text: `${body.join('\n')}\n`, line: start, skipped: [] });
    }
  }
  return blocks;
}

function joinContinuations(lines: readonly string[]): string[] {
  const out: string[] = [];
  let pending = '';
  for (const line of lines) {
    if (line.endsWith('\\')) pending += `${line.slice(0, -1)} `;
    else {
      out.push(pending + line);
      pending = '';
    }
  }
  if (pending) out.push(pending);
  return out;
}

const readme = readFileSync(path.join(REPO, 'README.md'), 'utf8');
const blocks = readmeBlocks(readme);
const work = mkdtempSync(path.join(tmpdir(), 'gasworks-readme-'));

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('README, followed line by line in a fresh clone', () => {
  it('has commands to run, and names what it skips', () => {
    const run = blocks.filter((b) => b.kind === 'sh' && b.text !== '');
    expect(run.length).toBeGreaterThanOrEqual(3);
    expect(blocks.some((b) => b.kind === 'file')).toBe(true);
    const skipped = blocks.flatMap((b) => b.skipped);
    // Every skipped line matches an entry of SKIPPED; list them so a reader of the log sees them.
    console.log(`README lines not run:\n${skipped.map((c) => `  ${c}  (${SKIPPED.find((s) => s.pattern.test(c))!.reason})`).join('\n')}`);
  });

  it('runs every command in order and each succeeds', { timeout: 300_000 }, () => {
    expect(existsSync(path.join(REPO, 'dist/cli/main.js')), 'dist/ is missing: run `npm run build` first (npm test does)').toBe(true);
    const needed = [...new Set(readme.match(/\.\.\/shared\/data\/[^\s`'")]+/g) ?? [])];
    const missing = needed.filter((file) => !existsSync(path.resolve(REPO, file)));
    expect(missing, `the README reads these data sets, missing from ${SHARED}/data: ${missing.join(', ')}`).toEqual([]);

    const clone = path.join(work, 'gasworks');
    const git = spawnSync('git', ['clone', '--quiet', '--no-hardlinks', REPO, clone], { encoding: 'utf8' });
    expect(git.status, `git clone failed: ${git.stderr}`).toBe(0);
    symlinkSync(path.join(REPO, 'node_modules'), path.join(clone, 'node_modules'), 'dir');
    cpSync(path.join(REPO, 'dist'), path.join(clone, 'dist'), { recursive: true });
    writeFileSync(path.join(clone, 'README.md'), readme);
    symlinkSync(SHARED, path.join(work, 'shared'), 'dir');
    const home = path.join(work, 'home');
    const env: NodeJS.ProcessEnv = { ...process.env, GASWORKS_HOME: home, NO_COLOR: '1' };
    delete env.GASWORKS_MAX_CACHED_SHARDS;

    const timings: string[] = [];
    for (const block of blocks) {
      if (block.kind === 'file') {
        writeFileSync(path.join(clone, block.file!), block.text);
        continue;
      }
      if (block.text === '') continue;
      const script = `set -euo pipefail\ntrap 'echo "README.md:${block.line}: failed: $BASH_COMMAND" >&2' ERR\n${block.text}\n`;
      const started = performance.now();
      const result = spawnSync('bash', ['-c', script], { cwd: clone, env, encoding: 'utf8', timeout: 240_000, maxBuffer: 64 * 1024 * 1024 });
      const seconds = (performance.now() - started) / 1000;
      timings.push(`README.md:${block.line}  ${seconds.toFixed(1)} s  ${block.text.split('\n')[0]}${block.text.includes('\n') ? ' …' : ''}`);
      const tail = (text: string) => text.split('\n').slice(-30).join('\n');
      expect(
        result.status,
        `the block at README.md:${block.line} failed (status ${result.status}, signal ${result.signal ?? 'none'}${result.error ? `, ${result.error.message}` : ''}):\n${block.text}\n--- stderr (end) ---\n${tail(result.stderr)}\n--- stdout (end) ---\n${tail(result.stdout)}`,
      ).toBe(0);
    }
    console.log(`README blocks, time each:\n${timings.join('\n')}`);
  });
});
