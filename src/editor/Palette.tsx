/**
 * Every node type from the registry, grouped by category and searchable. Drag an item onto the
 * canvas, or double-click / press Enter on it to add it at the centre of the view.
 */
import { useEffect, useMemo, useState, type KeyboardEvent } from 'react';
import { CATEGORIES } from '../../nodes/categories';
import { NODE_DEFS } from '../../nodes/registry';
import type { Category } from '../../nodes/types';
import { addAndFocus } from './keyboard';
import { blockRef, libraryRef } from './blocks/actions';
import { BLOCK_COLOR } from './blocks/face';
import { removeFromLibraryAction, useLibrary } from './blocks/library-actions';
import { rootDoc, useEditor } from './store';

export const PALETTE_MIME = 'application/x-layerlab-node-type';

/** The palette's items, in order (for the arrow keys). */
const items = (from: HTMLElement) => [...(from.closest('.ll-palette')?.querySelectorAll<HTMLElement>('.ll-palette-item') ?? [])];

export function Palette({ onAdd }: { onAdd(type: string): void }) {
  const [query, setQuery] = useState('');
  /** Adds a layer from the keyboard and moves the focus to it on the canvas (arrows move it, I inspects it). */
  const addFromKeyboard = (type: string) => addAndFocus(() => onAdd(type));
  const onItemKey = (e: KeyboardEvent<HTMLElement>, type: string) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      addFromKeyboard(type);
      return;
    }
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    e.preventDefault();
    const list = items(e.currentTarget);
    const i = list.indexOf(e.currentTarget);
    if (e.key === 'ArrowDown') list[Math.min(i + 1, list.length - 1)]?.focus();
    else if (i > 0) list[i - 1]?.focus();
    else e.currentTarget.closest('.ll-palette')?.querySelector<HTMLElement>('[data-testid="palette-search"]')?.focus();
  };
  const groups = useMemo(() => {
    const q = query.trim().toLowerCase();
    const match = (d: (typeof NODE_DEFS)[number]) =>
      !q || d.title.toLowerCase().includes(q) || d.type.toLowerCase().includes(q) || d.summary.toLowerCase().includes(q) || d.category.includes(q);
    return (Object.keys(CATEGORIES) as Category[])
      .map((cat) => ({ cat, defs: NODE_DEFS.filter((d) => d.category === cat && match(d)) }))
      .filter((g) => g.defs.length);
  }, [query]);
  // Blocks: this graph's (an instance is added; every use shares the definition) and the
  // browser's library (adding one copies its definition into the graph).
  const blocks = useEditor((s) => rootDoc(s).blocks);
  const openBlock = useEditor((s) => s.scope?.blockId);
  const library = useLibrary((s) => s.entries);
  // Read once the page is idle: a page's first localStorage read waits for the browser to load
  // the storage (5–25 ms on a blank page here, up to ~180 ms seen while the app was starting),
  // and this read sat between start-up and the first graph on a cold load.
  useEffect(() => {
    const refresh = () => useLibrary.getState().refresh();
    if (typeof requestIdleCallback !== 'function') {
      const t = setTimeout(refresh, 200);
      return () => clearTimeout(t);
    }
    const id = requestIdleCallback(refresh, { timeout: 2000 });
    return () => cancelIdleCallback(id);
  }, []);
  const q = query.trim().toLowerCase();
  const docBlocks = (blocks ?? []).filter((b) => !q || b.name.toLowerCase().includes(q) || 'block'.includes(q));
  const libBlocks = library.filter((e) => (!q || e.name.toLowerCase().includes(q) || 'block'.includes(q)) && !docBlocks.some((b) => b.name === e.name));
  const blockItem = (ref: string, testid: string, title: string, summary: string, tip: string, refused?: string) => (
    <button
      key={ref}
      type="button"
      className="ll-palette-item"
      data-testid={testid}
      style={{ ['--node-color' as string]: BLOCK_COLOR }}
      draggable={!refused}
      disabled={!!refused}
      title={refused ?? `${tip}\n\nDrag onto the canvas, or double-click to add.`}
      onDragStart={(e) => {
        e.dataTransfer.setData(PALETTE_MIME, ref);
        e.dataTransfer.setData('text/plain', ref);
        e.dataTransfer.effectAllowed = 'copy';
      }}
      onDoubleClick={() => onAdd(ref)}
      onKeyDown={(e) => onItemKey(e, ref)}
    >
      <span className="ll-palette-title">{title}</span>
      <span className="ll-palette-summary">{summary}</span>
    </button>
  );

  return (
    <aside className="ll-palette" aria-label="Node palette" data-testid="palette">
      <input
        type="search"
        className="ll-search"
        placeholder="Search layers…"
        aria-label="Search layers"
        data-testid="palette-search"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && groups[0]) addFromKeyboard(groups[0].defs[0]!.type);
          else if (e.key === 'ArrowDown') {
            e.preventDefault();
            items(e.currentTarget)[0]?.focus();
          }
        }}
      />
      {groups.length === 0 && !docBlocks.length && !libBlocks.length && <p className="ll-muted">No layer matches “{query}”.</p>}
      {(docBlocks.length > 0 || libBlocks.length > 0) && (
        <section className="ll-palette-group" data-testid="palette-blocks">
          <h3 style={{ ['--node-color' as string]: BLOCK_COLOR }}>Blocks</h3>
          {docBlocks.map((b) =>
            blockItem(
              blockRef(b.id),
              `palette-block-${b.id}`,
              b.name,
              `${b.nodes.length} nodes · in this graph`,
              `${b.description ?? `Block “${b.name}”`}: every use shares one definition.`,
              b.id === openBlock ? 'This block is open: a block cannot contain itself.' : undefined,
            ),
          )}
          {libBlocks.map((e) => (
            <div key={e.name} className="ll-palette-library">
              {blockItem(
                libraryRef(e.name),
                `palette-library-${e.name}`,
                e.name,
                `${e.blocks[0]!.nodes.length} nodes · your library`,
                `Block “${e.name}” from your library (this browser): adding it copies it into the graph.`,
                openBlock ? 'Library blocks are added to the whole graph: leave this block first (Esc).' : undefined,
              )}
              <button
                type="button"
                className="ll-palette-remove"
                title={`Remove “${e.name}” from your library`}
                aria-label={`Remove ${e.name} from your library`}
                data-testid={`palette-library-remove-${e.name}`}
                onClick={() => removeFromLibraryAction(e.name)}
              >
                ×
              </button>
            </div>
          ))}
        </section>
      )}
      {groups.map(({ cat, defs }) => (
        <section key={cat} className="ll-palette-group">
          <h3 style={{ ['--node-color' as string]: CATEGORIES[cat].color }}>{CATEGORIES[cat].label}</h3>
          {defs.map((d) => (
            <button
              key={d.type}
              type="button"
              className="ll-palette-item"
              data-testid={`palette-item-${d.type}`}
              style={{ ['--node-color' as string]: CATEGORIES[cat].color }}
              draggable
              title={`${d.summary}\n\n${d.explain}\n\nDrag onto the canvas, or double-click to add.`}
              onDragStart={(e) => {
                e.dataTransfer.setData(PALETTE_MIME, d.type);
                e.dataTransfer.setData('text/plain', d.type);
                e.dataTransfer.effectAllowed = 'copy';
              }}
              onDoubleClick={() => onAdd(d.type)}
              onKeyDown={(e) => onItemKey(e, d.type)}
            >
              <span className="ll-palette-title">{d.title}</span>
              <span className="ll-palette-summary">{d.summary}</span>
            </button>
          ))}
        </section>
      ))}
    </aside>
  );
}
