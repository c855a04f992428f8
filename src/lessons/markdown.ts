/**
 * A small, safe markdown for lesson texts. The result is a plain data tree (no HTML strings):
 * Markdown.tsx renders it with React elements, so raw HTML in a text is only ever shown as
 * text. Supported: paragraphs, `#`/`##`/`###` headings, `-`/`*`/`1.` lists (one level),
 * **bold**, *italic*, `code`, fenced code blocks, backslash escapes and
 * [links](https://…) whose target is http(s) or a `#` anchor; any other link (javascript:,
 * data:, protocol-relative, entity-obfuscated…) stays plain text. Images are not supported.
 * Linear time: one scan per line, no backtracking regular expressions, bounded nesting.
 */
import { LESSON_LIMITS } from './types';

export type MdInline = { t: 'text'; v: string } | { t: 'strong' | 'em'; c: MdInline[] } | { t: 'code'; v: string } | { t: 'link'; href: string; c: MdInline[] };
export type MdBlock = { t: 'p'; c: MdInline[] } | { t: 'h'; level: 1 | 2 | 3; c: MdInline[] } | { t: 'ul' | 'ol'; items: MdInline[][] } | { t: 'pre'; v: string };

/** Deepest nesting of bold/italic inside one another; deeper markers stay text. */
export const MAX_INLINE_DEPTH = 8;
/** Longest link target. */
export const MAX_HREF_LENGTH = 2048;

/** Whether a link target may become a link: absolute http(s) URLs and `#anchor` links only. */
export function safeHref(href: string): boolean {
  if (href.length === 0 || href.length > MAX_HREF_LENGTH) return false;
  if (href[0] === '#') return /^#[A-Za-z0-9_-]*$/.test(href);
  // Written plainly at the very start: no leading spaces, controls, entities or escapes.
  if (!/^https?:\/\/[A-Za-z0-9[]/i.test(href)) return false;
  for (let i = 0; i < href.length; i++) if (isStop(href.charCodeAt(i))) return false;
  try {
    const u = new URL(href);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
  } catch {
    return false;
  }
}

/** Characters that end a link target (or make it unsafe): whitespace, controls, quotes, angle brackets, backslash. */
function isStop(c: number): boolean {
  return c <= 0x20 || c === 0x7f || c === 0x22 || c === 0x27 || c === 0x3c || c === 0x3e || c === 0x5c || c === 0x60 || (c >= 0x80 && c <= 0x9f) || c === 0x2028 || c === 0x2029;
}

/** \\ ` * [ ] */
const SPECIAL = new Set([0x5c, 0x60, 0x2a, 0x5b, 0x5d]);
const PUNCT = new Set('!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~');

type Token =
  | { k: 'text'; v: string }
  | { k: 'code'; v: string }
  | { k: 'delim'; n: 1 | 2; canOpen: boolean; canClose: boolean }
  | { k: 'open' }
  | { k: 'node'; node: MdInline };

function isSpace(ch: string | undefined): boolean {
  return ch === undefined || ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || ch === '\f' || ch === '\v' || ch === '\u00a0';
}

function pushText(out: MdInline[], v: string) {
  if (!v) return;
  const last = out[out.length - 1];
  if (last?.t === 'text') last.v += v;
  else out.push({ t: 'text', v });
}

/** Bold and italic over one run of tokens (links already made). Linear: each opener is pushed and popped once. */
function emphasis(tokens: Token[]): MdInline[] {
  const stacks: Record<1 | 2, number[]> = { 1: [], 2: [] };
  const partner = new Map<number, number>();
  tokens.forEach((tok, i) => {
    if (tok.k !== 'delim') return;
    const same = stacks[tok.n];
    if (tok.canClose && same.length) {
      const o = same.pop()!;
      // Openers of the other kind opened inside this pair can no longer close properly.
      const other = stacks[tok.n === 1 ? 2 : 1];
      while (other.length && other[other.length - 1]! > o) other.pop();
      partner.set(o, i);
      partner.set(i, o);
      return;
    }
    if (tok.canOpen) same.push(i);
  });
  const frames: { kind: 'strong' | 'em'; c: MdInline[] }[] = [{ kind: 'em', c: [] }];
  const literal = new Set<number>();
  tokens.forEach((tok, i) => {
    const out = frames[frames.length - 1]!.c;
    switch (tok.k) {
      case 'text':
        return pushText(out, tok.v);
      case 'code':
        return void out.push({ t: 'code', v: tok.v });
      case 'open':
        return pushText(out, '[');
      case 'node':
        return void out.push(tok.node);
      case 'delim': {
        const j = partner.get(i);
        if (j === undefined || literal.has(i)) return pushText(out, '*'.repeat(tok.n));
        if (j > i) {
          if (frames.length > MAX_INLINE_DEPTH) {
            literal.add(j);
            return pushText(out, '*'.repeat(tok.n));
          }
          frames.push({ kind: tok.n === 2 ? 'strong' : 'em', c: [] });
          return;
        }
        const f = frames.pop()!;
        frames[frames.length - 1]!.c.push({ t: f.kind, c: f.c });
      }
    }
  });
  return frames[0]!.c;
}

/** Inline markdown of one paragraph, heading or list item. */
export function parseInline(s: string): MdInline[] {
  const n = s.length;
  // nextClose[i]: first ')' at or after i; nextStop[i]: first character that may not be in a link target.
  const nextClose = new Int32Array(n + 1).fill(-1);
  const nextStop = new Int32Array(n + 1).fill(-1);
  for (let i = n - 1; i >= 0; i--) {
    const c = s.charCodeAt(i);
    nextClose[i] = c === 0x29 ? i : nextClose[i + 1]!;
    nextStop[i] = isStop(c) ? i : nextStop[i + 1]!;
  }
  const tokens: Token[] = [];
  const openers: number[] = [];
  let text = '';
  const flush = () => {
    if (text) tokens.push({ k: 'text', v: text });
    text = '';
  };
  let noMoreBackticks = false;
  let i = 0;
  while (i < n) {
    const ch = s[i]!;
    if (ch === '\\' && i + 1 < n && PUNCT.has(s[i + 1]!)) {
      text += s[i + 1];
      i += 2;
    } else if (ch === '`') {
      const j = noMoreBackticks ? -1 : s.indexOf('`', i + 1);
      if (j < 0) {
        // No closing backtick anywhere after this one: none of the later ones can close either.
        noMoreBackticks = true;
        text += '`';
        i++;
      } else {
        flush();
        tokens.push({ k: 'code', v: s.slice(i + 1, j) });
        i = j + 1;
      }
    } else if (ch === '*') {
      let L = 1;
      while (s[i + L] === '*') L++;
      if (L <= 2) {
        flush();
        tokens.push({ k: 'delim', n: L as 1 | 2, canOpen: !isSpace(s[i + L]), canClose: i > 0 && !isSpace(s[i - 1]) });
      } else text += '*'.repeat(L);
      i += L;
    } else if (ch === '[') {
      flush();
      openers.push(tokens.length);
      tokens.push({ k: 'open' });
      i++;
    } else if (ch === ']') {
      const o = openers.pop();
      const start = i + 2;
      const close = o !== undefined && s[i + 1] === '(' ? nextClose[start]! : -1;
      const stop = close >= 0 ? nextStop[start]! : -1;
      const href = close >= 0 && (stop < 0 || stop > close) ? s.slice(start, close) : '';
      if (o !== undefined && href && safeHref(href)) {
        flush();
        const inner = tokens.splice(o + 1);
        tokens.pop(); // the '[' opener
        const c = emphasis(inner);
        tokens.push({ k: 'node', node: { t: 'link', href, c: c.length ? c : [{ t: 'text', v: href }] } });
        // Links do not nest: earlier '[' stay text.
        openers.length = 0;
        i = close + 1;
      } else {
        text += ']';
        i++;
      }
    } else {
      // Plain text up to the next character that may mean something.
      let j = i + 1;
      while (j < n && !SPECIAL.has(s.charCodeAt(j))) j++;
      text += s.slice(i, j);
      i = j;
    }
  }
  flush();
  return emphasis(tokens);
}

const FENCE = /^ {0,3}```/;
const HEADING = /^(#{1,3})[ \t]+(.*)$/s;
const BULLET = /^ {0,3}[-*+][ \t]+(.*)$/s;
const ORDERED = /^ {0,3}\d{1,9}[.)][ \t]+(.*)$/s;

/** Parses lesson markdown into blocks. Never throws; text longer than LESSON_LIMITS.maxTextLength is cut with a note. */
export function parseMarkdown(text: string): MdBlock[] {
  let src = typeof text === 'string' ? text : '';
  let cut = false;
  if (src.length > LESSON_LIMITS.maxTextLength) {
    src = src.slice(0, LESSON_LIMITS.maxTextLength);
    cut = true;
  }
  // NUL and other C0 controls (except tab and newline) are shown as the replacement character.
  src = src.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '\uFFFD');
  const lines = src.split('\n');
  const blocks: MdBlock[] = [];
  let para: string[] = [];
  let list: { t: 'ul' | 'ol'; items: string[] } | undefined;
  const endPara = () => {
    if (para.length) blocks.push({ t: 'p', c: parseInline(para.join(' ')) });
    para = [];
  };
  const endList = () => {
    if (list) blocks.push({ t: list.t, items: list.items.map(parseInline) });
    list = undefined;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (FENCE.test(line)) {
      endPara();
      endList();
      const body: string[] = [];
      i++;
      while (i < lines.length && !FENCE.test(lines[i]!)) body.push(lines[i++]!);
      blocks.push({ t: 'pre', v: body.join('\n') });
      continue;
    }
    if (line.trim() === '') {
      endPara();
      endList();
      continue;
    }
    const h = HEADING.exec(line);
    if (h) {
      endPara();
      endList();
      blocks.push({ t: 'h', level: h[1]!.length as 1 | 2 | 3, c: parseInline(h[2]!.trim()) });
      continue;
    }
    const b = BULLET.exec(line);
    const o = b ? null : ORDERED.exec(line);
    if (b || o) {
      endPara();
      const t = b ? 'ul' : 'ol';
      if (list && list.t !== t) endList();
      list ??= { t, items: [] };
      list.items.push((b ?? o)![1]!.trim());
      continue;
    }
    if (list) {
      // A non-blank line after an item continues it.
      list.items[list.items.length - 1] += ` ${line.trim()}`;
      continue;
    }
    para.push(line.trim());
  }
  endPara();
  endList();
  if (cut) blocks.push({ t: 'p', c: [{ t: 'em', c: [{ t: 'text', v: `(The rest of this text was cut: lesson texts are at most ${LESSON_LIMITS.maxTextLength.toLocaleString('en-US')} characters.)` }] }] });
  return blocks;
}
