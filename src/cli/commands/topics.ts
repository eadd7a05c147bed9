import { Command, Option } from 'clipanion';
import { topicWords } from '../../api/index.js';
import { GasCommand, integerOption } from '../base.js';

export class TopicsCommand extends GasCommand {
  static override paths = [['topics']];

  static override usage = Command.Usage({
    description: "Each topic's top words under a finished LDA job",
    details:
      'Topics are named as `results` names its columns (`topic_3`): `results JOB --top 10 --by topic_3` ranks vertices by that column (documents by their share θ of the topic, words by φ, which is far smaller).',
    examples: [['Ten words per topic', '$0 topics 4 --top 10']],
  });

  job = Option.String({ name: 'job' });
  top = Option.String('--top', { description: 'Words per topic (default 10)' });

  async run(): Promise<void> {
    const topics = await this.withCatalog(async (catalog) => topicWords(catalog, this.job, integerOption(this.top, '--top', 1, 1_000_000) ?? 10));
    if (this.json) {
      this.printJson(topics);
      return;
    }
    const width = Math.max(0, ...topics.map((topic) => topic.name.length));
    for (const { name, tokens, words } of topics) {
      this.context.stdout.write(`${name.padEnd(width)}  (${tokens} tokens): ${words.map((w) => w.word).join(' ')}\n`);
    }
  }
}
