import { describe, expect, it } from 'vitest';
import { MAX_INLINE_DEPTH, parseInline, parseMarkdown, safeHref, type MdBlock, type MdInline } from './markdown';
import { LESSON_LIMITS } from './types';

const text = (v: string): MdInline => ({ t: 'text', v });

/** Every inline node of a result, depth first. */
function* inlines(blocks: MdBlock[]): Generator<MdInline> {
  function* walk(list: MdInline[]): Generator<MdInline> {
    for (const n of list) {
      yield n;
      if (n.t === 'strong' || n.t === 'em' || n.t === 'link') yield* walk(n.c);
    }
  }
  for (const b of blocks) {
    if (b.t === 'p' || b.t === 'h') yield* walk(b.c);
    else if (b.t === 'ul' || b.t === 'ol') for (const item of b.items) yield* walk(item);
  }
}

/** The visible text of a result, as a renderer would show it. */
function plain(blocks: MdBlock[]): string {
  const inl = (list: MdInline[]): string => list.map((n) => (n.t === 'text' || n.t === 'code' ? n.v : inl(n.c))).join('');
  return blocks.map((b) => (b.t === 'pre' ? b.v : b.t === 'p' || b.t === 'h' ? inl(b.c) : b.items.map(inl).join('\n'))).join('\n');
}

const BLOCK_KEYS: Record<string, string[]> = { p: ['c', 't'], h: ['c', 'level', 't'], ul: ['items', 't'], ol: ['items', 't'], pre: ['t', 'v'] };
const INLINE_KEYS: Record<string, string[]> = { text: ['t', 'v'], code: ['t', 'v'], strong: ['c', 't'], em: ['c', 't'], link: ['c', 'href', 't'] };

/** The result is a plain data tree of the documented shapes, and every link is http(s) or '#'. */
function expectSafe(blocks: MdBlock[]) {
  const problems: string[] = [];
  for (const b of blocks) if (Object.keys(b).sort().join() !== BLOCK_KEYS[b.t]?.join()) problems.push(`block ${JSON.stringify(b).slice(0, 80)}`);
  for (const n of inlines(blocks)) {
    if (Object.keys(n).sort().join() !== INLINE_KEYS[n.t]?.join()) problems.push(`inline ${JSON.stringify(n).slice(0, 80)}`);
    if (n.t === 'link') {
      if (!/^(https?:\/\/[^\s"'<>\\`]+|#[A-Za-z0-9_-]*)$/i.test(n.href)) problems.push(`href ${n.href}`);
      else if (!/^https?:$/.test(new URL(n.href, 'https://base.example/').protocol)) problems.push(`protocol ${n.href}`);
    }
  }
  expect(problems).toEqual([]);
}

const HOSTILE = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '<a href="javascript:alert(1)">x</a>',
  '[click](javascript:alert(1))',
  '[click](JaVaScRiPt:alert(1))',
  '[click](java&#115;cript:alert(1))',
  '[click](&#106;avascript:alert(1))',
  '[click](java\u0000script:alert(1))',
  '[click](\u0000javascript:alert(1))',
  '[click]( javascript:alert(1))',
  '[click](javascript\t:alert(1))',
  '[click](jav\nascript:alert(1))',
  '[click](vbscript:msgbox(1))',
  '[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
  '[click](DATA:text/html,<script>alert(1)</script>)',
  '[click](//evil.example/x)',
  '[click](\\\\evil.example\\x)',
  '[click](https:evil.example)',
  '[click](http:/evil.example)',
  '[click](file:///etc/passwd)',
  '[click](https://ok.example" onmouseover="alert(1))',
  "[click](https://ok.example'onmouseover='alert(1))",
  '[click](https://ok.example<script>)',
  '[click](#x" onclick="alert(1))',
  '[a [nested](javascript:alert(1)) b](https://ok.example)',
  '[[[[x](javascript:1)](javascript:2)](javascript:3)](javascript:4)',
  '[x](https://ok.example)(javascript:alert(1))',
  '![img](https://ok.example/a.png)',
  '![img](javascript:alert(1))',
  '**bold *italic [link](javascript:x)* still**',
  '*unclosed **markers [and brackets `and ticks',
  '```\n<script>alert(1)</script>\n',
  '# <script>alert(1)</script>',
  '- <img src=x onerror=alert(1)>\n- [x](javascript:alert(1))',
  '&lt;script&gt;alert(1)&lt;/script&gt;',
  '<svg/onload=alert(1)>',
  '<iframe src="https://evil.example"></iframe>',
  '`<script>` in code and \\[escaped](javascript:alert(1))',
  '[x](https://ok.example/\u2028javascript:alert(1))',
  '[x](https://\u0085ok.example)',
];

describe('hostile lesson texts', () => {
  it.each(HOSTILE.map((h) => [JSON.stringify(h).slice(0, 70), h] as const))('%s', (_name, src) => {
    const blocks = parseMarkdown(src);
    expectSafe(blocks);
    // Nothing the author wrote disappears silently: raw HTML comes back as visible text.
    for (const tag of ['<script>', '<img', '<svg', '<iframe', '<a href']) {
      if (src.includes(tag)) expect(plain(blocks)).toContain(tag);
    }
    expect(plain(blocks)).not.toMatch(/^$/);
  });

  it('never makes a link from any unsafe scheme', () => {
    for (const src of HOSTILE) {
      for (const n of inlines(parseMarkdown(src))) if (n.t === 'link') expect(n.href.startsWith('https://ok.example') || n.href.startsWith('#')).toBe(true);
    }
  });

  it('shows an unsafe link as its text, source included', () => {
    const b = parseMarkdown('[click](javascript:alert(1))');
    expect([...inlines(b)].some((n) => n.t === 'link')).toBe(false);
    expect(plain(b)).toBe('[click](javascript:alert(1))');
  });

  it('does not support images: they stay text', () => {
    const b = parseMarkdown('![cat](https://ok.example/cat.png)');
    expect(plain(b)).toContain('!');
    expect(b).toEqual([{ t: 'p', c: [text('!'), { t: 'link', href: 'https://ok.example/cat.png', c: [text('cat')] }] }]);
  });

  it('safeHref', () => {
    expect(safeHref('https://example.org/a?b=c#d')).toBe(true);
    expect(safeHref('HTTP://EXAMPLE.ORG')).toBe(true);
    expect(safeHref('#step-2')).toBe(true);
    for (const bad of ['javascript:alert(1)', 'data:text/html,x', '//x.org', '/relative', 'relative.html', 'https://', 'https:x', ' https://x.org', 'https://x.org/\u0000', '#a b', 'mailto:a@b.c']) {
      expect(safeHref(bad), bad).toBe(false);
    }
    expect(safeHref(`https://x.org/${'a'.repeat(5000)}`)).toBe(false);
  });
});

describe('huge and pathological inputs', () => {
  const K100 = 100 * 1024;
  const cases: [string, string][] = [
    ['100 KB of *', '*'.repeat(K100)],
    ['100 KB of [', '['.repeat(K100)],
    ['100 KB of ]', ']'.repeat(K100)],
    ['100 KB of `', '`'.repeat(K100)],
    ['100 KB of "*a "', '*a '.repeat(K100 / 3)],
    ['100 KB of "**a "', '**a '.repeat(K100 / 4)],
    ['100 KB of "a* "', 'a* '.repeat(K100 / 3)],
    ['100 KB of "[a]("', '[a]('.repeat(K100 / 4)],
    ['100 KB of "[](http://"', '[](http://'.repeat(K100 / 10)],
    ['100 KB of "](https://a.b) "', '[' .repeat(K100 / 20) + '](https://a.b) '.repeat(K100 / 30)],
    ['100 KB of "`a"', '`a'.repeat(K100 / 2)],
    ['100 KB of "\\\\*"', '\\*'.repeat(K100 / 2)],
    ['100 KB of "# "', '# '.repeat(K100 / 2)],
    ['100 KB of "- " lines', '- a\n'.repeat(K100 / 4)],
    ['100 KB of "-" then spaces', `-${' '.repeat(K100)}\u2028x`],
    ['100 KB of "1." lines', '1. a\n'.repeat(K100 / 5)],
    ['100 KB of newlines', '\n'.repeat(K100)],
    ['100 KB of ```', '```\n'.repeat(K100 / 4)],
    ['100 KB of nested *[', '*['.repeat(K100 / 2) + ']*(https://a.b)'.repeat(100)],
    ['100 KB of <', '<'.repeat(K100)],
  ];
  it.each(cases)('%s: linear time and a safe result', (_name, src) => {
    // Structural bound, not a performance claim: quadratic work on 100 KB takes tens of seconds.
    // The best of up to three tries, as the shared 2-core machine stalls now and then.
    let best = Infinity;
    let blocks: MdBlock[] = [];
    for (let i = 0; i < 3 && best >= 800; i++) {
      const t0 = performance.now();
      blocks = parseMarkdown(src);
      best = Math.min(best, performance.now() - t0);
    }
    expect(best).toBeLessThan(800);
    expectSafe(blocks);
  });

  it('keeps all 100 KB of a marker run as text', () => {
    expect(plain(parseMarkdown('*'.repeat(100 * 1024)))).toBe('*'.repeat(100 * 1024));
    expect(plain(parseMarkdown('['.repeat(100 * 1024)))).toBe('['.repeat(100 * 1024));
  });

  it('cuts a text over the limit, with a note', () => {
    const src = 'a'.repeat(LESSON_LIMITS.maxTextLength + 10);
    const blocks = parseMarkdown(src);
    expect(blocks).toHaveLength(2);
    expect(plain([blocks[0]!])).toBe('a'.repeat(LESSON_LIMITS.maxTextLength));
    expect(plain([blocks[1]!])).toMatch(/cut/);
  });

  it('bounds the nesting of emphasis', () => {
    const depth = 50;
    const src = `${'*a **b '.repeat(depth)}c${' d** e*'.repeat(depth)}`;
    const blocks = parseMarkdown(src);
    let max = 0;
    const walk = (list: MdInline[], d: number) => {
      for (const n of list) {
        max = Math.max(max, d);
        if (n.t === 'strong' || n.t === 'em' || n.t === 'link') walk(n.c, d + 1);
      }
    };
    walk((blocks[0] as { c: MdInline[] }).c, 0);
    expect(max).toBeLessThanOrEqual(MAX_INLINE_DEPTH);
    expect(max).toBeGreaterThan(2);
    // Every character of the source is still shown.
    expect(plain(blocks).replace(/\*/g, '')).toBe(src.replace(/\*/g, ''));
  });

  it('never throws on odd input', () => {
    expect(parseMarkdown(undefined as unknown as string)).toEqual([]);
    expect(parseMarkdown('')).toEqual([]);
    expect(plain(parseMarkdown('a\u0000b'))).toBe('a\uFFFDb');
  });
});

describe('the normal constructs', () => {
  it('paragraphs, joined lines, blank lines between', () => {
    expect(parseMarkdown('one\ntwo\n\nthree')).toEqual([
      { t: 'p', c: [text('one two')] },
      { t: 'p', c: [text('three')] },
    ]);
  });

  it('headings 1 to 3; four hashes are text', () => {
    expect(parseMarkdown('# A\n## B\n### C\n#### D\n#nospace')).toEqual([
      { t: 'h', level: 1, c: [text('A')] },
      { t: 'h', level: 2, c: [text('B')] },
      { t: 'h', level: 3, c: [text('C')] },
      { t: 'p', c: [text('#### D #nospace')] },
    ]);
  });

  it('bullet and numbered lists, with continued items', () => {
    expect(parseMarkdown('- a\n* b\n  more\n+ c\n\n1. one\n2) two')).toEqual([
      { t: 'ul', items: [[text('a')], [text('b more')], [text('c')]] },
      { t: 'ol', items: [[text('one')], [text('two')]] },
    ]);
  });

  it('bold, italic, code and their nesting', () => {
    expect(parseInline('**bold** and *it* and `x*y*z`')).toEqual([
      { t: 'strong', c: [text('bold')] },
      text(' and '),
      { t: 'em', c: [text('it')] },
      text(' and '),
      { t: 'code', v: 'x*y*z' },
    ]);
    expect(parseInline('**a *b* c**')).toEqual([{ t: 'strong', c: [text('a '), { t: 'em', c: [text('b')] }, text(' c')] }]);
    expect(parseInline('*a **b** c*')).toEqual([{ t: 'em', c: [text('a '), { t: 'strong', c: [text('b')] }, text(' c')] }]);
    // 2 * 3 * 4: spaced stars are not emphasis.
    expect(parseInline('2 * 3 * 4')).toEqual([text('2 * 3 * 4')]);
    // Crossing markers: the first pair wins, the stray marker stays text.
    expect(parseInline('**a *b** c*')).toEqual([{ t: 'strong', c: [text('a *b')] }, text(' c*')]);
  });

  it('links, with formatting inside; # anchors', () => {
    expect(parseInline('see [the **docs**](https://example.org/docs) and [step 2](#step-2).')).toEqual([
      text('see '),
      { t: 'link', href: 'https://example.org/docs', c: [text('the '), { t: 'strong', c: [text('docs')] }] },
      text(' and '),
      { t: 'link', href: '#step-2', c: [text('step 2')] },
      text('.'),
    ]);
    expect(parseInline('[a] [b](https://x.org)')).toEqual([text('[a] '), { t: 'link', href: 'https://x.org', c: [text('b')] }]);
    expect(parseInline('[](https://x.org)')).toEqual([{ t: 'link', href: 'https://x.org', c: [text('https://x.org')] }]);
  });

  it('fenced code keeps its text as written', () => {
    expect(parseMarkdown('before\n```ts\nconst a = **b**;\n<b>x</b>\n```\nafter')).toEqual([
      { t: 'p', c: [text('before')] },
      { t: 'pre', v: 'const a = **b**;\n<b>x</b>' },
      { t: 'p', c: [text('after')] },
    ]);
  });

  it('backslash escapes', () => {
    expect(parseInline('\\*not italic\\* and \\[not a link](https://x.org)')).toEqual([text('*not italic* and [not a link](https://x.org)')]);
    expect(parseInline('a \\ b')).toEqual([text('a \\ b')]);
  });

  it('unclosed markers are text', () => {
    expect(parseInline('*open and `tick and [bracket')).toEqual([text('*open and `tick and [bracket')]);
  });
});
