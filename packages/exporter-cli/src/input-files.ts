/**
 * FILE arguments of the verbs. A file that does not exist (or is a directory) is a mistake in the command
 * line, so it is a usage error (exit 2) with one line naming the file, before any work starts; a file that
 * exists but cannot be read (permissions, I/O) is a failure (exit 1).
 */
import { readFile, stat } from 'node:fs/promises';
import { CliError } from './errors.ts';

/** The usage error for a FILE argument that is not a file, or `undefined` for any other read error. */
function notAFile(verb: string, file: string, error: unknown): CliError | undefined {
  const code = (error as NodeJS.ErrnoException).code;
  const why =
    code === 'ENOENT' || code === 'ENOTDIR' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : '';
  if (!why) return undefined;
  return new CliError('INPUT_MISSING', `${verb}: ${file}: ${why}`, { cause: error });
}

/**
 * Reads a FILE argument as UTF-8.
 * @throws CliError `INPUT_MISSING` (usage) when it does not exist or is a directory, `INPUT_READ` otherwise
 */
export async function readInputFile(verb: string, file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw (
      notAFile(verb, file, error) ??
      new CliError('INPUT_READ', `${verb}: cannot read ${file}: ${(error as Error).message}`, {
        cause: error,
      })
    );
  }
}

/**
 * Checks that every FILE argument is a file before a verb hands them to a library that would report a
 * missing one as a failed check or test (exit 1) instead of a usage error.
 * @throws CliError `INPUT_MISSING` naming the first FILE that is missing or a directory
 */
export async function requireInputFiles(verb: string, files: readonly string[]): Promise<void> {
  for (const file of files) {
    try {
      if ((await stat(file)).isDirectory()) {
        throw new CliError('INPUT_MISSING', `${verb}: ${file}: is a directory`);
      }
    } catch (error) {
      if (error instanceof CliError) throw error;
      const problem = notAFile(verb, file, error);
      // Anything else (permissions) is left to the reader, which reports it as a failure.
      if (problem) throw problem;
    }
  }
}
