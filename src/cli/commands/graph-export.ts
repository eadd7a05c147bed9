import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import { Command, Option } from 'clipanion';
import { EXPORT_FORMATS, exportGraph, type ExportFormat } from '../../api/index.js';
import { GasError } from '../../errors.js';
import { GasCommand } from '../base.js';

export class GraphExportCommand extends GasCommand {
  static override paths = [['graph', 'export']];

  static override usage = Command.Usage({
    description: 'Write a graph out under its original labels',
    details:
      'SNAP text (source, target and weight separated by tabs) or graphology JSON (`Graph.from(JSON.parse(text))`). Importing the export again gives the same graph.',
    examples: [
      ['SNAP text to stdout', '$0 graph export cnr --format snap'],
      ['graphology JSON to a file', '$0 graph export cnr --format graphology -o cnr.json'],
    ],
  });

  name = Option.String({ name: 'graph' });
  format = Option.String('--format', 'snap', { description: `${EXPORT_FORMATS.join(' | ')} (default snap)` });
  output = Option.String('-o,--output', { description: 'Output file (default: stdout)' });

  async run(): Promise<void> {
    await this.withCatalog(async (catalog) => {
      if (!this.output) {
        await exportGraph(catalog, this.name, this.format as ExportFormat, this.context.stdout);
        return;
      }
      catalog.getGraph(this.name);
      const out = createWriteStream(this.output);
      const opened = new Promise<void>((resolve, reject) => {
        out.once('open', () => resolve());
        out.once('error', (error) => reject(new GasError('GAS_ERR_IO', `graph export: cannot write ${this.output}: ${error.message}`, { file: this.output })));
      });
      await opened;
      await exportGraph(catalog, this.name, this.format as ExportFormat, out);
      out.end();
      await finished(out);
    });
  }
}
