/**
 * Renders a lesson's markdown (parsed by markdown.ts into a plain data tree) with React elements
 * only: every string becomes a text node, so nothing from a lesson file is ever read as HTML.
 * Links are the ones markdown.ts let through (http(s) and in-page `#`), checked again here.
 */
import { createElement, Fragment, type ReactNode } from 'react';
import { parseMarkdown, type MdBlock, type MdInline } from './markdown';

/** http(s) or an in-page '#' link; anything else is shown as text (a second line of defence). */
export function safeHref(href: string): boolean {
  return /^https?:\/\/[^\s/]/i.test(href) || /^#[\w\-=:.%]*$/.test(href);
}

function inline(nodes: readonly MdInline[], key: string): ReactNode[] {
  return nodes.map((n, i): ReactNode => {
    const k = `${key}.${i}`;
    switch (n.t) {
      case 'text':
        return createElement(Fragment, { key: k }, n.v);
      case 'code':
        return createElement('code', { key: k }, n.v);
      case 'strong':
        return createElement('strong', { key: k }, ...inline(n.c, k));
      case 'em':
        return createElement('em', { key: k }, ...inline(n.c, k));
      case 'link': {
        const children = inline(n.c, k);
        if (!safeHref(n.href)) return createElement(Fragment, { key: k }, ...children);
        const external = !n.href.startsWith('#');
        return createElement('a', { key: k, href: n.href, ...(external ? { target: '_blank', rel: 'noopener noreferrer' } : {}) }, ...children);
      }
      default:
        return null;
    }
  });
}

function block(b: MdBlock, i: number): ReactNode {
  const k = String(i);
  switch (b.t) {
    case 'p':
      return createElement('p', { key: k }, ...inline(b.c, k));
    case 'h':
      // Lesson headings sit below the panel's own heading: # is h3, ## h4, ### h5.
      return createElement(`h${b.level + 2}`, { key: k }, ...inline(b.c, k));
    case 'ul':
    case 'ol':
      return createElement(
        b.t,
        { key: k },
        b.items.map((item, j) => createElement('li', { key: j }, ...inline(item, `${k}.${j}`))),
      );
    case 'pre':
      return createElement('pre', { key: k }, createElement('code', null, b.v));
    default:
      return null;
  }
}

/** Parsed blocks as React elements. */
export function MarkdownBlocks({ blocks }: { blocks: readonly MdBlock[] }) {
  return createElement('div', { className: 'll-md' }, ...blocks.map(block));
}

/** A lesson text (small markdown) as React elements. */
export function Markdown({ text }: { text: string }) {
  return createElement(MarkdownBlocks, { blocks: parseMarkdown(text) });
}
