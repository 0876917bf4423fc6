import { describe, expect, it } from 'vitest';
import { inlineParts, parseMarkdown } from './markdown';

describe('markdown subset', () => {
  it('parses headings, lists and paragraphs', () => {
    expect(parseMarkdown('# Terms\n\nFirst line\nsame paragraph\n\n- a\n- b\n\n1. one\n2. two')).toEqual([
      { kind: 'heading', level: 1, text: 'Terms' },
      { kind: 'paragraph', text: 'First line same paragraph' },
      { kind: 'list', ordered: false, items: ['a', 'b'] },
      { kind: 'list', ordered: true, items: ['one', 'two'] }
    ]);
  });

  it('keeps HTML as plain text for the renderer', () => {
    const [b] = parseMarkdown('<script>alert(1)</script>');
    expect(b).toEqual({ kind: 'paragraph', text: '<script>alert(1)</script>' });
    expect(inlineParts('a **b** <i>c</i>')).toEqual([
      { text: 'a ', bold: false },
      { text: 'b', bold: true },
      { text: ' <i>c</i>', bold: false }
    ]);
  });
});
