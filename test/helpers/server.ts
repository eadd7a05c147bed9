/**
 * Fixtures for the REST server's tests: an app on a fresh data directory with graph files in
 * its uploads/ folder, a way to see what the catalog holds (so each refusal can be shown to
 * have stored nothing), multipart bodies built by hand, and a reader of Server-Sent Events.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppOptions } from '../../src/server/index.js';
import { Catalog } from '../../src/index.js';
import { makeTempDir } from './graph-files.js';

export interface TestServer {
  readonly app: FastifyInstance;
  readonly catalog: Catalog;
  readonly dataDir: string;
  /** `<dataDir>/uploads`. */
  readonly uploads: string;
  /** A directory next to (outside) the data directory. */
  readonly outside: string;
  /** Graph names and job ids in the catalog, and files under uploads/ (to show a refusal stored nothing). */
  stored(): { graphs: string[]; jobs: number[]; uploads: string[] };
  close(): Promise<void>;
}

/** The small directed graph most tests use: a→b, a→c, b→c, c→a, d→c. */
export const SMALL_GRAPH = 'a b\na c\nb c\nc a\nd c\n';

/**
 * 5 000 vertices, 20 000 edges: PageRank on it with `tolerance: 0, maxIterations: 1e6` runs
 * until it is cancelled or interrupted, taking a few milliseconds per step.
 */
export const LONG_GRAPH = `${Array.from({ length: 20000 }, (_, i) => `${i % 5000} ${(i * 7919 + 13) % 5000}`).join('\n')}\n`;

/** The options that keep a PageRank job on LONG_GRAPH running until it is stopped. */
export const ENDLESS_PAGERANK = { tolerance: 0, maxIterations: 1000000 };

export async function startTestServer(options: Omit<AppOptions, 'dataDir' | 'catalog'> = {}): Promise<TestServer> {
  const root = makeTempDir('gasworks-server-');
  const dataDir = join(root, 'data');
  const outside = join(root, 'outside');
  mkdirSync(outside);
  const catalog = Catalog.open(dataDir);
  const uploads = join(dataDir, 'uploads');
  mkdirSync(uploads, { recursive: true });
  const app = buildApp({ catalog, rateLimit: false, ...options });
  await app.ready();
  return {
    app,
    catalog,
    dataDir,
    uploads,
    outside,
    stored: () => ({
      graphs: catalog.listGraphs().map((graph) => graph.name),
      jobs: catalog.jobs.list({ limit: 1000 }).map((job) => job.id),
      uploads: listFiles(uploads),
    }),
    async close() {
      await app.close();
      catalog.close();
    },
  };
}

function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? listFiles(join(dir, entry.name), `${prefix}${entry.name}/`) : [`${prefix}${entry.name}`],
  );
}

export function writeUpload(server: TestServer, name: string, text: string): string {
  const path = join(server.uploads, name);
  writeFileSync(path, text);
  return path;
}

/** A multipart/form-data body: text fields and files, in order. */
export function multipartBody(
  parts: readonly (
    { readonly name: string; readonly value: string } | { readonly name: string; readonly filename: string; readonly content: string | Buffer }
  )[],
): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----gasworks${Math.random().toString(16).slice(2)}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    if ('value' in part) {
      chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"\r\n\r\n${part.value}\r\n`));
    } else {
      chunks.push(
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"; filename="${part.filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
        ),
        Buffer.isBuffer(part.content) ? part.content : Buffer.from(part.content),
        Buffer.from('\r\n'),
      );
    }
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

export interface SseEvent {
  readonly id: string | null;
  readonly event: string | null;
  readonly data: string;
}

/** The events of a Server-Sent Events body (comments and `retry:` lines left out). */
export function parseSse(body: string): SseEvent[] {
  return body
    .split('\n\n')
    .map((block) => block.split('\n').filter((line) => line !== '' && !line.startsWith(':')))
    .filter((lines) => lines.some((line) => line.startsWith('data:')))
    .map((lines) => {
      const field = (name: string): string | null =>
        lines
          .find((line) => line.startsWith(`${name}:`))
          ?.slice(name.length + 1)
          .trim() ?? null;
      return { id: field('id'), event: field('event'), data: field('data') ?? '' };
    });
}

/** Polls GET /jobs/:id until the job has ended; its record. */
export async function waitForJob(app: FastifyInstance, id: number, headers: Record<string, string> = {}): Promise<Record<string, unknown>> {
  for (let attempt = 0; attempt < 600; attempt++) {
    const response = await app.inject({ method: 'GET', url: `/jobs/${id}`, headers });
    const job = response.json() as Record<string, unknown>;
    if (!['queued', 'running'].includes(job.status as string)) return job;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`job ${id} did not end`);
}
