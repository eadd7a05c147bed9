// Scratch harness (not committed): CPU time per LDA step on KOS, robust to a loaded machine.
import { existsSync } from 'node:fs';
import { fromDist } from './lib.js';
const { Catalog } = await fromDist<typeof import('../src/storage/index.js')>('storage/index.js');
const { importGraphFile, runJob } = await fromDist<typeof import('../src/api/index.js')>('api/index.js');
const dir = '/tmp/gw/kosdata';
const fresh = !existsSync(dir);
const catalog = Catalog.open(dir);
if (fresh) await importGraphFile(catalog, { file: '../shared/data/docword.kos.txt.gz', vocab: '../shared/data/vocab.kos.txt.gz', format: 'uci', name: 'kos', partitions: 4 });
const [topics, sampler, iters, mhSteps, likelihoodEvery] = [Number(process.argv[2] ?? 20), process.argv[3] ?? 'exact', Number(process.argv[4] ?? 40), Number(process.argv[5] ?? 2), Number(process.argv[6] ?? 1)];
const cpu: number[] = [];
let last = process.cpuUsage();
const job = await runJob(catalog, { graph: 'kos', algorithm: 'lda', options: { topics, sampler, maxIterations: iters, mhSteps, likelihoodEvery }, workers: 1, top: 0,
  onStep: () => { const now = process.cpuUsage(); cpu.push((now.user - last.user + now.system - last.system) / 1000); last = now; } });
cpu.sort((a, b) => a - b);
const med = cpu[cpu.length >> 1]!;
const ll = job.logLikelihoodPerToken as number[];
console.log(JSON.stringify({ topics, sampler: job.sampler, cpuMsPerStep: +med.toFixed(1), MtokPerCpuS: +(job.tokens as number / med / 1000).toFixed(2), wallMtokS: +((job.tokensPerSecond as number) / 1e6).toFixed(2), ll: ll.at(-1) }));
catalog.close();
