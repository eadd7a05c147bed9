import { Command, Option } from 'clipanion';
import { topicWords } from '../../api/index.js';
import { GasCommand, integerOption } from '../base.js';

export class TopicsCommand extends GasCommand {
  static override paths = [['topics']];

  static override usage = Command.Usage({
    description: "Each topic's top words under a finished LDA job",
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
    for (const { topic, tokens, words } of topics) {
      this.context.stdout.write(`topic ${String(topic).padStart(3)} (${tokens} tokens): ${words.map((w) => w.word).join(' ')}\n`);
    }
  }
}
