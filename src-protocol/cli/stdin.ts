/** Reads one secret line from standard input (piped or typed). */
import { PosternError } from '../common/errors.ts';

export async function readSecretFromStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('Password: ');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk as Buffer);
    if (Buffer.concat(chunks).includes(10)) break;
  }
  const line = Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
  if (!line) throw new PosternError('CREDENTIAL_MISSING', 'No password was given on standard input (or use --password-env VARIABLE).');
  return line;
}
