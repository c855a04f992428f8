/**
 * Markdown.tsx renders lesson text with React elements only: rendered to HTML by react-dom itself,
 * a corpus of hostile texts yields no element the lesson did not ask for in markdown, no event
 * handler and no link to anything but http(s) or an in-page anchor.
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { Markdown, MarkdownBlocks, safeHref } from './Markdown';

const html = (text: string) => renderToStaticMarkup(createElement(Markdown, { text }));
const TAGS = new Set(['div', 'p', 'h3', 'h4', 'h5', 'ul', 'ol', 'li', 'strong', 'em', 'code', 'pre', 'a']);

const HOSTILE = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '<a href="javascript:alert(1)">x</a>',
  '[x](javascript:alert(1))',
  '[x](JaVaScRiPt:alert(1))',
  '[x](jav&#x61;script:alert(1))',
  '[x]( javascript:alert(1))',
  '[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
  '[x](vbscript:msgbox(1))',
  '[x](//evil.example/)',
  '[x](https://ok.example/" onmouseover="alert(1))',
  '**<b onmouseover=alert(1)>bold</b>**',
  '```\n</pre><script>alert(1)</script>\n```',
  '<svg onload=alert(1)>',
  '<iframe src="https://evil.example"></iframe>',
  '# <style>body{display:none}</style>',
  '- <details open ontoggle=alert(1)>',
];

describe('Markdown', () => {
  it.each(HOSTILE)('renders %j without any element, handler or link it should not have', (text) => {
    const out = html(text);
    const tags = [...out.matchAll(/<([a-z0-9]+)/gi)].map((m) => m[1]!.toLowerCase());
    for (const t of tags) expect(TAGS, `<${t}> in ${out}`).toContain(t);
    expect(out).not.toMatch(/<[^>]+\son\w+=/i); // no attribute named on…
    for (const m of out.matchAll(/href="([^"]*)"/g)) expect(m[1]).toMatch(/^(https?:\/\/[^\s/]|#)/);
  });

  it('renders the markdown it supports as the elements it names, with safe external links', () => {
    const out = html('# Title\n\nSome **bold**, *em* and `code`.\n\n- one\n- two\n\n1. first\n\n[LayerLab](https://example.org/a?b=1&c=2) and [back](#top)');
    expect(out).toContain('<h3>Title</h3>');
    expect(out).toContain('<strong>bold</strong>');
    expect(out).toContain('<em>em</em>');
    expect(out).toContain('<code>code</code>');
    expect(out).toMatch(/<ul><li>one<\/li><li>two<\/li><\/ul>/);
    expect(out).toMatch(/<ol><li>first<\/li><\/ol>/);
    expect(out).toContain('<a href="https://example.org/a?b=1&amp;c=2" target="_blank" rel="noopener noreferrer">LayerLab</a>');
    expect(out).toContain('<a href="#top">back</a>');
  });

  it('shows a link the renderer does not trust as its text, even if a parser let it through', () => {
    const out = renderToStaticMarkup(createElement(MarkdownBlocks, { blocks: [{ t: 'p', c: [{ t: 'link', href: 'javascript:alert(1)', c: [{ t: 'text', v: 'click' }] }] }] }));
    expect(out).toBe('<div class="ll-md"><p>click</p></div>');
    for (const bad of ['javascript:x', 'data:x', '//evil', 'http://', 'https:/x', ' https://a', '#a"b']) expect(safeHref(bad), bad).toBe(false);
    for (const good of ['https://a.org', 'http://a.org/x', '#step-2']) expect(safeHref(good), good).toBe(true);
  });
});
