/**
 * GibbsLDA++ 0.2 (Phan & Nguyen, http://gibbslda.sourceforge.net) as bench/lda.ts's peer in the
 * same run: writes a corpus in its input format, runs `lda -est` in a fresh folder, times its
 * sampling loop, and computes the training log-likelihood per token from its final assignments
 * the way gasworks reports it. The binary is built outside this repository; nothing of it is
 * committed.
 */
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { accessSync, constants, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { round } from '../lib.js';

/** DIR/lda, checked to be executable. */
export function gibbsLdaBinary(dir: string): string {
  const binary = join(dir, 'lda');
  try {
    accessSync(binary, constants.X_OK);
  } catch {
    throw new Error(`bench/lda --gibbslda: ${binary} is not an executable GibbsLDA++ binary`);
  }
  return binary;
}

/** GibbsLDA++ 0.2's constants.h: it reads each document line with fgets(buff, BUFF_SIZE_LONG - 1), so a longer line would be split silently. */
const GIBBSLDA_LINE_LIMIT = 1_000_000 - 2;

/**
 * Writes a corpus in GibbsLDA++'s -dfile format: the number of documents, then one line per document
 * holding each of its words `count` times, space-separated. `documents` are the documents' (word,
 * count) entries, as the imported graph holds them (so the peer samples exactly the corpus gasworks
 * does). GibbsLDA++ splits lines on whitespace and numbers words by their strings, so a word must be
 * non-empty and whitespace-free. It rejects empty documents; they hold no tokens, so leaving them out
 * changes neither the token count nor the log-likelihood. Returns the tokens written.
 */
export function writeGibbsLdaCorpus(documents: Iterable<readonly (readonly [word: string, count: number])[]>, file: string): number {
  const lines: string[] = [];
  let tokens = 0;
  for (const document of documents) {
    if (document.length === 0) continue;
    for (const [word] of document) {
      if (word === '' || /\s/.test(word))
        throw new Error(`bench/lda --gibbslda: the word ${JSON.stringify(word)}: GibbsLDA++ needs non-empty words without whitespace`);
    }
    const line = document.map(([word, count]) => Array<string>(count).fill(word).join(' ')).join(' ');
    if (Buffer.byteLength(line) + 1 >= GIBBSLDA_LINE_LIMIT) {
      throw new Error(`bench/lda --gibbslda: document ${lines.length + 1} is ${Buffer.byteLength(line)} bytes, beyond GibbsLDA++'s line buffer`);
    }
    lines.push(line);
    tokens += document.reduce((sum, [, count]) => sum + count, 0);
  }
  writeFileSync(file, `${lines.length}\n${lines.join('\n')}\n`);
  return tokens;
}

/** Whether `stdbuf` (GNU coreutils) can be run: without it GibbsLDA++'s stdout to a pipe is block-buffered and its progress lines arrive only at exit. */
function hasStdbuf(): boolean {
  return spawnSync('stdbuf', ['--version'], { stdio: 'ignore' }).error === undefined;
}

/**
 * Runs `binary` with `args` in `cwd` and times GibbsLDA++'s sampling loop: from its "Sampling N iterations!" line
 * (after reading the corpus and the random initialisation) to its "Gibbs sampling completed!" line (before
 * computing θ, φ and saving the model). Without stdbuf, the whole process is timed instead.
 */
async function timeGibbsLda(binary: string, args: string[], cwd: string): Promise<{ seconds: number; samplingLoopOnly: boolean }> {
  const lineBuffered = hasStdbuf();
  const started = performance.now();
  const child = lineBuffered ? spawn('stdbuf', ['-oL', binary, ...args], { cwd }) : spawn(binary, args, { cwd });
  let samplingStarted: number | undefined;
  let samplingEnded: number | undefined;
  const messages: string[] = [];
  createInterface({ input: child.stdout, crlfDelay: Infinity }).on('line', (line) => {
    const now = performance.now();
    if (/^Sampling \d+ iterations!/.test(line)) samplingStarted = now;
    else if (line.startsWith('Gibbs sampling completed!')) samplingEnded = now;
    else if (!line.startsWith('Iteration ')) messages.push(line);
  });
  child.stderr.on('data', (chunk: Buffer) => messages.push(chunk.toString().trim()));
  const [exitCode] = (await once(child, 'close')) as [number | null];
  const ended = performance.now();
  if (exitCode !== 0 || samplingStarted === undefined || samplingEnded === undefined) {
    throw new Error(`bench/lda --gibbslda: ${binary} ${args.join(' ')} exited with ${exitCode} in ${cwd}: ${messages.slice(-5).join(' | ')}`);
  }
  if (!lineBuffered) return { seconds: (ended - started) / 1000, samplingLoopOnly: false };
  return { seconds: (samplingEnded - samplingStarted) / 1000, samplingLoopOnly: true };
}

/**
 * The training log-likelihood per token of GibbsLDA++'s final state, (1/N) Σ_d Σ_w c_dw log Σ_k θ_dk φ_kw, with
 * θ_dk = (n_dk + α)/(n_d + Kα) and φ_kw = (n_wk + β)/(n_k + Wβ) as its compute_theta/compute_phi define them,
 * the counts rebuilt exactly from model-final.tassign (each token's "word:topic"): its .theta/.phi files are
 * printed with 6 decimals. W is its own vocabulary size (model-final.others' nwords: the distinct words it read).
 */
function gibbsLdaLogLikelihood(modelDir: string, topics: number, alpha: number, beta: number): { tokens: number; logLikelihoodPerToken: number } {
  const others = readFileSync(join(modelDir, 'model-final.others'), 'utf8');
  const vocabularySize = Number(/^nwords=(\d+)$/m.exec(others)?.[1]);
  const documents = readFileSync(join(modelDir, 'model-final.tassign'), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) =>
      line
        .trim()
        .split(/\s+/)
        .map((pair) => pair.split(':').map(Number) as [word: number, topic: number]),
    );

  const wordTopic = new Int32Array(vocabularySize * topics); // n_wk, row per word
  const topicTotal = new Int32Array(topics); // n_k
  for (const document of documents) {
    for (const [word, topic] of document) {
      wordTopic[word * topics + topic]!++;
      topicTotal[topic]!++;
    }
  }
  const phi = new Float64Array(vocabularySize * topics); // φ_kw, row per word for the inner loop
  for (let index = 0; index < phi.length; index++) phi[index] = (wordTopic[index]! + beta) / (topicTotal[index % topics]! + vocabularySize * beta);

  let tokens = 0;
  let logLikelihood = 0;
  const theta = new Float64Array(topics);
  for (const document of documents) {
    theta.fill(0);
    for (const [, topic] of document) theta[topic]!++;
    for (let k = 0; k < topics; k++) theta[k] = (theta[k]! + alpha) / (document.length + topics * alpha);
    for (const [word] of document) {
      let probability = 0;
      for (let k = 0; k < topics; k++) probability += theta[k]! * phi[word * topics + k]!;
      logLikelihood += Math.log(probability);
    }
    tokens += document.length;
  }
  return { tokens, logLikelihoodPerToken: logLikelihood / tokens };
}

/** One GibbsLDA++ estimation of `corpusFile` (written by writeGibbsLdaCorpus) in a fresh folder under `parentDir`; prints its JSON line and returns its tokens per second. */
export async function benchGibbsLda(
  binary: string,
  parentDir: string,
  corpus: string,
  corpusFile: string,
  corpusTokens: number,
  topics: number,
  iterations: number,
): Promise<number> {
  const runDir = mkdtempSync(join(parentDir, `gibbslda-${corpus}-k${topics}-`));
  try {
    copyFileSync(corpusFile, join(runDir, 'corpus.dat'));
    const alpha = 50 / topics;
    const beta = 0.1;
    const args = ['-est', '-alpha', String(alpha), '-beta', String(beta), '-ntopics', String(topics)];
    args.push('-niters', String(iterations), '-savestep', String(iterations + 1), '-twords', '0', '-dfile', 'corpus.dat');
    const timing = await timeGibbsLda(binary, args, runDir);
    const { tokens, logLikelihoodPerToken } = gibbsLdaLogLikelihood(runDir, topics, alpha, beta);
    if (tokens !== corpusTokens)
      throw new Error(`bench/lda --gibbslda: GibbsLDA++ assigned ${tokens} tokens of ${corpus}, the corpus written holds ${corpusTokens}`);
    const tokensPerSecond = (tokens * iterations) / timing.seconds;
    console.log(
      JSON.stringify({
        bench: 'lda',
        peer: 'GibbsLDA++',
        corpus,
        topics,
        iterations,
        tokens,
        logLikelihoodPerToken: round(logLikelihoodPerToken),
        tokensPerSecond: Math.round(tokensPerSecond),
        samplingSeconds: round(timing.seconds),
        ...(timing.samplingLoopOnly
          ? {}
          : { timing: 'whole process: stdbuf not found, so the sampling loop could not be timed apart from loading and saving' }),
      }),
    );
    return tokensPerSecond;
  } finally {
    rmSync(runDir, { recursive: true, force: true });
  }
}
