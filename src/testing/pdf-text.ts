import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The text a reader of a PDF sees, as poppler-utils' `pdftotext -layout` extracts it (installed by .ci/run; a row stays on one line), with
 * runs of whitespace (no-break spaces included) folded to one space so tests compare words, not layout.
 */
export async function pdfText(bytes: Buffer): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'purse-pdf-'));
  try {
    const file = join(dir, 'doc.pdf');
    writeFileSync(file, bytes);
    const text = await new Promise<string>((resolve, reject) => {
      execFile('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-'], (err, stdout) => (err ? reject(err) : resolve(stdout)));
    });
    return text.replace(/[\s\u00a0\u202f]+/g, ' ').trim();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
