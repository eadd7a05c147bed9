import { Command, Option } from 'clipanion';
import { recommend } from '../../api/index.js';
import { GasCommand, integerOption } from '../base.js';

export class RecommendCommand extends GasCommand {
  static override paths = [['recommend']];

  static override usage = Command.Usage({
    description: "A user's top items under a finished ALS job's factors",
    details: 'Scores every item by its predicted rating (global mean + biases + factor dot product) for the user, highest first.',
    examples: [['Ten films for user 1, leaving out what they rated', '$0 recommend 3 --user 1 --top 10 --exclude-rated']],
  });

  job = Option.String({ name: 'job' });
  user = Option.String('--user', { required: true, description: 'User id as in the ratings file' });
  top = Option.String('--top', { description: 'How many items (default 10)' });
  excludeRated = Option.Boolean('--exclude-rated', false, { description: 'Leave out items the user has rated' });

  async run(): Promise<void> {
    const rows = await this.withCatalog(async (catalog) =>
      recommend(catalog, this.job, { user: this.user, top: integerOption(this.top, '--top', 1, 1_000_000), excludeRated: this.excludeRated }),
    );
    if (this.json) {
      this.printJson(rows);
      return;
    }
    this.printTable(
      ['item', 'score'],
      rows.map((row) => [row.item, row.score.toFixed(4)]),
    );
  }
}
