import { Command, Option } from 'clipanion';
import { KRONECKER_DEFAULTS, writeKroneckerEdgeList } from '../../generate/kronecker.js';
import { GasCommand, formatCount, integerOption } from '../base.js';

export class GenerateKronCommand extends GasCommand {
  static override paths = [['generate', 'kron']];

  static override usage = Command.Usage({
    description: 'Write a Graph500 Kronecker (R-MAT) graph as a SNAP edge list',
    details: `
      2^scale vertices and edge-factor × 2^scale edges drawn with quadrant probabilities A=0.57, B=0.19, C=0.19 (D=0.05), vertex ids randomly permuted, as in the Graph500 specification. Self-loops and duplicate edges are kept, as the generator produces them. The output is gzip-compressed when the file name ends in .gz.
    `,
    examples: [
      ['Scale 20 (1 M vertices, 16 M edges)', '$0 generate kron --scale 20 --edge-factor 16 --seed 1 -o kron20.txt'],
      ['Then import it as an undirected graph', '$0 import kron20.txt --name kron20 --undirected'],
    ],
  });

  scale = Option.String('--scale', { required: true, description: 'log2 of the number of vertices (1..30)' });
  edgeFactor = Option.String('--edge-factor', { description: `edges per vertex (default ${KRONECKER_DEFAULTS.edgeFactor})` });
  seed = Option.String('--seed', { description: `random seed (default ${KRONECKER_DEFAULTS.seed})` });
  output = Option.String('-o,--output', { required: true, description: 'Output file (.gz to compress)' });

  async run(): Promise<void> {
    const options = {
      scale: integerOption(this.scale, '--scale', 1, 30)!,
      edgeFactor: integerOption(this.edgeFactor, '--edge-factor', 1, 1 << 20) ?? KRONECKER_DEFAULTS.edgeFactor,
      seed: integerOption(this.seed, '--seed', 0, Number.MAX_SAFE_INTEGER) ?? KRONECKER_DEFAULTS.seed,
    };
    const started = performance.now();
    const result = await writeKroneckerEdgeList(options, this.output);
    const seconds = (performance.now() - started) / 1000;
    if (this.json) this.printJson({ ...options, file: this.output, ...result, seconds });
    else
      this.context.stdout.write(
        `wrote ${formatCount(result.edges)} edges over ${formatCount(result.vertices)} vertex ids to ${this.output} in ${seconds.toFixed(2)} s\n`,
      );
  }
}
