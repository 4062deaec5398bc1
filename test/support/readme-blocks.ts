/** Reading the README's code blocks, for the tests that compile and install them. */

/** The README's ```ts blocks, with the line each starts on. */
export function readmeTypeScriptBlocks(readme: string): { line: number; code: string }[] {
  const blocks: { line: number; code: string }[] = [];
  const lines = readme.split('\n');
  for (let index = 0; index < lines.length; index++) {
    if (lines[index] !== '```ts') continue;
    const start = index + 1;
    let end = start;
    while (end < lines.length && lines[end] !== '```') end++;
    blocks.push({ line: start + 1, code: lines.slice(start, end).join('\n') + '\n' });
    index = end;
  }
  return blocks;
}
