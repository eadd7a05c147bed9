/**
 * How messages should move between worker threads: a fresh typed array per message moved with a
 * transfer list (what the engine does), or a preallocated SharedArrayBuffer region per direction
 * that the sender writes into and the receiver reads in place, with a small postMessage as the
 * signal. Both sides pack and read every element, as the engine's codecs do.
 *
 *   node --import tsx bench/transfer.ts [--rounds 50]
 *
 * Prints one JSON line per message size and method: the median round trip in ms and GB/s.
 */
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { median, round } from './lib.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '50' } } });
const rounds = Number(values.rounds);
const SIZES = [1 << 14, 1 << 17, 1 << 20, 1 << 22]; // doubles: 128 KiB … 32 MiB

const WORKER = `
const { parentPort } = require('node:worker_threads');
let shared = null;
parentPort.on('message', (m) => {
  if (m.kind === 'shared-setup') { shared = { in: new Float64Array(m.in), out: new Float64Array(m.out) }; parentPort.postMessage('ready'); return; }
  if (m.kind === 'transfer') {
    const a = m.data; let s = 0; for (let i = 0; i < a.length; i++) s += a[i];
    const back = new Float64Array(a.length); for (let i = 0; i < back.length; i++) back[i] = s + i;
    parentPort.postMessage({ data: back }, [back.buffer]);
  } else {
    const a = shared.in.subarray(0, m.length); let s = 0; for (let i = 0; i < a.length; i++) s += a[i];
    const back = shared.out.subarray(0, m.length); for (let i = 0; i < back.length; i++) back[i] = s + i;
    parentPort.postMessage({ length: m.length });
  }
});`;

const worker = new Worker(WORKER, { eval: true });
const next = (): Promise<{ data?: Float64Array; length?: number }> => new Promise((resolve) => worker.once('message', resolve));
const max = SIZES[SIZES.length - 1]!;
const sharedIn = new SharedArrayBuffer(max * 8);
const sharedOut = new SharedArrayBuffer(max * 8);
worker.postMessage({ kind: 'shared-setup', in: sharedIn, out: sharedOut });
await next();
const viewIn = new Float64Array(sharedIn);
const viewOut = new Float64Array(sharedOut);

for (const size of SIZES) {
  for (const method of ['transfer', 'shared'] as const) {
    const times: number[] = [];
    for (let r = 0; r < rounds + 3; r++) {
      const started = performance.now();
      let check = 0;
      if (method === 'transfer') {
        const message = new Float64Array(size);
        for (let i = 0; i < size; i++) message[i] = i;
        worker.postMessage({ kind: 'transfer', data: message }, [message.buffer]);
        const { data } = await next();
        for (let i = 0; i < data!.length; i++) check += data![i]!;
      } else {
        for (let i = 0; i < size; i++) viewIn[i] = i;
        worker.postMessage({ kind: 'shared', length: size });
        const { length } = await next();
        for (let i = 0; i < length!; i++) check += viewOut[i]!;
      }
      if (r >= 3) times.push(performance.now() - started);
      if (check < 0) throw new Error('unreachable');
    }
    const ms = median(times);
    console.log(
      JSON.stringify({ bench: 'thread-messages', method, bytes: size * 8, roundTripMs: round(ms), gbPerSecond: round((2 * size * 8) / (ms / 1000) / 1e9) }),
    );
  }
}
await worker.terminate();
