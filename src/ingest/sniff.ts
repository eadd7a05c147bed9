/**
 * Format detection when `--format` is not given: the file's first bytes decide where they are
 * unambiguous (a `%%MatrixMarket` banner, a JSON object), otherwise its name (ignoring `.gz`).
 *
 * Before settling on an edge list, the first lines are checked for the formats that an edge-list
 * parser would read without complaint into a wrong graph, or reject with a parse error that does
 * not say what the file is: MovieLens ratings, UCI docword and LDA-C bag-of-words corpora. Those
 * are errors, not warnings: as an edge list, the ratings file's user 1 and movie 1 become one
 * vertex and every job on the graph computes on a graph that is not the data — a wrong answer
 * that nothing downstream can detect — while the error costs one re-run with the right
 * `--format`. A `--format` the user names is trusted and not second-guessed (these checks run
 * only when the format is detected).
 */
import { GasError } from '../errors.js';
import { detectFormat, type GraphFormat, type InputFile } from '../storage/loaders/index.js';

/** Lines examined for a misleading format. */
const HEAD_LINES = 4;

export async function sniffFormat(input: InputFile): Promise<GraphFormat> {
  let head = '';
  for await (const chunk of input.chunks()) {
    head = chunk
      .subarray(0, 4096)
      .toString('utf8')
      .replace(/^\uFEFF/, '')
      .trimStart();
    break;
  }
  if (/^%%MatrixMarket/i.test(head)) return 'mtx';
  if (head.startsWith('{')) return 'graphology';
  const format = detectFormat(input);
  if (format === 'snap' || format === 'tsv' || format === 'csv') refuseMisleadingFormat(input.path, head);
  return format;
}

/** Throws GAS_ERR_INVALID_ARGUMENT naming the right `--format` when the first lines are a ratings or bag-of-words file's. */
function refuseMisleadingFormat(file: string, head: string): void {
  const lines = head
    .split(/\r\n|\r|\n/)
    .slice(0, -1) // the last line may be cut off by the 4 KB window
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#') && !line.startsWith('%'))
    .slice(0, HEAD_LINES);
  if (lines.length === 0) return;
  const header = lines[0]!.split(/[,\t ]+/).map((field) => field.toLowerCase().replace(/^"|"$/g, ''));
  if (header.length >= 3 && /^user_?(id)?$/.test(header[0]!) && /^(movie|item)_?(id)?$/.test(header[1]!) && /^rating$/.test(header[2]!)) {
    throw misleading(
      file,
      `its header ${JSON.stringify(lines[0])} is a ratings file's`,
      '--format ratings',
      'as an edge list, user 1 and item 1 would be one vertex; --format ratings labels them u:1 and i:1',
    );
  }
  if (/^\d+::\d+::/.test(lines[0]!)) {
    throw misleading(file, `its lines ("${lines[0]}") are MovieLens user::item::rating records`, '--format ratings', 'a ratings file is a user → item graph');
  }
  if (lines.length >= HEAD_LINES && lines.slice(0, 3).every((line) => /^\d+$/.test(line)) && /^\d+\s+\d+\s+\d+$/.test(lines[3]!)) {
    throw misleading(
      file,
      'it opens with three single numbers (D, W, NNZ) and then "doc word count" lines, as a UCI docword file does',
      '--format uci --vocab VOCAB_FILE',
      'documents become d:N and words w:WORD',
    );
  }
  if (lines.every((line) => /^\d+(\s+\d+:\d+)+$/.test(line))) {
    throw misleading(
      file,
      'its lines are "N word:count …" documents, as in LDA-C',
      '--format lda-c --vocab VOCAB_FILE',
      'documents become d:N and words w:WORD',
    );
  }
}

function misleading(file: string, evidence: string, format: string, why: string): GasError {
  return new GasError('GAS_ERR_INVALID_ARGUMENT', `${file}: not an edge list: ${evidence}; import it with ${format} (${why}), or pass --format to insist`, {
    file,
    option: 'format',
    suggestion: format,
  });
}
